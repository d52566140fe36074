/**
 * The contract between the twin and whatever decides (baselines, the oracle, the learner, the
 * online loop): an Observation in, a Decision out, once per scheduling interval (or once per
 * arrival when the scenario dispatches on arrival). Host data is given as parallel arrays indexed
 * by host number: the arrays that change (state, utilisation, RAM free, ...) are copies, safe to
 * keep; the fixed ones (size, vCPUs, MIPS, RAM, price, power) are the model's own: read them only.
 */
import type { AppSpec, VariantKind } from "./catalogue/applications.ts";

export const HOST_OFF = 0;
export const HOST_BOOTING = 1;
export const HOST_ON = 2;
export const HOST_DRAINING = 3;
export const HOST_FAILED = 4;
export const HOST_STATE_NAMES = ["off", "booting", "on", "draining", "failed"] as const;
export type HostStateName = (typeof HOST_STATE_NAMES)[number];

export interface HostsObservation {
  count: number;
  /** HOST_OFF ... HOST_FAILED */
  state: Int8Array;
  /** index into `Observation.sizes` */
  size: Int32Array;
  vcpus: Int32Array;
  mipsPerVcpu: Float64Array;
  ramMB: Float64Array;
  ramFreeMB: Float64Array;
  /** fragments executing now */
  running: Int32Array;
  /** fragments placed (executing or waiting for their input) */
  placed: Int32Array;
  /** CPU utilisation in [0, 1] now */
  utilisation: Float64Array;
  /** B-series CPU credits banked now (NaN for sizes without credits) */
  credits: Float64Array;
  /** 1 while a B-series host is held at its base rate for lack of credits */
  throttled: Uint8Array;
  /** the utilisation a B-series host is held at without credits (1 for sizes without credits) */
  baseUtilisation: Float64Array;
  pricePerHour: Float64Array;
  idleW: Float64Array;
  maxW: Float64Array;
  bootS: Float64Array;
}

export interface PendingRequest {
  /** request id, unique within a run */
  id: number;
  /** application index into `Observation.apps` */
  app: number;
  /** arrival time, s */
  arrival: number;
  /** deadline, s after arrival */
  deadline: number;
  /** work multiplier (1 = nominal) */
  size: number;
}

export interface Observation {
  /** simulated time, s */
  time: number;
  /** index of the interval that starts now */
  interval: number;
  intervalS: number;
  hosts: HostsObservation;
  /** requests waiting for a deployment, in arrival order */
  pending: PendingRequest[];
  /** requests placed and not finished */
  runningRequests: number;
  apps: readonly AppSpec[];
  /** names of the host sizes referred to by `hosts.size` */
  sizes: readonly string[];
  /** variants this scenario allows */
  variants: readonly VariantKind[];
  /** arrivals per interval over the last intervals, oldest first */
  recentArrivals: Float64Array;
  /** forecast arrivals per interval for the next intervals, when the scenario names a forecaster */
  forecast: Float64Array | null;
  network: { latencyS: number; bandwidthMBps: number };
}

export interface ProvisionAction {
  host: number;
  action: "start" | "stop";
}

export interface Deployment {
  request: number;
  variant: VariantKind;
  /** host per fragment of the variant, in fragment order */
  hosts: number[];
}

export interface Decision {
  provision?: ProvisionAction[];
  deploy?: Deployment[];
  /** requests to turn away (admission control) */
  reject?: number[];
}

export interface Policy {
  readonly name: string;
  decide(obs: Observation): Decision;
  /** an independent copy with the same internal state (for look-ahead in forks) */
  clone(): Policy;
}

/** A part of a decision the twin could not carry out, and why. */
export interface DecisionRejection {
  time: number;
  kind: "provision" | "deploy" | "reject";
  target: string;
  /** a stable category, used for counts */
  category: string;
  reason: string;
}
