/**
 * The one interface every target speaks (Azure, the local testbed, a dry run): `observe()` what
 * is really there and what was measured since the last look, `apply()` a plan of provisioning
 * actions and deployments. The loop (loop.ts) never knows which target it drives.
 *
 * Provisioning is asynchronous: `apply` starts an action and returns; its outcome (applied,
 * failed, after how many retries, on which size) arrives with a later observation. Deployments
 * are real requests sent to the hosts' workers; each one's timing comes back when it ends.
 */
import type { VariantKind } from "../simulator/catalogue/applications.ts";

/** What a host slot really is now (the twin's host states, seen from outside). */
export type HostPhase = "off" | "booting" | "on" | "draining" | "failed";

export interface ObservedHost {
  host: number;
  phase: HostPhase;
  /** the size that runs (a fallback may differ from the scenario's) */
  size: string;
  pricePerHour: number;
  vcpus: number;
  /** CPU-seconds the host's worker used since the last observation (0 when it does not run) */
  cpuS: number;
  /** seconds billed (allocated) since the last observation */
  billedS: number;
  /** a provisioning action is still in progress on this host */
  busy: boolean;
}

/** One fragment of a request as it ran on a worker. */
export interface FragmentTiming {
  /** fragment index within the variant */
  index: number;
  host: number;
  /** MI the twin charged (fragment MI x request size) */
  mi: number;
  /** on the worker, not running (sharing the vCPUs with other fragments) */
  waitS: number;
  /** running the model */
  computeS: number;
  /** from the controller's send to its receipt of the answer (includes transfer, queue and compute) */
  roundTripS: number;
  /** bytes sent to the worker (the predecessor's output) and received back */
  bytesIn: number;
  bytesOut: number;
}

/** A request the target finished (or failed), on the loop's time axis (s since the run's start). */
export interface MeasuredRequest {
  id: number;
  app: number;
  variant: VariantKind;
  /** work multiplier of the request */
  size: number;
  arrivalS: number;
  dispatchS: number;
  endS: number;
  status: "completed" | "failed";
  error?: string;
  fragments: FragmentTiming[];
}

export interface TargetError {
  /** the provider's error code (e.g. SkuNotAvailable), or a local one */
  code: string;
  message: string;
  /** what to do about it */
  hint?: string;
}

/** The end of one provisioning action. */
export interface ActionOutcome {
  host: number;
  action: "start" | "stop";
  outcome: "applied" | "failed";
  /** retried calls it took (throttling, transient errors, failed long-running operations) */
  retries: number;
  /** size it ended on, when a fallback replaced the scenario's */
  size?: string;
  /** s from the request to the outcome (a start: until the host's worker answered) */
  tookS?: number;
  error?: TargetError;
}

/** Something an operator should know: a fallback size, an adopted or collected resource, a refusal. */
export interface TargetEvent {
  kind: "fallback" | "adopted" | "collected" | "refused" | "recovered" | "error" | "info";
  host?: number;
  message: string;
}

export interface TargetObservation {
  hosts: ObservedHost[];
  /** requests that ended since the last observation */
  requests: MeasuredRequest[];
  /** provisioning actions that ended since the last observation */
  actions: ActionOutcome[];
  events: TargetEvent[];
}

/** A request sent to the workers: variant and host per fragment, as the twin placed it. */
export interface DispatchRequest {
  id: number;
  app: number;
  variant: VariantKind;
  hosts: number[];
  size: number;
  arrivalS: number;
}

export interface TargetPlan {
  provision: Array<{ host: number; action: "start" | "stop" }>;
  deploy: DispatchRequest[];
}

/** A host still allocated, with what it costs. */
export interface RunningHost {
  host: number;
  name: string;
  size: string;
  phase: HostPhase;
  pricePerHour: number;
}

export interface Target {
  readonly kind: "azure" | "local" | "dry-run";
  /**
   * Gets ready: reconciles what a previous session left (journal, garbage collection) and brings
   * the hosts the scenario starts with up (waits for them). Nothing is started beyond `initialOn`.
   */
  open(initialOn: number[]): Promise<void>;
  observe(): Promise<TargetObservation>;
  apply(plan: TargetPlan): Promise<void>;
  /** what is still allocated and its cost */
  running(): Promise<RunningHost[]>;
  /** waits (up to `timeoutMs`) for dispatched requests to end */
  drain(timeoutMs: number): Promise<void>;
  /** releases local resources (processes, sockets); `stopHosts` also stops what it started */
  close(o: { stopHosts: boolean }): Promise<void>;
}
