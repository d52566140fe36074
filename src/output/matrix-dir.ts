/**
 * The matrix directory (`cotwin bench --out <dir>`):
 *
 *   matrix.json          the plan: scenarios with their resolved configs and config hashes, policies,
 *                        seeds, reference, version, command, and the key of every run
 *   runs/<key>.json      one finished run (summary, per-interval columns, host totals by size);
 *                        the checkpoint: a re-run skips every key filed here
 *   runs.csv             one row per run: identity, provenance and every metric
 *   tables/<metric>.csv  per metric: mean, 95 % CI, paired difference and relative change against the
 *                        reference, per scenario and policy, with config hash, seeds and version
 *   tables/scinet.csv    SciNet's four quantities, each policy against each baseline, in percent
 *   tables/breakdowns.csv, tables/series.csv   totals by host size, per-interval means
 *   summary.json         the tables above as JSON (no series)
 *   charts/<name>.vl.json, .svg, .png   every chart: its vega-lite spec, SVG and PNG
 *   report.html          the self-contained report
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../workloads/output/atomic.ts";
import { checkOutputDirectory, makeDirectories } from "../../workloads/output/out-path.ts";
import type { Analysis } from "../matrix/analyse.ts";
import type { RunResult } from "../matrix/execute.ts";
import type { PlannedScenario } from "../matrix/plan.ts";
import { UsageError } from "../usage-error.ts";
import { toCsv } from "./csv.ts";
import { matrixCharts } from "./matrix-charts.ts";
import { renderMatrixReport, type RenderedChartEntry } from "./matrix-report.ts";
import { BREAKDOWN_COLUMNS, METRIC_COLUMNS, metricRows, runRows, scinetColumns, scinetRows } from "./matrix-tables.ts";
import { writeChart } from "./vega.ts";

export const MATRIX_MARKER = "cotwinMatrix";
export const MATRIX_LAYOUT_VERSION = 1;

export interface MatrixManifest {
  [MATRIX_MARKER]: number;
  version: string;
  command?: string[];
  reference: string;
  policies: string[];
  baselines: string[];
  seeds: number[];
  intervals?: number;
  policyOptions?: Record<string, unknown>;
  scenarios: PlannedScenario[];
  runs: Array<{ key: string; scenario: string; policy: string; seed: number }>;
}

/** A matrix directory is new, empty, or one cotwin wrote before (it holds matrix.json); or anything with `force`. */
export function checkMatrixDir(dir: string, force = false): void {
  checkOutputDirectory(dir, { what: "--out", force, owned: (_d, entries) => entries.includes("matrix.json"), kind: "a matrix directory of cotwin bench (one with matrix.json)" });
}

export async function writeManifest(dir: string, m: MatrixManifest): Promise<void> {
  makeDirectories(dir);
  await writeJsonAtomic(path.join(dir, "matrix.json"), m);
}

export function readManifest(dir: string): MatrixManifest {
  const file = path.join(dir, "matrix.json");
  let m: MatrixManifest;
  try {
    m = JSON.parse(readFileSync(file, "utf8")) as MatrixManifest;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (not a directory written by cotwin bench)" : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
  if (m?.[MATRIX_MARKER] !== MATRIX_LAYOUT_VERSION || !Array.isArray(m.runs)) throw new UsageError(`${file}: not a matrix written by this cotwin (no "${MATRIX_MARKER}": ${MATRIX_LAYOUT_VERSION})`);
  return m;
}

export interface MatrixFiles {
  /** report.html, absent when not asked for */
  report?: string;
  files: string[];
  /** charts that failed to render, with the reason */
  chartErrors: string[];
}

export async function writeMatrixOutputs(dir: string, a: Analysis, results: readonly RunResult[], m: MatrixManifest, opts: { report?: boolean } = {}): Promise<MatrixFiles> {
  const tables = path.join(dir, "tables");
  const chartsDir = path.join(dir, "charts");
  mkdirSync(tables, { recursive: true });
  mkdirSync(chartsDir, { recursive: true });
  const files: string[] = ["matrix.json", "runs/"];

  const runs = runRows(results);
  await writeFileAtomic(path.join(dir, "runs.csv"), toCsv(runs.rows, runs.columns));
  files.push("runs.csv");
  for (const metric of a.metrics) {
    await writeFileAtomic(path.join(tables, `${metric.key}.csv`), toCsv(metricRows(a, metric), METRIC_COLUMNS));
  }
  files.push("tables/<metric>.csv");
  const sc = scinetRows(a);
  await writeFileAtomic(path.join(tables, "scinet.csv"), toCsv(sc, scinetColumns()));
  await writeFileAtomic(path.join(tables, "breakdowns.csv"), toCsv(a.breakdowns, BREAKDOWN_COLUMNS));
  await writeFileAtomic(path.join(tables, "series.csv"), toCsv(a.series, ["series", "scenario", "policy", "interval", "n", "mean", "ci95"]));
  files.push("tables/scinet.csv", "tables/breakdowns.csv", "tables/series.csv");
  const { series: _series, ...rest } = a;
  await writeJsonAtomic(path.join(dir, "summary.json"), rest);
  files.push("summary.json");

  if (opts.report === false) return { files, chartErrors: [] };

  const rendered: RenderedChartEntry[] = [];
  const chartErrors: string[] = [];
  for (const c of matrixCharts(a)) {
    try {
      rendered.push({ ...c, svg: await writeChart(chartsDir, c.name, c.spec) });
    } catch (err) {
      const reason = (err as Error).message;
      chartErrors.push(`${c.name}: ${reason}`);
      rendered.push({ ...c, error: reason });
    }
  }
  files.push("charts/");
  const configs = Object.fromEntries(m.scenarios.map((s) => [s.name, s.config]));
  const html = renderMatrixReport(a, rendered, { command: m.command, intervals: m.intervals, policyOptions: m.policyOptions, configs, files });
  const report = path.join(dir, "report.html");
  await writeFileAtomic(report, html);
  return { report, files: [...files, "report.html"], chartErrors };
}
