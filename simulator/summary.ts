/**
 * The summary of a simulation run: what `cotwin simulate --json` prints and what summary.json in a
 * run directory holds. Shared by the tenant-view twin, the provider view and the reports.
 */
export interface RequestCounts {
  arrived: number;
  completed: number;
  /** completed requests whose response time exceeded their deadline */
  violated: number;
  rejected: number;
  failed: number;
  /** pending (not yet placed) plus running */
  inFlight: number;
}

export interface RunSummary {
  scenario: string;
  policy: string;
  seed: number;
  version: string;
  simulatedS: number;
  intervals: number;
  energyKWh: number;
  costUSD: number;
  meanResponseS: number;
  p95ResponseS: number;
  slaViolationRate: number;
  meanAccuracy: number;
  objective: number;
  requests: RequestCounts;
  /** decisions (or parts of them) the twin could not carry out, by reason */
  decisionRejections: Record<string, number>;
  events: number;
  decisionMs: { p50: number; p99: number };
  wallMs: number;
}

/** One row per scheduling interval (per-interval CSV and report charts). */
export interface IntervalRow {
  interval: number;
  startS: number;
  endS: number;
  energyKWh: number;
  costUSD: number;
  arrived: number;
  completed: number;
  violated: number;
  rejected: number;
  failed: number;
  pending: number;
  running: number;
  meanResponseS: number;
  meanAccuracy: number;
  hostsOn: number;
  meanUtilisation: number;
  decisionMs: number;
}

/** One row per request that ended (completed, rejected or failed) or was still in flight at the end. */
export interface RequestRow {
  id: number;
  app: string;
  variant: string;
  arrivalS: number;
  deadlineS: number;
  startS: number;
  endS: number;
  responseS: number;
  status: "completed" | "rejected" | "failed" | "inFlight";
  violated: boolean;
  accuracy: number;
  hosts: string;
}

/** One row per host with its totals over the run. */
export interface HostRow {
  host: number;
  name: string;
  size: string;
  energyKWh: number;
  costUSD: number;
  billedS: number;
  busyS: number;
  meanUtilisation: number;
  fragmentsCompleted: number;
  boots: number;
  failures: number;
}

export interface RunRecord {
  /** the resolved scenario config as run */
  config: unknown;
  summary: RunSummary;
  intervals: IntervalRow[];
  requests: RequestRow[];
  hosts: HostRow[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  // nearest-rank percentile
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}
