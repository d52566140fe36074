/**
 * The one list of what a benchmark matrix reports. Every table, chart and CSV of `cotwin bench`
 * is driven from these lists: adding a metric is one line here, naming the RunSummary field by
 * its path (a field the summary lacks reads as NaN, and a metric with no value anywhere is left
 * out of the report).
 */

export interface Metric {
  /** stable identifier: CSV file name, column prefix, chart name */
  key: string;
  /** field path in RunSummary, dots between levels ("requests.rejected") */
  path: string;
  label: string;
  /** column header in terminal tables, with the unit */
  short: string;
  /** unit as printed ("" for a plain number) */
  unit: string;
  lowerIsBetter: boolean;
  /**
   * true: the quantity is non-negative by definition, so a relative change (percent) means
   * something; false: signed or with an arbitrary zero, only absolute differences are reported;
   * "expression": the scenario's objective, non-negative only when its expression is (checked
   * per scenario in src/matrix/objective-sign.ts)
   */
  nonNegative: boolean | "expression";
  /** a measured time (wall clock), not a simulated quantity: differs between repeated runs */
  measured?: boolean;
  /** shown in the short tables (terminal, the report's overview) */
  headline?: boolean;
}

export const METRICS: readonly Metric[] = [
  { key: "objective", path: "objective", label: "objective", short: "objective", unit: "", lowerIsBetter: true, nonNegative: "expression", headline: true },
  { key: "usd-per-request", path: "usdPerRequest", label: "money per request", short: "USD/req", unit: "USD", lowerIsBetter: true, nonNegative: true },
  { key: "cost", path: "costUSD", label: "execution cost", short: "cost USD", unit: "USD", lowerIsBetter: true, nonNegative: true, headline: true },
  { key: "energy", path: "energyKWh", label: "energy", short: "energy kWh", unit: "kWh", lowerIsBetter: true, nonNegative: true, headline: true },
  { key: "energy-usd", path: "energyUSD", label: "energy cost", short: "energy USD", unit: "USD", lowerIsBetter: true, nonNegative: true },
  { key: "penalty-usd", path: "penaltyUSD", label: "violation penalties", short: "penalty USD", unit: "USD", lowerIsBetter: true, nonNegative: true },
  { key: "accuracy-loss-usd", path: "accuracyLossUSD", label: "accuracy loss", short: "acc loss USD", unit: "USD", lowerIsBetter: true, nonNegative: true },
  { key: "response", path: "meanResponseS", label: "mean response time", short: "resp s", unit: "s", lowerIsBetter: true, nonNegative: true, headline: true },
  { key: "response-p95", path: "p95ResponseS", label: "p95 response time", short: "p95 s", unit: "s", lowerIsBetter: true, nonNegative: true },
  { key: "violations", path: "violationRate", label: "violation rate (late, rejected, failed, unfinished)", short: "viol", unit: "share", lowerIsBetter: true, nonNegative: true, headline: true },
  { key: "late", path: "lateRate", label: "late share of completed", short: "late", unit: "share", lowerIsBetter: true, nonNegative: true },
  { key: "accuracy", path: "meanAccuracy", label: "inference accuracy", short: "accuracy", unit: "share", lowerIsBetter: false, nonNegative: true, headline: true },
  { key: "completed", path: "requests.completed", label: "requests completed", short: "completed", unit: "requests", lowerIsBetter: false, nonNegative: true },
  { key: "rejected", path: "requests.rejected", label: "requests rejected", short: "rejected", unit: "requests", lowerIsBetter: true, nonNegative: true },
  { key: "failed", path: "requests.failed", label: "requests failed", short: "failed", unit: "requests", lowerIsBetter: true, nonNegative: true },
  { key: "unfinished", path: "requests.unfinished", label: "requests unfinished", short: "unfinished", unit: "requests", lowerIsBetter: true, nonNegative: true },
  { key: "drain", path: "drainIntervals", label: "drain after the arrivals", short: "drain", unit: "intervals", lowerIsBetter: true, nonNegative: true },
  { key: "decision-p99", path: "decisionMs.p99", label: "decision time p99", short: "p99 ms", unit: "ms", lowerIsBetter: true, nonNegative: true, measured: true },
];

/** SciNet's four headline quantities, the metric each maps to, and its published best claim. */
export interface ScinetTerm {
  term: string;
  metric: string;
  /** SciNet phrases every claim as an improvement: "lower" cost, "higher" accuracy */
  direction: "lower" | "higher";
  /** published claim, percent ("up to") */
  claimPercent: number;
}

export const SCINET_TERMS: readonly ScinetTerm[] = [
  { term: "execution cost", metric: "cost", direction: "lower", claimPercent: 48 },
  { term: "inference accuracy", metric: "accuracy", direction: "higher", claimPercent: 79 },
  { term: "energy", metric: "energy", direction: "lower", claimPercent: 71 },
  { term: "response time", metric: "response", direction: "lower", claimPercent: 56 },
];

/** Per-interval quantities drawn as time series (IntervalRow fields; all non-negative, so bands are clipped at 0). */
export interface IntervalSeries {
  field: string;
  label: string;
  unit: string;
}

export const INTERVAL_SERIES: readonly IntervalSeries[] = [
  { field: "energyKWh", label: "energy per interval", unit: "kWh" },
  { field: "costUSD", label: "cost per interval", unit: "USD" },
  { field: "meanResponseS", label: "mean response time", unit: "s" },
  { field: "pending", label: "requests pending", unit: "requests" },
  { field: "hostsOn", label: "hosts on", unit: "hosts" },
  { field: "meanUtilisation", label: "mean utilisation", unit: "share" },
];

/** Totals broken down by host size (HostRow fields summed over the hosts of each size). */
export interface Breakdown {
  key: string;
  field: string;
  label: string;
  unit: string;
}

export const BREAKDOWNS: readonly Breakdown[] = [
  { key: "energy", field: "energyKWh", label: "energy by host size", unit: "kWh" },
  { key: "cost", field: "costUSD", label: "cost by host size", unit: "USD" },
];

/** The value at a dotted field path; anything missing or not a number reads as NaN. */
export function valueAt(record: unknown, path: string): number {
  let v: unknown = record;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return NaN;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === "number" ? v : NaN;
}

export function metricByKey(key: string, metrics: readonly Metric[] = METRICS): Metric {
  const m = metrics.find((x) => x.key === key);
  if (!m) throw new Error(`no metric "${key}" (metrics: ${metrics.map((x) => x.key).join(", ")})`);
  return m;
}

/** The metric's label with its unit, for table headers and chart axes. */
export function metricTitle(m: Pick<Metric, "label" | "unit">): string {
  return m.unit ? `${m.label} (${m.unit})` : m.label;
}
