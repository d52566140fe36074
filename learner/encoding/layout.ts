/**
 * The learner's input layout: an Observation as sets of tokens, padded to fixed maximum sizes.
 *
 * - one token per host (HOST_FEATURES), up to `sizes.hosts`, with a mask; hosts carry no index
 *   or position, so the encoder is invariant to their order and a model runs on any fleet up to
 *   its maximum;
 * - one token per pending request (REQUEST_FEATURES), up to `sizes.requests` at a time (longer
 *   queues are decided in chunks of that many, in arrival order), with a mask;
 * - one global token (GLOBAL_FEATURES);
 * - in deployment passes, host tokens show the state this decision's provisioning leaves and the
 *   fragments placed so far (see decode/walk.ts for the order of passes);
 * - the fragment being placed (FRAGMENT_FEATURES), once per variant kind, so the host head can
 *   score hosts for each variant the request could take.
 *
 * Scales are fixed constants (not fitted to a data set), so one model reads every fleet on the
 * same scale. Only what a deployed policy can observe is used; the boot time a host has left is
 * estimated from when it was seen to start booting (boot.ts), and the work a host still holds is
 * the policy's own account of the work it placed (simulator/policies/work-tracker.ts).
 */
import { VARIANT_KINDS } from "../../simulator/catalogue/applications.ts";

export const FEATURE_LAYOUT = "cotwin-learner-features/5";
/** the layout of pass-decoded models (the MLP baseline, and attention models made before layout 5) */
export const PASS_LAYOUT = "cotwin-learner-features/4";
/**
 * Layouts a model file may have been made for. Layout 3 is layout 4 without the prior: its forecast
 * slots are 0 unless the scenario names a forecaster; a layout-3 model is served its own layout.
 * Layout 5 is layout 4 decoded by chunk (decode/walk.ts): one encoder run per chunk of requests,
 * with the placements made since that run given to a light step (STEP_HOST_FEATURES,
 * PROGRESS_FEATURES; request tokens have "current" and "decided" 0, "phase" is 1 after the
 * first chunk).
 */
export const FEATURE_LAYOUTS = ["cotwin-learner-features/3", PASS_LAYOUT, FEATURE_LAYOUT] as const;
/** whether a model made for `layout` reads the workload model's expected arrivals (the prior) */
export function layoutReadsPrior(layout: string): boolean {
  return layout === PASS_LAYOUT || layout === FEATURE_LAYOUT;
}
/** whether a model made for `layout` is decoded by chunk (one encoder run per chunk of requests) */
export function layoutIsChunked(layout: string): boolean {
  return layout === FEATURE_LAYOUT;
}
/** intervals of expected arrivals the global token carries */
export const FORECAST_STEPS = 3;

/** The fixed maximum sizes a model is built for. */
export interface ModelSizes {
  /** host tokens */
  hosts: number;
  /** request tokens decided per chunk */
  requests: number;
  /** application one-hot width */
  apps: number;
  /** fragments per variant at most */
  fragments: number;
}

export const DEFAULT_SIZES: ModelSizes = { hosts: 32, requests: 16, apps: 8, fragments: 4 };

/** Variant kinds, in the order of the variant head's outputs 1..V (output 0 is "wait"). */
export const KINDS = VARIANT_KINDS;
export const V = KINDS.length;

/** Provisioning actions of a host. */
export const PROVISION_KEEP = 0;
export const PROVISION_START = 1;
export const PROVISION_STOP = 2;
export const PROVISION_ACTIONS = ["keep", "start", "stop"] as const;

/**
 * A provisioning pass chooses one of 1 + 2H options: 0 = done (no more changes), 1 + 2h = start
 * host h, 2 + 2h = stop host h. The model's outputs are `done` [1] and `provision` [H, 2].
 */
export function provisionChoice(host: number, action: typeof PROVISION_START | typeof PROVISION_STOP): number {
  return 1 + 2 * host + (action - 1);
}
export function provisionOptions(hosts: number): number {
  return 1 + 2 * hosts;
}

// Fixed scales (see the feature descriptions).
export const SCALE = {
  vcpus: 8,
  capacityMips: 16_000,
  ramMB: 32_768,
  fragmentRamMB: 8_192,
  creditsPerVcpu: 288,
  pricePerHour: 0.5,
  watts: 200,
  bootIntervals: 20,
  intervals: 10,
  workIntervals: 10,
  intervalS: 300,
  latencyS: 0.01,
  bandwidthMBps: 1_000,
} as const;

/** name and meaning of each host feature, in order */
export const HOST_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["off", "state is off (after this decision's provisioning actions so far)"],
  ["booting", "state is booting"],
  ["on", "state is on"],
  ["draining", "state is draining (stopped, finishing its fragments)"],
  ["failed", "state is failed (under repair)"],
  ["utilisation", "CPU utilisation, 0..1, with the fragments placed so far in this decision that start at once"],
  ["vcpus", "vCPUs / 8"],
  ["capacity", "vCPUs x MIPS per vCPU / 16,000"],
  ["ram", "RAM / 32 GiB"],
  ["ramFree", "free RAM / RAM, after the fragments placed so far in this decision"],
  ["ramFreeAbs", "free RAM / 32 GiB, likewise"],
  ["load", "fragments placed per vCPU, those placed so far in this decision included"],
  ["running", "fragments executing per vCPU, likewise"],
  ["hasCredits", "1 for a B-series size (CPU credits observed)"],
  ["credits", "banked CPU credits / (vCPUs x 288)"],
  ["throttled", "1 while held at its base rate for lack of credits"],
  ["price", "price per hour / 0.5 USD"],
  ["idlePower", "idle power / 200 W"],
  ["powerSlope", "(full-load power - idle power) / 200 W"],
  ["bootLeft", "estimated boot time left / boot time (0 unless booting)"],
  ["bootLength", "boot time / interval / 20"],
  ["changed", "1 if this decision has started or stopped it (in provisioning passes after the first)"],
  ["baseUtilisation", "the utilisation a B-series host is held at without credits (1 for other sizes)"],
  ["work", "work the host holds by the policy's own account, this decision's fragments included / (vCPUs x MIPS x interval) / 10"],
];

/** Per-variant-kind request features, repeated for each kind in KINDS order. */
export const REQUEST_VARIANT_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["offered", "1 if the scenario offers this variant for the request's application"],
  ["work", "total MI x request size / (mean MIPS per vCPU of the fleet x interval) / 10"],
  ["fragments", "fragment count / maximum fragments"],
  ["ram", "largest fragment RAM / 8 GiB"],
  ["accuracy", "the variant's accuracy, 0..1"],
  ["parallel", "1 if the fragments run in parallel (semantic split), 0 for a chain"],
];

export function requestFeatureNames(sizes: ModelSizes): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (let a = 0; a < sizes.apps; a++) out.push([`app${a}`, `application ${a} (one-hot)`]);
  out.push(
    ["deadline", "deadline / interval / 10"],
    ["age", "time waited so far / interval / 10"],
    ["slack", "(deadline - time waited) / interval / 10"],
    ["size", "work multiplier (1 = nominal)"],
    ["decided", "1 if decided earlier in this decision (deployed, or left to wait)"],
    ["current", "1 for the request being decided in this pass"],
  );
  for (const k of KINDS) for (const [n, d] of REQUEST_VARIANT_FEATURES) out.push([`${k}.${n}`, d]);
  return out;
}

export const GLOBAL_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["interval", "interval length / 300 s"],
  ["phase", "0 in provisioning passes, 1 in deployment passes"],
  ["pending", "all pending requests / request tokens"],
  ["before", "pending requests in earlier chunks / request tokens"],
  ["running", "requests running / vCPUs of the fleet"],
  ["hostsOn", "fraction of hosts on"],
  ["hostsBooting", "fraction of hosts booting"],
  ["arrivals1", "log(1 + arrivals) in the last interval"],
  ["arrivals2", "the interval before"],
  ["arrivals3", "..."],
  ["arrivals4", "..."],
  ["hasForecast", "1 if the next slots hold expected arrivals: the scenario's forecaster's, else its workload model's (the prior, layout 4; none for a trace)"],
  ["forecast1", "log(1 + expected arrivals) in the next interval"],
  ["forecast2", "the one after"],
  ["forecast3", "..."],
  ["latency", "network latency / 10 ms"],
  ["bandwidth", "network bandwidth / 1,000 MB/s"],
];

/** Features of the fragment being placed, given once per variant kind. */
export const FRAGMENT_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["exists", "1 if this variant is offered and has a fragment with this index"],
  ["ram", "its RAM / 8 GiB"],
  ["work", "its MI x request size / (mean MIPS per vCPU x interval) / 10"],
  ["index", "fragment index / maximum fragments"],
  ["count", "fragments of the variant / maximum fragments"],
  ["parallel", "1 for parallel fragments"],
];

/**
 * Per host, what this decision placed on it since the chunk's encoder run (layout 5): the
 * step's correction of the host token, so a placement sees the load the earlier ones added. The
 * first six are the changes of host features (STEP_HOST_FEATURE_OF), in their units.
 */
export const STEP_HOST_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["utilisation", "change of the host feature utilisation (fragments placed that start at once)"],
  ["ramFree", "change of ramFree (free RAM / RAM; negative: RAM taken)"],
  ["ramFreeAbs", "change of ramFreeAbs (free RAM / 32 GiB)"],
  ["load", "change of load (fragments placed per vCPU)"],
  ["running", "change of running (fragments executing per vCPU)"],
  ["work", "change of work (work held / (vCPUs x MIPS x interval) / 10)"],
  ["sameRequest", "earlier fragments of the request being placed on this host / maximum fragments"],
];
/** the host feature (index in HOST_FEATURES) each step host feature is the change of, -1 for none */
export const STEP_HOST_FEATURE_OF: readonly number[] = [5, 9, 10, 11, 12, 23, -1];

/** How far the chunk's decoding has gone since its encoder run (layout 5; read by the variant step). */
export const PROGRESS_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["decided", "requests decided since the encoder run / request tokens"],
  ["fragments", "fragments placed since the encoder run / vCPUs of the fleet"],
  ["work", "work placed since the encoder run / (vCPUs of the fleet x mean MIPS per vCPU x interval) / 10"],
];

export const DH = HOST_FEATURES.length;
export const DD = STEP_HOST_FEATURES.length;
export const DP = PROGRESS_FEATURES.length;
export const DG = GLOBAL_FEATURES.length;
export const DF = FRAGMENT_FEATURES.length;
export function requestDim(sizes: ModelSizes): number {
  return sizes.apps + 6 + V * REQUEST_VARIANT_FEATURES.length;
}

/** Row lengths of each input of one pass. */
export interface InputDims {
  hosts: number;
  hostMask: number;
  requests: number;
  requestMask: number;
  global: number;
  slot: number;
  fragment: number;
  /** [H, DD] (layout 5) */
  delta: number;
  /** [DP] (layout 5) */
  progress: number;
}

export function inputDims(sizes: ModelSizes): InputDims {
  return {
    hosts: sizes.hosts * DH,
    hostMask: sizes.hosts,
    requests: sizes.requests * requestDim(sizes),
    requestMask: sizes.requests,
    global: DG,
    slot: sizes.requests,
    fragment: V * DF,
    delta: sizes.hosts * DD,
    progress: DP,
  };
}

/** The inputs of a pass-decoded model's graph (layouts 3 and 4). */
export const INPUT_NAMES = ["hosts", "hostMask", "requests", "requestMask", "global", "slot", "fragment"] as const;
/** The inputs of a chunk-decoded model's graph (layout 5): the encoder's; the step reads the rest. */
export const ENCODER_INPUT_NAMES = ["hosts", "hostMask", "requests", "requestMask", "global"] as const;
/** Every input of a training row (the TensorFlow.js forward pass reads them all). */
export const ROW_INPUT_NAMES = [...INPUT_NAMES, "delta", "progress"] as const;
export type InputName = (typeof ROW_INPUT_NAMES)[number];
/** Output names: provisioning scores done [1] and start / stop per host [H, 2], variant scores [R, V + 1] (0 = wait), host scores per variant kind [V, H]. */
export const OUTPUT_NAMES = ["done", "provision", "variant", "place"] as const;
/**
 * Output names of a chunk-decoded graph: done, provision, variant [R, V + 1] before the progress
 * term, and the host pointer's two halves, placeQuery [R, m] per request token and placeKey [H, m]
 * per host token (decode/step.ts adds the fragment, the placements since the run and scores).
 */
export const CHUNK_OUTPUT_NAMES = ["done", "provision", "variant", "placeQuery", "placeKey"] as const;
