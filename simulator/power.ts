/**
 * Power at a CPU utilisation by linear interpolation between the 11 points of a SPECpower curve
 * (0 %, 10 %, ..., 100 %). Utilisation outside [0, 1] is an error, not clamped: it would mean a
 * bug upstream. The segment index is floor(u * 10), clamped to 9 so u = 1 uses the last segment
 * (the off-by-one seen in simulators that index with round(u * 11)).
 */
export function powerAt(watts: ArrayLike<number>, u: number): number {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`utilisation must be in [0, 1], got ${u}`);
  const x = u * 10;
  let i = Math.floor(x);
  if (i > 9) i = 9;
  const f = x - i;
  return watts[i] + (watts[i + 1] - watts[i]) * f;
}

/** Checks a curve: 11 finite, non-negative, non-decreasing points. Returns an error text or null. */
export function checkPowerCurve(watts: readonly number[]): string | null {
  if (watts.length !== 11) return `a power curve needs 11 points (0 %, 10 %, ..., 100 %), got ${watts.length}`;
  for (let i = 0; i < 11; i++) {
    const w = watts[i];
    if (!Number.isFinite(w) || w < 0) return `power curve point ${i} must be a non-negative number, got ${w}`;
    if (i > 0 && w < watts[i - 1]) return `power curve must not decrease (point ${i}: ${w} < ${watts[i - 1]})`;
  }
  return null;
}

/**
 * How much of a server's power a host (a VM) is charged with.
 *
 * - `whole-server`: the VM draws the whole server's curve, as COSCO (and SciNet after it) models
 *   every VM as its own SPECpower server. Results compare with theirs; idle power dominates.
 * - `vcpu-share`: the VM is charged its share s = vCPUs / server cores of the server: s of the
 *   idle power plus s of the dynamic part at the VM's utilisation, P_vm(u) = s P(0) + s (P(u) - P(0))
 *   = s P(u). A server packed with such VMs, all at utilisation u, draws P(u): the shares add up.
 */
export const ENERGY_ATTRIBUTIONS = ["whole-server", "vcpu-share"] as const;
export type EnergyAttribution = (typeof ENERGY_ATTRIBUTIONS)[number];
export const DEFAULT_ENERGY_ATTRIBUTION: EnergyAttribution = "whole-server";

/** The share of its server's power a VM of `vcpus` is charged with under `attribution`. */
export function energyShare(attribution: EnergyAttribution, vcpus: number, serverCores: number | undefined): number {
  if (attribution === "whole-server") return 1;
  if (!(serverCores !== undefined && serverCores >= 1)) throw new RangeError("vcpu-share needs the server's core count");
  if (vcpus > serverCores) throw new RangeError(`a VM of ${vcpus} vCPUs cannot be a share of a ${serverCores}-core server`);
  return vcpus / serverCores;
}
