/**
 * The tables of a matrix as rows (for CSV files and the report): one table per metric (mean and
 * interval per scenario and policy, the paired difference and relative change against the
 * reference), the SciNet table, the breakdowns, and the raw per-run summaries. Every row carries
 * its provenance: the scenario's config hash, the seeds and the version.
 */
import type { Analysis } from "../matrix/analyse.ts";
import { METRICS, SCINET_TERMS, valueAt, type Metric } from "../matrix/metrics.ts";
import type { RunResult } from "../matrix/execute.ts";

export interface MetricRow {
  scenario: string;
  policy: string;
  n: number;
  mean: number;
  ci95: number;
  sd: number;
  reference: string;
  diff: number;
  diffCi95: number;
  relChange: number;
  relChangeCi95: number;
  relNote: string;
  unit: string;
  lowerIsBetter: boolean;
  seeds: string;
  configHash: string;
  version: string;
}

export const METRIC_COLUMNS = ["scenario", "policy", "n", "mean", "ci95", "sd", "reference", "diff", "diffCi95", "relChange", "relChangeCi95", "relNote", "unit", "lowerIsBetter", "seeds", "configHash", "version"] as const satisfies readonly (keyof MetricRow)[];

/** Seeds as compact ranges: 1..10,12 */
export function seedList(seeds: readonly number[]): string {
  const s = [...seeds].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}..${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return parts.join(",");
}

export function metricRows(a: Analysis, m: Metric): MetricRow[] {
  const hash = new Map(a.scenarios.map((s) => [s.name, s.configHash]));
  return a.cells
    .filter((c) => c.metric === m.key)
    .map((c) => {
      const v = a.versus.find((x) => x.metric === m.key && x.scenario === c.scenario && x.policy === c.policy);
      const isRef = c.policy === a.reference;
      return {
        scenario: c.scenario,
        policy: c.policy,
        n: c.n,
        mean: c.mean,
        ci95: c.ci95,
        sd: c.sd,
        reference: a.reference,
        diff: isRef ? 0 : (v?.difference.value ?? NaN),
        diffCi95: isRef ? NaN : (v?.difference.ci95 ?? NaN),
        relChange: v?.relative?.value ?? NaN,
        relChangeCi95: v?.relative?.ci95 ?? NaN,
        relNote: isRef ? "reference" : (v?.relativeNote ?? ""),
        unit: m.unit,
        lowerIsBetter: m.lowerIsBetter,
        seeds: seedList(c.seeds),
        configHash: hash.get(c.scenario) ?? "",
        version: a.version,
      };
    });
}

export type ScinetCsvRow = Record<string, string | number>;

export function scinetRows(a: Analysis): ScinetCsvRow[] {
  const hash = new Map(a.scenarios.map((s) => [s.name, s.configHash]));
  return a.scinet.map((r) => {
    const row: ScinetCsvRow = { scenario: r.scenario, policy: r.policy, baseline: r.baseline };
    for (const c of r.cells) {
      const k = c.term.replace(/\s+/g, "_");
      row[`${k}_pct`] = c.percent?.value ?? NaN;
      row[`${k}_pct_ci95`] = c.percent?.ci95 ?? NaN;
      row[`${k}_note`] = c.note ?? "";
    }
    row.seeds = seedList(a.seeds);
    row.configHash = hash.get(r.scenario) ?? "";
    row.version = a.version;
    return row;
  });
}

export function scinetColumns(): string[] {
  const cols = ["scenario", "policy", "baseline"];
  for (const t of SCINET_TERMS) {
    const k = t.term.replace(/\s+/g, "_");
    cols.push(`${k}_pct`, `${k}_pct_ci95`, `${k}_note`);
  }
  return [...cols, "seeds", "configHash", "version"];
}

export interface BreakdownCsvRow {
  breakdown: string;
  scenario: string;
  policy: string;
  size: string;
  n: number;
  mean: number;
  ci95: number;
}

export const BREAKDOWN_COLUMNS = ["breakdown", "scenario", "policy", "size", "n", "mean", "ci95"] as const satisfies readonly (keyof BreakdownCsvRow)[];

/** One row per run: identity, provenance and every metric's value (the raw summaries are in runs/<key>.json). */
export function runRows(results: readonly RunResult[], metrics: readonly Metric[] = METRICS): { rows: Array<Record<string, string | number>>; columns: string[] } {
  const columns = ["key", "scenario", "policy", "seed", "configHash", "version", ...metrics.map((m) => m.key), "wallMs"];
  const rows = results.map((r) => {
    const row: Record<string, string | number> = { key: r.key, scenario: r.scenario, policy: r.policy, seed: r.seed, configHash: r.configHash, version: r.version };
    for (const m of metrics) row[m.key] = valueAt(r.summary, m.path);
    row.wallMs = valueAt(r.summary, "wallMs");
    return row;
  });
  return { rows, columns };
}
