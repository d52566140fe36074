/**
 * From the finished runs of a matrix to the numbers its report shows: per metric, scenario and
 * policy the mean with its 95 % interval over seeds; paired differences against the reference
 * policy (the same seeds run under every policy, so seed-to-seed variation in the workload
 * cancels); relative changes only where they mean something; SciNet's four quantities in percent;
 * breakdowns by host size and per-interval series. Every number keeps its provenance (the
 * scenario's config hash, the seeds it is over, the version).
 */
import { isPolicyFile } from "../../simulator/policies/policy-file.ts";
import { estimate, pairedDifference, pairedRelativeChange, type Estimate, type Interval } from "../statistics.ts";
import type { RunResult } from "./execute.ts";
import { BREAKDOWNS, INTERVAL_SERIES, METRICS, SCINET_TERMS, valueAt, type Metric } from "./metrics.ts";
import { objectiveIsNonNegative } from "./objective-sign.ts";

/** What the analysis needs to know about a scenario (a PlannedScenario without its config). */
export interface ScenarioInfo {
  name: string;
  view: string;
  configHash: string;
  objective?: string;
}

export interface AnalysisInput {
  version: string;
  scenarios: ScenarioInfo[];
  policies: string[];
  seeds: number[];
  reference: string;
  /** policies that are baselines (for the SciNet table); default: not a file, not oracle/learner */
  baselines?: string[];
  results: RunResult[];
  metrics?: readonly Metric[];
}

export interface Cell extends Estimate {
  scenario: string;
  policy: string;
  metric: string;
  /** seeds with a finite value, in plan order */
  seeds: number[];
}

export interface Versus {
  scenario: string;
  policy: string;
  reference: string;
  metric: string;
  /** policy minus reference, paired over common seeds */
  difference: Interval;
  /** policy / reference - 1 over the same pairs, where allowed */
  relative?: Interval;
  /** why no relative change is given */
  relativeNote?: string;
}

export interface ScinetCell {
  term: string;
  /** improvement in SciNet's phrasing (lower cost / higher accuracy), percent; negative = worse */
  percent?: Interval;
  note?: string;
}

export interface ScinetRow {
  scenario: string;
  policy: string;
  baseline: string;
  cells: ScinetCell[];
}

export interface BreakdownCell extends Estimate {
  breakdown: string;
  scenario: string;
  policy: string;
  size: string;
}

export interface SeriesPoint {
  series: string;
  scenario: string;
  policy: string;
  interval: number;
  mean: number;
  ci95: number;
  n: number;
}

export interface Analysis {
  version: string;
  reference: string;
  scenarios: Array<ScenarioInfo & { objectiveNonNegative: boolean }>;
  policies: string[];
  baselines: string[];
  seeds: number[];
  /** metrics with at least one value */
  metrics: Metric[];
  cells: Cell[];
  versus: Versus[];
  scinet: ScinetRow[];
  breakdowns: BreakdownCell[];
  series: SeriesPoint[];
  runs: Array<Pick<RunResult, "key" | "scenario" | "policy" | "seed" | "configHash" | "version">>;
}

/** A policy is a baseline unless it is a file or a policy registered by name (oracle, learner). */
export function defaultBaselines(policies: readonly string[], isSpecial: (p: string) => boolean): string[] {
  return policies.filter((p) => !isPolicyFile(p) && !isSpecial(p));
}

function nonNegativeFor(m: Metric, scenario: { objectiveNonNegative: boolean }): boolean {
  return m.nonNegative === true || (m.nonNegative === "expression" && scenario.objectiveNonNegative);
}

/**
 * Why no relative change against `reference` values may be given, or undefined when it may: the
 * quantity must be non-negative by definition (and every value seen is), and the reference
 * above zero in every seed, so the percentage is never of 0 or of a value that is 0 in some seeds.
 */
export function relativeAllowed(m: Metric, scenario: { objectiveNonNegative: boolean }, reference: readonly number[], other: readonly number[]): string | undefined {
  if (!nonNegativeFor(m, scenario)) return m.nonNegative === "expression" ? "the objective can be negative: absolute difference only" : "signed quantity: absolute difference only";
  const seen = [...reference, ...other].filter((x) => Number.isFinite(x));
  if (seen.some((x) => x < 0)) return "negative values seen: absolute difference only";
  const ref = reference.filter((x) => Number.isFinite(x));
  if (ref.length === 0 || ref.every((x) => x === 0)) return "reference is 0: absolute difference only";
  if (ref.some((x) => x === 0)) return "reference is 0 in some seeds: absolute difference only";
  return undefined;
}

export function analyse(input: AnalysisInput): Analysis {
  const allMetrics = input.metrics ?? METRICS;
  const byCell = new Map<string, Map<number, RunResult>>();
  const cellKey = (s: string, p: string) => `${s}\u0000${p}`;
  for (const r of input.results) {
    let m = byCell.get(cellKey(r.scenario, r.policy));
    if (!m) byCell.set(cellKey(r.scenario, r.policy), (m = new Map()));
    m.set(r.seed, r);
  }
  /** values of a metric over the plan's seeds (NaN where the run is missing or has no value) */
  const values = (s: string, p: string, read: (r: RunResult) => number): number[] => {
    const m = byCell.get(cellKey(s, p));
    return input.seeds.map((seed) => {
      const r = m?.get(seed);
      return r ? read(r) : NaN;
    });
  };
  const scenarios = input.scenarios.map((s) => ({ ...s, objectiveNonNegative: objectiveIsNonNegative(s.objective) }));
  const metrics = allMetrics.filter((m) => input.results.some((r) => Number.isFinite(valueAt(r.summary, m.path))));

  const cells: Cell[] = [];
  const versus: Versus[] = [];
  for (const s of scenarios) {
    for (const m of metrics) {
      const read = (r: RunResult) => valueAt(r.summary, m.path);
      const ref = values(s.name, input.reference, read);
      for (const p of input.policies) {
        const xs = values(s.name, p, read);
        cells.push({ scenario: s.name, policy: p, metric: m.key, ...estimate(xs), seeds: input.seeds.filter((_, i) => Number.isFinite(xs[i])) });
        if (p === input.reference) continue;
        const v: Versus = { scenario: s.name, policy: p, reference: input.reference, metric: m.key, difference: pairedDifference(xs, ref) };
        const note = relativeAllowed(m, s, ref, xs);
        if (note) v.relativeNote = note;
        else v.relative = pairedRelativeChange(xs, ref);
        versus.push(v);
      }
    }
  }

  const baselines = input.baselines ?? defaultBaselines(input.policies, () => false);
  const subjects = input.policies.filter((p) => !baselines.includes(p));
  const scinet: ScinetRow[] = [];
  for (const s of scenarios) {
    for (const p of subjects.length > 0 ? subjects : input.policies) {
      for (const b of baselines) {
        if (b === p) continue;
        const cellsOut: ScinetCell[] = SCINET_TERMS.map((t) => {
          const m = allMetrics.find((x) => x.key === t.metric);
          if (!m) return { term: t.term, note: `no metric "${t.metric}"` };
          const read = (r: RunResult) => valueAt(r.summary, m.path);
          const xs = values(s.name, p, read);
          const ys = values(s.name, b, read);
          const note = relativeAllowed(m, s, ys, xs);
          if (note) return { term: t.term, note };
          const rel = pairedRelativeChange(xs, ys);
          const sign = t.direction === "lower" ? -100 : 100;
          return { term: t.term, percent: { n: rel.n, value: sign * rel.value, ci95: 100 * rel.ci95 } };
        });
        scinet.push({ scenario: s.name, policy: p, baseline: b, cells: cellsOut });
      }
    }
  }

  const breakdowns: BreakdownCell[] = [];
  for (const s of scenarios) {
    for (const p of input.policies) {
      const sizes = new Set<string>();
      for (const r of byCell.get(cellKey(s.name, p))?.values() ?? []) for (const size of Object.keys(r.hostsBySize ?? {})) sizes.add(size);
      for (const bd of BREAKDOWNS) {
        for (const size of [...sizes].sort()) {
          const xs = values(s.name, p, (r) => r.hostsBySize?.[size]?.[bd.field] ?? NaN);
          breakdowns.push({ breakdown: bd.key, scenario: s.name, policy: p, size, ...estimate(xs) });
        }
      }
    }
  }

  const series: SeriesPoint[] = [];
  for (const s of scenarios) {
    for (const p of input.policies) {
      const runs = [...(byCell.get(cellKey(s.name, p))?.values() ?? [])];
      for (const sr of INTERVAL_SERIES) {
        const cols = runs.map((r) => r.intervals?.[sr.field]).filter((c): c is Array<number | null> => Array.isArray(c));
        if (cols.length === 0) continue;
        const length = Math.max(...cols.map((c) => c.length));
        for (let k = 0; k < length; k++) {
          const e = estimate(cols.map((c) => c[k] ?? NaN));
          if (e.n > 0) series.push({ series: sr.field, scenario: s.name, policy: p, interval: k, mean: e.mean, ci95: e.ci95, n: e.n });
        }
      }
    }
  }

  return {
    version: input.version,
    reference: input.reference,
    scenarios,
    policies: input.policies,
    baselines,
    seeds: input.seeds,
    metrics,
    cells,
    versus,
    scinet,
    breakdowns,
    series,
    runs: input.results.map((r) => ({ key: r.key, scenario: r.scenario, policy: r.policy, seed: r.seed, configHash: r.configHash, version: r.version })),
  };
}
