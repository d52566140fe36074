/**
 * What the commands do once their flags are valid: resolve the scenario, run, print, write.
 */
import path from "node:path";
import { io } from "../io.ts";
import { UsageError } from "../usage-error.ts";
import { isInputError } from "../errors.ts";
import { readScenarioFile } from "../../simulator/scenario.ts";
import { loadTenantScenario, builtinTenantNames } from "../../simulator/scenarios.ts";
import { runTenantAsync, UnfinishedRunError } from "../runner.ts";
import { allBaselines, BASELINE_POLICIES } from "../../simulator/policies/registry.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { createProgress } from "../../workloads/output/progress.ts";
import { writeFileAtomic, writeJsonAtomic } from "../../workloads/output/atomic.ts";
import { beginDirectory } from "../../workloads/output/atomic-dir.ts";
import { checkOutputDirectory } from "../../workloads/output/out-path.ts";
import { toCsv } from "../output/csv.ts";
import { escapeHtml } from "../output/escape.ts";
import type { RunRecord, RunSummary } from "../../simulator/summary.ts";
import { VERSION } from "../../simulator/version.ts";
import { meanCI } from "../statistics.ts";
import { VM_ALLOCATION_POLICY_NAMES } from "../../simulator/provider/scenario.ts";
import { checkProviderPolicy, isProviderBuiltin, ladderPattern, providerBuiltinNames, runProviderScenario, loadProviderScenario } from "../provider-runs.ts";

export interface SimulateArgs {
  scenario: string;
  policy?: string;
  seed: number;
  intervals?: number;
  out?: string;
  /** replace a non-empty --out that is not a run directory */
  force?: boolean;
  json: boolean;
  command: string[];
  /** settings for policies that take them (the oracle's budget, ...) */
  policyOptions?: Record<string, unknown>;
}

type Resolved =
  | { view: "tenant"; name: string }
  | { view: "provider"; name: string };

/** Decides which view a scenario name or file belongs to. */
export function resolveScenario(nameOrFile: string): Resolved {
  if (builtinTenantNames().includes(nameOrFile)) return { view: "tenant", name: nameOrFile };
  if (isProviderBuiltin(nameOrFile)) return { view: "provider", name: nameOrFile };
  const raw = readScenarioFile(nameOrFile) as { view?: unknown } | null;
  if (raw && typeof raw === "object" && raw.view === "provider") return { view: "provider", name: nameOrFile };
  return { view: "tenant", name: nameOrFile };
}

export async function simulateOnce(a: Omit<SimulateArgs, "json" | "out" | "command">, progress?: (done: number, total: number) => void): Promise<RunRecord> {
  const r = resolveScenario(a.scenario);
  if (r.view === "provider") {
    if (a.intervals !== undefined) {
      throw new UsageError(
        `--intervals: ${a.scenario} is a provider-view scenario, which runs until its cloudlets end (its "intervals" key only sets the output's time buckets); set maxTimeS in the scenario to stop it earlier`,
      );
    }
    if (a.policyOptions !== undefined) throw new UsageError(`policy settings (--oracle-*) apply to tenant scenarios; ${a.scenario} is a provider-view scenario`);
    checkProviderPolicy(a.policy, a.scenario);
    const { scenario, source } = loadProviderScenario(r.name);
    return runProviderScenario(scenario, source, { seed: a.seed, policy: a.policy, onProgress: progress });
  }
  const { scenario, source } = loadTenantScenario(r.name);
  return runTenantAsync({
    scenario,
    source,
    policy: a.policy ?? scenario.policy ?? "first-fit",
    seed: a.seed,
    intervals: a.intervals,
    onInterval: progress,
    policyOptions: a.policyOptions,
  });
}

export async function runSimulate(a: SimulateArgs): Promise<number> {
  // a bad --out is refused before the run, not after it
  const runDir = a.out ? await import("../output/run-dir.ts") : undefined;
  if (a.out) runDir!.checkRunDirectory(a.out, a.force);
  // The bar is made on the first report, when the run's length is known (intervals, or 100 % for
  // the provider view); it draws only on a terminal and never with --json.
  let bar: ReturnType<typeof createProgress> | undefined;
  let record: RunRecord;
  try {
    record = await simulateOnce(a, (done, total) => {
      const scale = Number.isInteger(total) && total > 1 ? 1 : 100;
      bar ??= createProgress({ total: Math.round(total * scale), label: a.scenario, enabled: !a.json });
      bar.update(Math.round(done * scale));
    });
  } catch (e) {
    bar?.stop();
    if (!(e instanceof UnfinishedRunError)) throw e;
    let where = "";
    if (a.out) {
      try {
        await runDir!.writeUnfinishedRunDirectory(a.out, e.partial, { version: VERSION, seed: a.seed, command: a.command }, e.message, { force: a.force });
        where = `; ${a.out} records the unfinished run (${e.partial.intervals.length} interval(s), run-info.json: "finished": false)`;
      } catch (w) {
        where = `; and ${a.out} could not be written: ${(w as Error).message}`;
      }
    }
    io.err(`cotwin: the run did not finish: ${e.message}${where}\n`);
    return 1;
  }
  bar?.stop();
  // The summary first: a run that finished is reported even if its directory cannot be written.
  if (a.json) io.out(JSON.stringify(record.summary) + "\n");
  else io.out(formatSummary(record.summary));
  if (a.out) {
    try {
      await runDir!.writeRunDirectory(a.out, record, { version: VERSION, seed: a.seed, command: a.command }, { force: a.force });
    } catch (e) {
      io.err(`cotwin: the run finished (summary above) but its directory was not written: ${(e as Error).message}\n`);
      return isInputError(e) ? 2 : 1;
    }
    if (!a.json) io.out(`\nrun directory: ${a.out} (report: ${path.join(a.out, "report.html")})\n`);
  }
  return 0;
}

export function formatSummary(s: RunSummary): string {
  const r = s.requests;
  const lines = [
    `scenario ${s.scenario}, policy ${s.policy}, seed ${s.seed}, ${s.intervals} intervals + ${s.drainIntervals} draining (${fmt(s.simulatedS)} s simulated), cotwin ${s.version}`,
    `  objective       ${fmt(s.objective)} (${s.objectiveName}, lower is better)`,
    `  money           ${fmt(s.usdPerRequest)} USD per request = (VM ${fmt(s.costUSD)} + energy ${fmt(s.energyUSD)} + violations ${fmt(s.penaltyUSD)} + accuracy ${fmt(s.accuracyLossUSD)}) USD / ${r.arrived}`,
    `  energy          ${fmt(s.energyKWh)} kWh`,
    `  response        mean ${fmt(s.meanResponseS)} s, p95 ${fmt(s.p95ResponseS)} s`,
    `  violations      ${fmt(100 * s.violationRate)} % of arrived (${r.late} late + ${r.rejected} rejected + ${r.failed} failed + ${r.unfinished} unfinished)`,
    `  accuracy        ${fmt(100 * s.meanAccuracy)} % (completed requests)`,
    `  requests        ${r.arrived} arrived = ${r.completed} completed + ${r.rejected} rejected + ${r.failed} failed + ${r.unfinished} unfinished`,
    `  rejected parts  ${Object.keys(s.decisionRejections).length ? Object.entries(s.decisionRejections).map(([k, v]) => `${k}: ${v}`).join(", ") : "none"}`,
    `  events          ${s.events} in ${fmt(s.wallMs)} ms wall; decision p50 ${fmt(s.decisionMs.p50)} ms, p99 ${fmt(s.decisionMs.p99)} ms`,
  ];
  return lines.join("\n") + "\n";
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 1) return x.toPrecision(4);
  if (a < 0.001) return x.toExponential(2);
  return x.toPrecision(3);
}

export function listScenarios(json: boolean): void {
  const rows: Array<{ name: string; view: string; description: string }> = [];
  for (const name of builtinTenantNames()) {
    const { scenario } = loadTenantScenario(name);
    rows.push({ name, view: "tenant", description: scenario.description ?? "" });
  }
  for (const name of providerBuiltinNames()) {
    const { scenario } = loadProviderScenario(name);
    rows.push({ name, view: "provider", description: (scenario as { description?: string }).description ?? "" });
  }
  // the ladder's steps are built-ins too, named by their step
  rows.push({ name: ladderPattern.name, view: "provider", description: ladderPattern.description });
  if (json) {
    io.out(JSON.stringify(rows) + "\n");
    return;
  }
  for (const r of rows) io.out(`  ${r.name.padEnd(24)} ${r.view.padEnd(9)} ${r.description}\n`);
}

// ---------------------------------------------------------------- compare

export interface CompareArgs {
  scenario: string;
  policies?: string[];
  seeds: number;
  intervals?: number;
  out?: string;
  /** write --out even over a non-empty directory that is not a comparison */
  force?: boolean;
  json: boolean;
  command: string[];
}

/** Seeds of one comparison at most (as for a bench matrix's seed ranges). */
export const MAX_COMPARE_SEEDS = 100_000;

const METRICS = ["objective", "usdPerRequest", "energyKWh", "costUSD", "meanResponseS", "p95ResponseS", "violationRate", "meanAccuracy"] as const;

export interface CompareRow {
  policy: string;
  seeds: number;
  [metric: string]: number | string;
}

// meanCI lives with the other interval estimates (src/statistics.ts); re-exported for older callers
export { meanCI };

function allBaselinesOf(nameOrFile: string): string[] {
  const { scenario, source } = loadTenantScenario(nameOrFile);
  return allBaselines(buildTwinModel(scenario, source));
}

/** A comparison directory is new, empty, or one cotwin wrote before (it holds compare.json); or anything with --force. */
function checkCompareDir(dir: string, force: boolean | undefined): void {
  checkOutputDirectory(dir, { what: "--out", force, owned: (_d, entries) => entries.includes("compare.json"), kind: "a comparison of cotwin compare (one with compare.json)" });
}

export async function runCompare(a: CompareArgs): Promise<number> {
  if (a.policies && a.policies.length === 0) throw new UsageError("--policies names no policy (give a comma-separated list, or all)");
  if (a.seeds > MAX_COMPARE_SEEDS) throw new UsageError(`--seeds: ${a.seeds} is above the limit of ${MAX_COMPARE_SEEDS} (each seed is a run of every policy)`);
  const r = resolveScenario(a.scenario);
  // "all": every provisioning x deployment x placement combination the scenario supports; a
  // provider-view scenario compares its VM allocation rules
  const defaults = r.view === "provider" ? [...VM_ALLOCATION_POLICY_NAMES] : BASELINE_POLICIES;
  const policies = (a.policies ?? defaults).flatMap((p) => (p === "all" ? (r.view === "provider" ? [...VM_ALLOCATION_POLICY_NAMES] : allBaselinesOf(a.scenario)) : [p]));
  if (a.out) checkCompareDir(a.out, a.force);
  // Everything goes into a hidden sibling renamed into place at the end: an interrupted
  // comparison leaves --out as it was (a later one cleans the leftover up).
  const tx = a.out ? beginDirectory(a.out) : undefined;
  try {
    return await compareInto(a, policies, r.view, tx?.dir, () => tx?.commit());
  } finally {
    tx?.abort();
  }
}

async function compareInto(a: CompareArgs, policies: string[], view: string, dir: string | undefined, publish: () => void): Promise<number> {
  const bar = createProgress({ total: policies.length * a.seeds, label: `compare ${a.scenario}`, enabled: !a.json });
  const rows: CompareRow[] = [];
  const perRun: Array<Record<string, unknown>> = [];
  let done = 0;
  for (const policy of policies) {
    const summaries: RunSummary[] = [];
    for (let seed = 1; seed <= a.seeds; seed++) {
      const record = await simulateOnce({ scenario: a.scenario, policy, seed, intervals: a.intervals });
      summaries.push(record.summary);
      const { wallMs: _w, decisionMs, ...rest } = record.summary;
      perRun.push({ ...rest, decisionP50Ms: decisionMs.p50, decisionP99Ms: decisionMs.p99 });
      if (dir && seed === 1) {
        const { writeRunDirectory } = await import("../output/run-dir.ts");
        await writeRunDirectory(path.join(dir, safeName(policy)), record, { version: VERSION, seed, command: a.command });
      }
      bar.update(++done);
    }
    const row: CompareRow = { policy, seeds: a.seeds };
    for (const m of METRICS) {
      const { mean, ci95 } = meanCI(summaries.map((s) => s[m] as number));
      row[m] = mean;
      row[`${m}CI95`] = ci95;
    }
    row.decisionP99Ms = Math.max(...summaries.map((s) => s.decisionMs.p99));
    rows.push(row);
  }
  bar.stop();
  const result = { scenario: a.scenario, view, seeds: a.seeds, version: VERSION, rows };
  // The table first: a comparison that ran is reported even if its files cannot be written.
  io.out(a.json ? JSON.stringify(result) + "\n" : formatCompare(result));
  if (dir) {
    try {
      await writeJsonAtomic(path.join(dir, "compare.json"), { ...result, runs: perRun });
      await writeFileAtomic(path.join(dir, "compare.csv"), toCsv(rows, Object.keys(rows[0]) as (keyof CompareRow & string)[]));
      await writeFileAtomic(path.join(dir, "index.html"), compareHtml(result, policies));
      publish();
    } catch (e) {
      io.err(`cotwin: the comparison finished (above) but ${a.out} was not written: ${(e as Error).message}\n`);
      return isInputError(e) ? 2 : 1;
    }
    if (!a.json) io.out(`\nwritten: ${path.join(a.out!, "index.html")} (one run directory per policy, seed 1), compare.json, compare.csv\n`);
  }
  return 0;
}

function safeName(policy: string): string {
  return policy.replace(/[^a-zA-Z0-9._-]+/g, "_");
}

function formatCompare(r: { scenario: string; seeds: number; rows: CompareRow[] }): string {
  const head = `scenario ${r.scenario}, ${r.seeds} seed(s); mean ± 95 % CI; objective: lower is better\n`;
  const cols = ["policy", "objective", "energy kWh", "cost USD", "resp s", "p95 s", "violations %", "accuracy %", "p99 ms"];
  const body = r.rows.map((x) => [
    String(x.policy),
    pm(x.objective as number, x.objectiveCI95 as number),
    pm(x.energyKWh as number, x.energyKWhCI95 as number),
    pm(x.costUSD as number, x.costUSDCI95 as number),
    pm(x.meanResponseS as number, x.meanResponseSCI95 as number),
    fmt(x.p95ResponseS as number),
    fmt(100 * (x.violationRate as number)),
    fmt(100 * (x.meanAccuracy as number)),
    fmt(x.decisionP99Ms as number),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return head + [line(cols), ...body.map(line)].join("\n") + "\n";
}

function pm(mean: number, ci: number): string {
  return Number.isFinite(ci) ? `${fmt(mean)} ± ${fmt(ci)}` : fmt(mean);
}

function compareHtml(r: { scenario: string; seeds: number; version: string; rows: CompareRow[] }, policies: string[]): string {
  const rows = r.rows
    .map(
      (x, i) =>
        `<tr><td><a href="${escapeHtml(safeName(policies[i]))}/report.html">${escapeHtml(String(x.policy))}</a></td>` +
        METRICS.map((m) => `<td>${escapeHtml(pm(x[m] as number, x[`${m}CI95`] as number))}</td>`).join("") +
        "</tr>",
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>cotwin: ${escapeHtml(r.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>Policies on ${escapeHtml(r.scenario)}</h1><p>${r.seeds} seed(s), mean ± 95 % confidence interval; cotwin ${escapeHtml(r.version)}. Each policy links to the report of its seed-1 run.</p>
<table><tr><th>policy</th>${METRICS.map((m) => `<th>${escapeHtml(m)}</th>`).join("")}</tr>
${rows}</table></body></html>
`;
}

