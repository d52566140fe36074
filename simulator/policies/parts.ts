/**
 * Baseline policies are composed of three small parts, one per decision kind: provisioning
 * (which hosts run), deployment (which variant serves a request) and placement (which host runs
 * each fragment). Each part is one file; `compose.ts` joins them into a Policy.
 */
import { HOST_BOOTING, HOST_ON, type Observation, type PendingRequest, type ProvisionAction } from "../types.ts";
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
  /**
   * the policy's own account of the work each host holds, MI, including fragments placed earlier
   * in this decision (work-tracker.ts); absent where no account is kept
   */
  remainingMI?: Float64Array;
}

/**
 * What provisioning knows of the rest of the decision: the work a request of an application
 * will need under the deployment part's usual choice, in vCPU-seconds (size 1).
 */
export interface ProvisioningPlan {
  workS(app: number): number;
}

export interface ProvisioningPart {
  readonly name: string;
  decide(obs: Observation, plan: ProvisioningPlan): ProvisionAction[];
  clone(): ProvisioningPart;
}

/** A tentative placement of a variant for one request: its hosts and the estimated response time. */
export interface PlacementTrial {
  hosts: number[];
  /** estimated response time if deployed now: time waited so far + service (see estimate.ts), s */
  responseS: number;
}

export interface DeploymentPart {
  readonly name: string;
  /**
   * The variant for a pending request. `trial(kind)` places that variant tentatively with the
   * policy's placement rule (nothing is committed) and estimates its response time; null when it
   * does not fit now.
   */
  choose(obs: Observation, req: PendingRequest, trial: (kind: VariantKind) => PlacementTrial | null): VariantKind;
  /** the variant usually chosen for an application (for capacity planning) */
  usual(obs: Observation, app: number): VariantKind;
  /** called once per decision before the first choose(), with the hosts as placement sees them */
  prepare?(obs: Observation, state: PlacementState): void;
  clone(): DeploymentPart;
}

export interface PlacementPart {
  readonly name: string;
  /** a host for a fragment needing `ramMB` (and `mi` million instructions of work), or -1 if none fits */
  pick(state: PlacementState, ramMB: number, mi?: number): number;
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

/**
 * CPU demand now, in vCPUs: the vCPUs busy on the hosts (utilisation x vCPUs) plus the pending
 * requests' work spread over one interval.
 */
export function cpuDemand(obs: Observation, plan: ProvisioningPlan): { busy: number; backlogS: number } {
  const h = obs.hosts;
  let busy = 0;
  for (let i = 0; i < h.count; i++) busy += h.utilisation[i] * h.vcpus[i];
  let backlogS = 0;
  for (const p of obs.pending) backlogS += plan.workS(p.app) * p.size;
  return { busy, backlogS };
}

/**
 * vCPUs a host can deliver now: all of them, or its base rate's share while a B-series host is
 * held there for lack of credits (a throttled host looks idle by its utilisation, but is full).
 */
export function effectiveVcpus(obs: Observation, h: number): number {
  const x = obs.hosts;
  return x.throttled[h] ? x.vcpus[h] * x.baseUtilisation[h] : x.vcpus[h];
}

/** Hosts in `states`, cheapest per vCPU first (ties: lower number). */
export function byPricePerVcpu(obs: Observation, states: readonly number[]): number[] {
  const h = obs.hosts;
  const out: number[] = [];
  for (let i = 0; i < h.count; i++) if (states.includes(h.state[i])) out.push(i);
  return out.sort((a, b) => h.pricePerHour[a] / h.vcpus[a] - h.pricePerHour[b] / h.vcpus[b] || a - b);
}
