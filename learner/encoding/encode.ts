/**
 * Writes one decoding pass (a draft decision over an Observation) into the model's input rows,
 * as laid out in layout.ts, and reads them back (decodePass: the round trip the tests check).
 */
import { HOST_BOOTING as HOST_BOOTING_, HOST_ON as HOST_ON_, type Observation } from "../../simulator/types.ts";
import type { DecisionDraft } from "../decode/draft.ts";
import { DD as DD_, DF as DF_, DG as DG_, DH as DH_, DP as DP_, FORECAST_STEPS as FORECAST_STEPS_, inputDims, KINDS as KINDS_, REQUEST_VARIANT_FEATURES as REQUEST_VARIANT_FEATURES_, requestDim, SCALE as SCALE_, V as V_, type InputName, type ModelSizes } from "./layout.ts";

// module-local copies of the layout's constants (read in per-host loops; see decode/step.ts)
const HOST_BOOTING = HOST_BOOTING_;
const HOST_ON = HOST_ON_;
const FORECAST_STEPS = FORECAST_STEPS_;
const KINDS = KINDS_;
const REQUEST_VARIANT_FEATURES = REQUEST_VARIANT_FEATURES_;
const SCALE = SCALE_;
const DD = DD_;
const DF = DF_;
const DG = DG_;
const DH = DH_;
const DP = DP_;
const V = V_;

/** Input rows for n passes (row-major, one row per pass). */
export type PassInputs = Record<InputName, Float32Array>;

export function allocInputs(sizes: ModelSizes, n: number): PassInputs {
  const d = inputDims(sizes);
  return {
    hosts: new Float32Array(n * d.hosts),
    hostMask: new Float32Array(n * d.hostMask),
    requests: new Float32Array(n * d.requests),
    requestMask: new Float32Array(n * d.requestMask),
    global: new Float32Array(n * d.global),
    slot: new Float32Array(n * d.slot),
    fragment: new Float32Array(n * d.fragment),
    delta: new Float32Array(n * d.delta),
    progress: new Float32Array(n * d.progress),
  };
}

/** Copies row `from` of `src` into row `to` of `dst`. */
export function copyRow(sizes: ModelSizes, src: PassInputs, from: number, dst: PassInputs, to: number): void {
  const d = inputDims(sizes);
  for (const k of Object.keys(d) as InputName[]) dst[k].set(src[k].subarray(from * d[k], (from + 1) * d[k]), to * d[k]);
}

export class SizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SizeError";
  }
}

/** Why an observation does not fit a model of these sizes (null: it fits). */
export function sizeMismatch(obs: Pick<Observation, "hosts" | "apps">, sizes: ModelSizes): string | null {
  if (obs.hosts.count > sizes.hosts) return `${obs.hosts.count} hosts, the model takes at most ${sizes.hosts}`;
  if (obs.apps.length > sizes.apps) return `${obs.apps.length} applications, the model takes at most ${sizes.apps}`;
  let maxF = 0;
  for (const a of obs.apps) for (const v of a.variants) maxF = Math.max(maxF, v.fragments.length);
  if (maxF > sizes.fragments) return `variants of ${maxF} fragments, the model takes at most ${sizes.fragments}`;
  return null;
}

/** Fleet-wide scales of one observation (the same for every pass of a decision). */
export interface FleetStats {
  meanMipsPerVcpu: number;
  totalVcpus: number;
}

export function fleetStats(obs: Observation): FleetStats {
  const h = obs.hosts;
  let mips = 0;
  let vcpus = 0;
  for (let i = 0; i < h.count; i++) {
    mips += h.mipsPerVcpu[i];
    vcpus += h.vcpus[i];
  }
  return { meanMipsPerVcpu: h.count > 0 ? mips / h.count : 1, totalVcpus: Math.max(1, vcpus) };
}

/** Which pass: provisioning (phase 0) or deploying (phase 1), the chunk of requests, the one being decided. */
export interface PassContext {
  phase: 0 | 1;
  /** index in obs.pending of the first request token */
  chunkStart: number;
  /** the request token being decided and the fragment being placed (null in the provisioning pass) */
  current: { slot: number; fragment: number } | null;
}

const log1p = Math.log1p;

/**
 * Writes pass `ctx` of `draft` into row `row` of `out`; `bootLeft` from BootTracker.observe;
 * `prior`: the scenario workload model's expected arrivals in the next intervals
 * (workloads/scenario-workload.ts expectedArrivals), written in the forecast slots when the
 * observation has no forecast (null for a layout-3 model, or a trace).
 */
export function encodePass(draft: DecisionDraft, bootLeft: Float64Array, fleet: FleetStats, sizes: ModelSizes, ctx: PassContext, out: PassInputs, row: number, prior: ArrayLike<number> | null = null): void {
  const obs = draft.obs;
  const h = obs.hosts;
  const H = sizes.hosts;
  const R = sizes.requests;
  const DR = requestDim(sizes);
  const iv = obs.intervalS;
  // hosts
  const ho = row * H * DH;
  out.hosts.fill(0, ho, ho + H * DH);
  out.hostMask.fill(0, row * H, (row + 1) * H);
  let on = 0;
  let booting = 0;
  for (let i = 0; i < h.count; i++) {
    const o = ho + i * DH;
    const st = draft.state[i];
    if (st === HOST_ON) on++;
    if (st === HOST_BOOTING) booting++;
    const f = out.hosts;
    f[o + st] = 1;
    const vc = h.vcpus[i];
    f[o + 5] = draft.utilisation[i];
    f[o + 6] = vc / SCALE.vcpus;
    f[o + 7] = (vc * h.mipsPerVcpu[i]) / SCALE.capacityMips;
    f[o + 8] = h.ramMB[i] / SCALE.ramMB;
    f[o + 9] = draft.ramFree[i] / h.ramMB[i];
    f[o + 10] = draft.ramFree[i] / SCALE.ramMB;
    f[o + 11] = draft.placed[i] / vc;
    f[o + 12] = draft.running[i] / vc;
    const hasCredits = !Number.isNaN(h.credits[i]);
    f[o + 13] = hasCredits ? 1 : 0;
    f[o + 14] = hasCredits ? h.credits[i] / (vc * SCALE.creditsPerVcpu) : 0;
    f[o + 15] = h.throttled[i];
    f[o + 16] = h.pricePerHour[i] / SCALE.pricePerHour;
    f[o + 17] = h.idleW[i] / SCALE.watts;
    f[o + 18] = (h.maxW[i] - h.idleW[i]) / SCALE.watts;
    // a host this decision starts has all its boot ahead of it
    if (st === HOST_BOOTING) f[o + 19] = h.state[i] !== HOST_BOOTING ? 1 : h.bootS[i] > 0 ? bootLeft[i] / h.bootS[i] : 0;
    f[o + 20] = h.bootS[i] / iv / SCALE.bootIntervals;
    f[o + 21] = draft.acted[i];
    f[o + 22] = h.baseUtilisation[i];
    f[o + 23] = draft.workMI[i] / (vc * h.mipsPerVcpu[i] * iv) / SCALE.workIntervals;
    out.hostMask[row * H + i] = 1;
  }
  // requests of this chunk
  const ro = row * R * DR;
  out.requests.fill(0, ro, ro + R * DR);
  out.requestMask.fill(0, row * R, (row + 1) * R);
  out.slot.fill(0, row * R, (row + 1) * R);
  const P = obs.pending.length;
  const n = Math.min(R, P - ctx.chunkStart);
  const work = (mi: number, size: number) => (mi * size) / (fleet.meanMipsPerVcpu * iv) / SCALE.workIntervals;
  for (let s = 0; s < n; s++) {
    const r = ctx.chunkStart + s;
    const p = obs.pending[r];
    const o = ro + s * DR;
    const f = out.requests;
    f[o + p.app] = 1;
    let c = o + sizes.apps;
    const age = obs.time - p.arrival;
    f[c++] = p.deadline / iv / SCALE.intervals;
    f[c++] = age / iv / SCALE.intervals;
    f[c++] = (p.deadline - age) / iv / SCALE.intervals;
    f[c++] = p.size;
    f[c++] = draft.decided[r];
    f[c++] = ctx.current?.slot === s ? 1 : 0;
    const vs = draft.variants[r];
    for (let k = 0; k < V; k++) {
      const v = vs[k];
      if (v) {
        let mi = 0;
        let ram = 0;
        for (const fr of v.fragments) {
          mi += fr.mi;
          ram = Math.max(ram, fr.ramMB);
        }
        f[c] = 1;
        f[c + 1] = work(mi, p.size);
        f[c + 2] = v.fragments.length / sizes.fragments;
        f[c + 3] = ram / SCALE.fragmentRamMB;
        f[c + 4] = v.accuracy;
        f[c + 5] = v.parallel ? 1 : 0;
      }
      c += REQUEST_VARIANT_FEATURES.length;
    }
    out.requestMask[row * R + s] = 1;
  }
  // the fragment being placed, per variant kind
  if (ctx.current) out.slot[row * R + ctx.current.slot] = 1;
  writeFragment(draft, fleet, sizes, ctx.current ? ctx.chunkStart + ctx.current.slot : -1, ctx.current?.fragment ?? 0, out, row);
  // global
  const g = out.global;
  const go = row * DG;
  g.fill(0, go, go + DG);
  g[go] = iv / SCALE.intervalS;
  g[go + 1] = ctx.phase;
  g[go + 2] = P / R;
  g[go + 3] = ctx.chunkStart / R;
  g[go + 4] = obs.runningRequests / fleet.totalVcpus;
  g[go + 5] = h.count > 0 ? on / h.count : 0;
  g[go + 6] = h.count > 0 ? booting / h.count : 0;
  const ra = obs.recentArrivals;
  for (let k = 0; k < 4; k++) g[go + 7 + k] = ra.length > k ? log1p(ra[ra.length - 1 - k]) : 0;
  const fc = obs.forecast ?? prior;
  g[go + 11] = fc ? 1 : 0;
  if (fc) for (let k = 0; k < FORECAST_STEPS; k++) g[go + 12 + k] = fc.length > k ? log1p(Math.max(0, fc[k])) : 0;
  g[go + 15] = obs.network.latencyS / SCALE.latencyS;
  g[go + 16] = obs.network.bandwidthMBps / SCALE.bandwidthMBps;
}

/** Writes the features of fragment j of pending request r under each variant kind (all 0 for r = -1). */
function writeFragment(draft: DecisionDraft, fleet: FleetStats, sizes: ModelSizes, r: number, j: number, out: PassInputs, row: number): void {
  const fo = row * V * DF;
  out.fragment.fill(0, fo, fo + V * DF);
  if (r < 0) return;
  const size = draft.obs.pending[r].size;
  const iv = draft.obs.intervalS;
  const vs = draft.variants[r];
  for (let k = 0; k < V; k++) {
    const v = vs[k];
    if (!v || j >= v.fragments.length) continue;
    const o = fo + k * DF;
    out.fragment[o] = 1;
    out.fragment[o + 1] = v.fragments[j].ramMB / SCALE.fragmentRamMB;
    out.fragment[o + 2] = (v.fragments[j].mi * size) / (fleet.meanMipsPerVcpu * iv) / SCALE.workIntervals;
    out.fragment[o + 3] = j / sizes.fragments;
    out.fragment[o + 4] = v.fragments.length / sizes.fragments;
    out.fragment[o + 5] = v.parallel ? 1 : 0;
  }
}

/**
 * The host values a chunk's encoder run saw (layout 5), so that a step can give the placements
 * made since as STEP_HOST_FEATURES and PROGRESS_FEATURES.
 */
export class StepBase {
  readonly ramFree: Float64Array;
  readonly placed: Int32Array;
  readonly running: Int32Array;
  readonly utilisation: Float64Array;
  readonly workMI: Float64Array;
  /** index in obs.pending of the first request not decided at the run */
  readonly firstRequest: number;

  constructor(draft: DecisionDraft, firstRequest: number) {
    this.ramFree = draft.ramFree.slice();
    this.placed = draft.placed.slice();
    this.running = draft.running.slice();
    this.utilisation = draft.utilisation.slice();
    this.workMI = draft.workMI.slice();
    this.firstRequest = firstRequest;
  }
}

/**
 * Writes a chunk step into row `row` of `out` (layout 5): the slot one-hot of request `r`, the
 * features of its fragment `fragment` per variant kind, and the placements made since `base`
 * (`sameRequest`: the hosts of the request's fragments placed so far). The encoder inputs of
 * the row are the chunk run's, written by encodePass.
 */
export function encodeStep(draft: DecisionDraft, base: StepBase, fleet: FleetStats, sizes: ModelSizes, chunkStart: number, r: number, fragment: number, sameRequest: readonly number[], out: PassInputs, row: number): void {
  const obs = draft.obs;
  const h = obs.hosts;
  const R = sizes.requests;
  const iv = obs.intervalS;
  out.slot.fill(0, row * R, (row + 1) * R);
  out.slot[row * R + (r - chunkStart)] = 1;
  writeFragment(draft, fleet, sizes, r, fragment, out, row);
  const H = sizes.hosts;
  const d = out.delta;
  const dOff = row * H * DD;
  d.fill(0, dOff, dOff + H * DD);
  let frags = 0;
  let work = 0;
  for (let i = 0; i < h.count; i++) {
    const dp = draft.placed[i] - base.placed[i];
    for (const x of sameRequest) if (x === i) d[dOff + i * DD + 6] += 1 / sizes.fragments;
    if (dp === 0) continue;
    const vc = h.vcpus[i];
    const o = dOff + i * DD;
    const dw = draft.workMI[i] - base.workMI[i];
    d[o] = draft.utilisation[i] - base.utilisation[i];
    d[o + 1] = (draft.ramFree[i] - base.ramFree[i]) / h.ramMB[i];
    d[o + 2] = (draft.ramFree[i] - base.ramFree[i]) / SCALE.ramMB;
    d[o + 3] = dp / vc;
    d[o + 4] = (draft.running[i] - base.running[i]) / vc;
    d[o + 5] = dw / (vc * h.mipsPerVcpu[i] * iv) / SCALE.workIntervals;
    frags += dp;
    work += dw;
  }
  const p = out.progress;
  const po = row * DP;
  p[po] = (r - base.firstRequest) / R;
  p[po + 1] = frags / fleet.totalVcpus;
  p[po + 2] = work / (fleet.totalVcpus * fleet.meanMipsPerVcpu * iv) / SCALE.workIntervals;
}

/** What a pass's rows say, in the observation's own units (the inverse of encodePass, for checks). */
export interface DecodedPass {
  hosts: Array<{
    state: number;
    utilisation: number;
    vcpus: number;
    mipsPerVcpu: number;
    ramMB: number;
    ramFreeMB: number;
    placed: number;
    running: number;
    credits: number;
    throttled: number;
    pricePerHour: number;
    idleW: number;
    maxW: number;
    bootLeftS: number;
    bootS: number;
    changed: number;
    baseUtilisation: number;
    workMI: number;
  }>;
  requests: Array<{ app: number; deadline: number; age: number; size: number; decided: number; current: number; offered: VariantKindFlags }>;
  phase: number;
  intervalS: number;
  recentArrivals: number[];
  forecast: number[] | null;
}

type VariantKindFlags = Record<(typeof KINDS)[number], number>;

export function decodePass(inp: PassInputs, row: number, sizes: ModelSizes): DecodedPass {
  const H = sizes.hosts;
  const R = sizes.requests;
  const DR = requestDim(sizes);
  const g = inp.global.subarray(row * DG, (row + 1) * DG);
  const iv = g[0] * SCALE.intervalS;
  const hosts: DecodedPass["hosts"] = [];
  for (let i = 0; i < H; i++) {
    if (inp.hostMask[row * H + i] !== 1) continue;
    const f = inp.hosts.subarray((row * H + i) * DH, (row * H + i + 1) * DH);
    const vcpus = f[6] * SCALE.vcpus;
    const ramMB = f[8] * SCALE.ramMB;
    const bootS = f[20] * SCALE.bootIntervals * iv;
    hosts.push({
      state: [0, 1, 2, 3, 4].find((s) => f[s] === 1) ?? -1,
      utilisation: f[5],
      vcpus,
      mipsPerVcpu: (f[7] * SCALE.capacityMips) / vcpus,
      ramMB,
      ramFreeMB: f[9] * ramMB,
      placed: f[11] * vcpus,
      running: f[12] * vcpus,
      credits: f[13] === 1 ? f[14] * vcpus * SCALE.creditsPerVcpu : NaN,
      throttled: f[15],
      pricePerHour: f[16] * SCALE.pricePerHour,
      idleW: f[17] * SCALE.watts,
      maxW: (f[17] + f[18]) * SCALE.watts,
      bootLeftS: f[19] * bootS,
      bootS,
      changed: f[21],
      baseUtilisation: f[22],
      workMI: f[23] * SCALE.workIntervals * vcpus * ((f[7] * SCALE.capacityMips) / vcpus) * iv,
    });
  }
  const requests: DecodedPass["requests"] = [];
  for (let s = 0; s < R; s++) {
    if (inp.requestMask[row * R + s] !== 1) continue;
    const f = inp.requests.subarray((row * R + s) * DR, (row * R + s + 1) * DR);
    let app = -1;
    for (let a = 0; a < sizes.apps; a++) if (f[a] === 1) app = a;
    const c = sizes.apps;
    const offered = {} as VariantKindFlags;
    KINDS.forEach((k, i) => (offered[k] = f[c + 6 + i * REQUEST_VARIANT_FEATURES.length]));
    requests.push({
      app,
      deadline: f[c] * SCALE.intervals * iv,
      age: f[c + 1] * SCALE.intervals * iv,
      size: f[c + 3],
      decided: f[c + 4],
      current: f[c + 5],
      offered,
    });
  }
  const recentArrivals: number[] = [];
  for (let k = 3; k >= 0; k--) recentArrivals.push(Math.expm1(g[7 + k]));
  return {
    hosts,
    requests,
    phase: g[1],
    intervalS: iv,
    recentArrivals,
    forecast: g[11] === 1 ? [0, 1, 2].map((k) => Math.expm1(g[12 + k])) : null,
  };
}
