/**
 * Upper bounds on the size of a run, checked before anything is built, so an outsized input is
 * refused with an estimate instead of filling memory until V8 aborts. The figures are documented
 * in the README ("Limits and errors"); a run inside them fits the default Node heap (about 4 GB on
 * a 64-bit machine): a tenant run keeps about 700 bytes per request (measured: 10^6 requests,
 * 718 MB resident), the provider view about 250 bytes per host, VM or cloudlet.
 */
import { InputError } from "./errors.ts";

export const LIMITS = {
  /** scheduling intervals of one tenant run or oracle data set (the scenario's `intervals` or --intervals) */
  intervals: 1_000_000,
  /** hosts of a tenant scenario (all groups' `count` together) */
  hosts: 100_000,
  /** requests one tenant run is expected to receive (mean rate x intervals, a trace's rows or tasks) */
  requests: 2_000_000,
  /** worker threads of one process (--workers) */
  workers: 64,
  /** hosts + VMs + cloudlets of one provider-view run */
  providerEntities: 16_000_000,
  /** per-interval output buckets of a provider-view run */
  providerIntervals: 1_000_000,
} as const;

export const BYTES_PER_REQUEST = 700;
export const BYTES_PER_PROVIDER_ENTITY = 250;

/** A run or a flag above one of the LIMITS. */
export class SizeLimitError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "SizeLimitError";
  }
}

/** 1234567 -> "1,234,567" (the same on every machine, unlike toLocaleString). */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes as "1.4 GB" / "700 MB". */
export function approxBytes(bytes: number): string {
  if (bytes >= 1e10) return `${grouped(bytes / 1e9)} GB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/** The workload fields the estimate needs (a validated tenant scenario's workload fits). */
export interface WorkloadRates {
  kind: string;
  ratePerInterval?: number;
  amplitude?: number;
  ratesPerInterval?: readonly [number, number] | readonly number[];
  meanDwellS?: readonly [number, number] | readonly number[];
}

/**
 * Mean and peak arrivals per interval of a generated workload; undefined for a trace (its rows
 * are counted when it is read). Bursty: the dwell-weighted mean of the two states' rates.
 */
export function arrivalRates(w: WorkloadRates): { mean: number; peak: number } | undefined {
  if (w.kind === "poisson" && w.ratePerInterval !== undefined) return { mean: w.ratePerInterval, peak: w.ratePerInterval };
  if (w.kind === "diurnal" && w.ratePerInterval !== undefined) return { mean: w.ratePerInterval, peak: w.ratePerInterval * (1 + (w.amplitude ?? 0.5)) };
  if (w.kind === "bursty" && w.ratesPerInterval && w.meanDwellS) {
    const [r0, r1] = w.ratesPerInterval;
    const [d0, d1] = w.meanDwellS;
    return { mean: (r0 * d0 + r1 * d1) / (d0 + d1), peak: Math.max(r0, r1) };
  }
  return undefined;
}

function requestsRefusal(where: string, what: string, requests: number): SizeLimitError {
  return new SizeLimitError(
    `${where}: ${what} makes about ${grouped(requests)} requests (about ${approxBytes(requests * BYTES_PER_REQUEST)} of memory), ` +
      `above the limit of ${grouped(LIMITS.requests)} per run; lower the rate or the intervals, or split the run`,
  );
}

/** Refuses an intervals count above the limit; `what` names it (a key or a flag). */
export function checkIntervals(intervals: number, what: string): void {
  if (intervals > LIMITS.intervals) throw new SizeLimitError(`${what}: ${grouped(intervals)} intervals is above the limit of ${grouped(LIMITS.intervals)} per run`);
}

/** Refuses a worker count above the limit. */
export function checkWorkers(workers: number, what = "--workers"): void {
  if (workers > LIMITS.workers) {
    throw new SizeLimitError(`${what}: ${grouped(workers)} worker threads is above the limit of ${LIMITS.workers} (threads beyond the CPU cores do not run faster, and each holds its own copy of the twin)`);
  }
}

/**
 * Checks a tenant run's size before it is built: intervals, hosts, and the expected number of
 * requests (mean rate x intervals; one interval at the peak rate must fit too). `where` names the
 * scenario, `intervalsWhat` what set the intervals (the key or --intervals).
 */
export function checkTenantSize(
  s: { intervals: number; hosts: ReadonlyArray<{ count: number }>; workload: WorkloadRates },
  where: string,
  intervals: number = s.intervals,
  intervalsWhat = "intervals",
): void {
  checkIntervals(intervals, `${where}: ${intervalsWhat}`);
  const hosts = s.hosts.reduce((n, g) => n + g.count, 0);
  if (hosts > LIMITS.hosts) throw new SizeLimitError(`${where}: hosts: ${grouped(hosts)} hosts is above the limit of ${grouped(LIMITS.hosts)} per scenario`);
  const rates = arrivalRates(s.workload);
  if (!rates) return;
  const rateKey = s.workload.kind === "bursty" ? "workload.ratesPerInterval" : "workload.ratePerInterval";
  if (rates.peak > LIMITS.requests) throw requestsRefusal(where, `${rateKey} (one interval at ${grouped(rates.peak)})`, rates.peak);
  const expected = rates.mean * intervals;
  if (expected > LIMITS.requests) throw requestsRefusal(where, `${rateKey} x ${intervalsWhat} (${grouped(rates.mean)} x ${grouped(intervals)})`, expected);
}

/** Refuses a trace (or its demand tasks) with more requests than the limit. */
export function checkTraceRequests(requests: number, where: string): void {
  if (requests > LIMITS.requests) throw requestsRefusal(where, "workload.source", requests);
}

/** Checks a provider-view run's size: hosts + VMs + cloudlets, and its output intervals. */
export function checkProviderSize(counts: { hosts: number; vms: number; cloudlets: number; intervals: number }, where: string): void {
  const n = counts.hosts + counts.vms + counts.cloudlets;
  if (n > LIMITS.providerEntities) {
    throw new SizeLimitError(
      `${where}: ${grouped(counts.hosts)} hosts + ${grouped(counts.vms)} VMs + ${grouped(counts.cloudlets)} cloudlets = ${grouped(n)} entities (about ` +
        `${approxBytes(n * BYTES_PER_PROVIDER_ENTITY)} of memory), above the limit of ${grouped(LIMITS.providerEntities)} per run`,
    );
  }
  if (counts.intervals > LIMITS.providerIntervals) {
    throw new SizeLimitError(`${where}: intervals: ${grouped(counts.intervals)} output intervals is above the limit of ${grouped(LIMITS.providerIntervals)}`);
  }
}
