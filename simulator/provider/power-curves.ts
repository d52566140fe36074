/**
 * Power curves for the provider view: the project's SPECpower catalogue
 * (simulator/catalogue/power-curves.ts, with the SPEC result id of every curve), by name.
 */
import { POWER_CURVES as CATALOGUE } from "../catalogue/power-curves.ts";

export const POWER_CURVES: Readonly<Record<string, readonly number[]>> = Object.fromEntries(
  Object.entries(CATALOGUE).map(([name, c]) => [name, c.watts]),
);

export type PowerCurveName = string;
export const POWER_CURVE_NAMES = Object.keys(POWER_CURVES) as [string, ...string[]];

/**
 * Default curve of a provider host: the IBM System x3650 M2 (2x Xeon X5570 = 8 cores). The
 * CloudSim-scale hosts have 8 PEs, so an 8-core dual-socket rack server is the closest match in
 * the table; it is also the newest (2014) general datacenter server result there, with a wide
 * idle-to-peak range (81.4 W to 244 W), so placement visibly changes energy.
 */
export const DEFAULT_PROVIDER_CURVE: PowerCurveName = "ibm-x3650-m2";

export const CURVE_POINTS = 11;

/**
 * Power in watts at utilisation u of the curve stored at `curves[offset .. offset + 10]`:
 * linear interpolation between the two neighbouring 10 % points. u must be in [0, 1].
 */
export function powerAt(curves: Float64Array, offset: number, u: number): number {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`utilisation must be in [0, 1], got ${u}`);
  const x = u * 10;
  const i = x >= 10 ? 9 : Math.floor(x);
  const lo = curves[offset + i];
  return lo + (curves[offset + i + 1] - lo) * (x - i);
}
