/**
 * What changed between two matrix result sets (`cotwin bench --compare <dirA> <dirB>`): for every
 * scenario and policy both hold, per metric, A's and B's means with their intervals and the
 * difference B - A with Welch's interval (the two sets are treated as independent samples: a
 * new version may draw different workloads from the same seed, so pairing by seed is not assumed),
 * plus the relative change where the quantity is non-negative and A is above 0 in every run. What
 * differs in provenance (version, config hash, seeds) is listed first.
 */
import { readManifest, type MatrixManifest } from "../output/matrix-dir.ts";
import { seedList } from "../output/matrix-tables.ts";
import { estimate, welchDifference, welchRelativeChange, type Estimate, type Interval } from "../statistics.ts";
import { relativeAllowed } from "./analyse.ts";
import type { RunResult } from "./execute.ts";
import { METRICS, valueAt, type Metric } from "./metrics.ts";
import { objectiveIsNonNegative } from "./objective-sign.ts";
import { ResultStore } from "./store.ts";

export interface LoadedMatrix {
  dir: string;
  manifest: MatrixManifest;
  results: RunResult[];
  /** runs of the plan with no result filed (an interrupted sweep) */
  missing: number;
}

export function loadMatrix(dir: string): LoadedMatrix {
  const manifest = readManifest(dir);
  const store = new ResultStore(dir);
  const results: RunResult[] = [];
  let missing = 0;
  for (const r of manifest.runs) {
    const res = store.read(r.key);
    if (res) results.push(res);
    else missing++;
  }
  return { dir, manifest, results, missing };
}

export interface ComparisonRow {
  scenario: string;
  policy: string;
  metric: string;
  a: Estimate;
  b: Estimate;
  /** B - A */
  difference: Interval;
  relative?: Interval;
  relativeNote?: string;
}

export interface Comparison {
  a: { dir: string; version: string; seeds: string; runs: number; missing: number };
  b: { dir: string; version: string; seeds: string; runs: number; missing: number };
  /** provenance that differs, one line each */
  changes: string[];
  rows: ComparisonRow[];
}

export function compareMatrices(A: LoadedMatrix, B: LoadedMatrix, metrics: readonly Metric[] = METRICS): Comparison {
  const changes: string[] = [];
  if (A.manifest.version !== B.manifest.version) changes.push(`version: ${A.manifest.version} -> ${B.manifest.version}`);
  if (seedList(A.manifest.seeds) !== seedList(B.manifest.seeds)) changes.push(`seeds: ${seedList(A.manifest.seeds)} -> ${seedList(B.manifest.seeds)}`);
  if ((A.manifest.intervals ?? null) !== (B.manifest.intervals ?? null)) changes.push(`intervals: ${A.manifest.intervals ?? "scenario's"} -> ${B.manifest.intervals ?? "scenario's"}`);
  const bScen = new Map(B.manifest.scenarios.map((s) => [s.name, s]));
  for (const s of A.manifest.scenarios) {
    const t = bScen.get(s.name);
    if (!t) changes.push(`scenario ${s.name}: only in A`);
    else if (t.configHash !== s.configHash) changes.push(`scenario ${s.name}: config ${s.configHash.slice(0, 12)} -> ${t.configHash.slice(0, 12)}`);
  }
  for (const s of B.manifest.scenarios) if (!A.manifest.scenarios.some((x) => x.name === s.name)) changes.push(`scenario ${s.name}: only in B`);
  for (const p of A.manifest.policies) if (!B.manifest.policies.includes(p)) changes.push(`policy ${p}: only in A`);
  for (const p of B.manifest.policies) if (!A.manifest.policies.includes(p)) changes.push(`policy ${p}: only in B`);

  const rows: ComparisonRow[] = [];
  const pick = (L: LoadedMatrix, s: string, p: string) => L.results.filter((r) => r.scenario === s && r.policy === p);
  for (const s of A.manifest.scenarios) {
    const sb = bScen.get(s.name);
    if (!sb) continue;
    // relative changes need a non-negative objective in both sets
    const sign = { objectiveNonNegative: objectiveIsNonNegative(s.objective) && objectiveIsNonNegative(sb.objective) };
    for (const p of A.manifest.policies) {
      if (!B.manifest.policies.includes(p)) continue;
      const ra = pick(A, s.name, p);
      const rb = pick(B, s.name, p);
      for (const m of metrics) {
        const xa = ra.map((r) => valueAt(r.summary, m.path));
        const xb = rb.map((r) => valueAt(r.summary, m.path));
        const a = estimate(xa);
        const b = estimate(xb);
        if (a.n === 0 && b.n === 0) continue;
        const row: ComparisonRow = { scenario: s.name, policy: p, metric: m.key, a, b, difference: welchDifference(xa, xb) };
        const note = relativeAllowed(m, sign, xa, xb);
        if (note) row.relativeNote = note;
        else row.relative = welchRelativeChange(xa, xb);
        rows.push(row);
      }
    }
  }
  const side = (L: LoadedMatrix) => ({ dir: L.dir, version: L.manifest.version, seeds: seedList(L.manifest.seeds), runs: L.results.length, missing: L.missing });
  return { a: side(A), b: side(B), changes, rows };
}
