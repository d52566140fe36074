/**
 * The summary of a simulation run: what `cotwin simulate --json` prints and what summary.json in a
 * run directory holds. Shared by the tenant-view twin, the provider view and the reports.
 */
/** What became of the requests: arrived = completed + rejected + failed + unfinished. */
export interface RequestCounts {
  arrived: number;
  completed: number;
  /** completed requests whose response time exceeded their deadline */
  late: number;
  /** turned away by the policy, or pending for longer than the scenario allows */
  rejected: number;
  /** lost to a host failure */
  failed: number;
  /** still pending or running when the run (and its drain) ended */
  unfinished: number;
}

export interface RunSummary {
  scenario: string;
  policy: string;
  seed: number;
  version: string;
  /** simulated time, the drain included */
  simulatedS: number;
  /** scheduling intervals with arrivals */
  intervals: number;
  /** intervals run after the arrivals stopped, until every request ended (or the drain limit) */
  drainIntervals: number;
  /** the objective as the scenario names it (a name or an expression) */
  objectiveName: string;
  /** its value, lower is better */
  objective: number;
  /** money per request: (cost + energy + penalties) / requests (the default objective) */
  usdPerRequest: number;
  costUSD: number;
  energyKWh: number;
  energyUSD: number;
  /** violations x the scenario's price of a violation */
  penaltyUSD: number;
  /** accuracy points below each application's best variant x their price */
  accuracyLossUSD: number;
  /** mean response time of completed requests, s */
  meanResponseS: number;
  p95ResponseS: number;
  /** (late + rejected + failed + unfinished) / arrived */
  violationRate: number;
  /** late / completed */
  lateRate: number;
  /** mean accuracy of completed requests */
  meanAccuracy: number;
  requests: RequestCounts;
  /** decisions (or parts of them) the twin could not carry out, by reason */
  decisionRejections: Record<string, number>;
  events: number;
  /** what a policy reports about how it decided (e.g. the oracle's look-ahead: sampled or clairvoyant) */
  policyInfo?: Record<string, unknown>;
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
  /** completions over their deadline */
  late: number;
  rejected: number;
  failed: number;
  pending: number;
  running: number;
  /** 1 for intervals after the arrivals stopped (the run's drain) */
  drain: number;
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
  status: "completed" | "rejected" | "failed" | "unfinished";
  /** completed over its deadline */
  late: boolean;
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
