/**
 * Baseline policies are composed of three small parts, one per decision kind: provisioning
 * (which hosts run), deployment (which variant serves a request) and placement (which host runs
 * each fragment). Each part is one file; `compose.ts` joins them into a Policy.
 */
import { HOST_BOOTING, HOST_ON, type Observation, type ProvisionAction } from "../types.ts";
import type { VariantKind } from "../catalogue/applications.ts";
import type { RandomStream } from "../engine/random.ts";

/** Placement's view of the hosts while one decision is being built (updated as fragments go). */
export interface PlacementState {
  obs: Observation;
  /** hosts that may take fragments in this decision (on, and not being stopped) */
  usable: Uint8Array;
  ramFree: Float64Array;
  /** fragments placed per host, including those placed earlier in this decision */
  placed: Int32Array;
}

export interface ProvisioningPart {
  readonly name: string;
  decide(obs: Observation): ProvisionAction[];
  clone(): ProvisioningPart;
}

export interface DeploymentPart {
  readonly name: string;
  choose(obs: Observation, app: number): VariantKind;
  clone(): DeploymentPart;
}

export interface PlacementPart {
  readonly name: string;
  /** a host for a fragment needing `ramMB`, or -1 if none fits */
  pick(state: PlacementState, ramMB: number): number;
  clone(): PlacementPart;
}

export interface PartContext {
  /** a stream for this policy's own random choices */
  rng: RandomStream;
}

/** RAM fits and a vCPU is free: the placement rules try these hosts first. */
export function fitsWithFreeCpu(s: PlacementState, h: number, ramMB: number): boolean {
  return s.usable[h] === 1 && s.ramFree[h] >= ramMB && s.placed[h] < s.obs.hosts.vcpus[h];
}

/** RAM fits (the hard constraint); processor sharing absorbs the extra load. */
export function fitsRam(s: PlacementState, h: number, ramMB: number): boolean {
  return s.usable[h] === 1 && s.ramFree[h] >= ramMB;
}

/**
 * Runs a selection rule twice: first over hosts with a free vCPU, then (if none) over all hosts
 * with enough RAM. `better(a, b)` says whether host a beats the best so far, b.
 */
export function pickBest(s: PlacementState, ramMB: number, better: (a: number, b: number) => boolean): number {
  for (const fits of [fitsWithFreeCpu, fitsRam]) {
    let best = -1;
    for (let h = 0; h < s.obs.hosts.count; h++) {
      if (!fits(s, h, ramMB)) continue;
      if (best < 0 || better(h, best)) best = h;
    }
    if (best >= 0) return best;
  }
  return -1;
}

/** Fragments of the first variant the scenario offers for an app (an estimate of its demand). */
export function fragmentsOf(obs: Observation, app: number): number {
  for (const v of obs.apps[app].variants) if (obs.variants.includes(v.kind)) return v.fragments.length;
  return 1;
}

/** What the autoscalers weigh: vCPUs of hosts on or booting, fragments placed and pending. */
export function fleetLoad(obs: Observation): { vcpus: number; placed: number; on: number; pendingFragments: number } {
  const h = obs.hosts;
  let vcpus = 0;
  let placed = 0;
  let on = 0;
  for (let i = 0; i < h.count; i++) {
    if (h.state[i] === HOST_ON || h.state[i] === HOST_BOOTING) {
      vcpus += h.vcpus[i];
      placed += h.placed[i];
      if (h.state[i] === HOST_ON) on++;
    }
  }
  let pendingFragments = 0;
  for (const p of obs.pending) pendingFragments += fragmentsOf(obs, p.app);
  return { vcpus, placed, on, pendingFragments };
}
