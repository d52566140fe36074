/**
 * `cotwin bench`: policy x scenario x seed matrices (locally on worker threads or through a Redis
 * job queue), and `cotwin bench --compare <dirA> <dirB>`. Flags arrive valid from src/cli.ts.
 */
import path from "node:path";
import { io } from "../io.ts";
import type { Analysis } from "../matrix/analyse.ts";
import { SCINET_TERMS } from "../matrix/metrics.ts";
import { runSweep, type SweepOutcome } from "../matrix/sweep.ts";
import { formatNumber } from "../output/report.ts";
import { pct } from "../output/matrix-report.ts";

export interface BenchArgs {
  scenarios: string[];
  policies: string[];
  seeds: number[];
  intervals?: number;
  workers?: number;
  out: string;
  reference?: string;
  queue?: string;
  /** charts and report.html (default true) */
  report?: boolean;
  force?: boolean;
  policyOptions?: Record<string, unknown>;
  json: boolean;
  command: string[];
}

/** Ctrl-C stops the sweep (the finished runs stay filed); a second Ctrl-C exits at once. */
export function interruptible(): { signal: AbortSignal; release(): void } {
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    io.err("\ncotwin: stopping; finished runs are kept (Ctrl-C again to exit at once)\n");
    ac.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: ac.signal, release: () => process.off("SIGINT", onSigint) };
}

export async function runBench(a: BenchArgs): Promise<number> {
  const { signal, release } = interruptible();
  let outcome: SweepOutcome;
  try {
    outcome = await runSweep({
      scenarios: a.scenarios,
      policies: a.policies,
      seeds: a.seeds,
      intervals: a.intervals,
      policyOptions: a.policyOptions,
      out: a.out,
      reference: a.reference,
      workers: a.workers,
      queue: a.queue,
      report: a.report,
      force: a.force,
      command: a.command,
      progress: !a.json,
      signal,
      note: (line) => io.err(`cotwin: ${line}\n`),
    });
  } finally {
    release();
  }
  const total = outcome.plan.runs.length;
  if (outcome.interrupted) {
    const done = outcome.reused + outcome.executed;
    io.err(`cotwin: interrupted: ${done} of ${total} runs done and kept in ${a.out}; run the same command again to resume\n`);
    return 130;
  }
  for (const f of outcome.failures) io.err(`cotwin: run failed: ${f.run.scenario} · ${f.run.policy} · seed ${f.run.seed}: ${f.reason}\n`);
  const an = outcome.analysis!;
  if (a.json) {
    io.out(
      JSON.stringify({
        out: a.out,
        report: outcome.files!.report,
        runs: total,
        executed: outcome.executed,
        reused: outcome.reused,
        failures: outcome.failures.map((f) => ({ scenario: f.run.scenario, policy: f.run.policy, seed: f.run.seed, reason: f.reason })),
        wallMs: outcome.wallMs,
        version: an.version,
        reference: an.reference,
        cells: an.cells,
        versus: an.versus,
      }) + "\n",
    );
  } else {
    io.out(formatSweep(an, outcome));
    io.out(`\nreport: ${outcome.files!.report ?? "(not written)"}\ntables: ${path.join(a.out, "tables")}/<metric>.csv, per-run summaries: ${path.join(a.out, "runs.csv")}\n`);
  }
  return outcome.failures.length > 0 ? 1 : 0;
}

function pm(mean: number, ci: number): string {
  return Number.isFinite(ci) ? `${formatNumber(mean)} ± ${formatNumber(ci, 2)}` : formatNumber(mean);
}

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

/** The short table: per scenario and policy the main metrics, and the objective against the reference. */
export function formatSweep(an: Analysis, o: Pick<SweepOutcome, "executed" | "reused" | "wallMs">): string {
  const shown = an.metrics.filter((m) => m.headline);
  let out = `${o.executed + o.reused} runs (${o.executed} made now, ${o.reused} reused) in ${(o.wallMs / 1000).toFixed(1)} s; cotwin ${an.version}; mean ± 95 % CI over seeds ${seedText(an.seeds)}\n`;
  for (const s of an.scenarios) {
    out += `\n${s.name} (config ${s.configHash.slice(0, 12)})\n`;
    const head = ["policy", ...shown.map((m) => m.short), `objective − ${an.reference}`];
    const body = an.policies.map((p) => {
      const cell = (k: string) => an.cells.find((c) => c.scenario === s.name && c.policy === p && c.metric === k);
      const v = an.versus.find((x) => x.scenario === s.name && x.policy === p && x.metric === "objective");
      const diff = p === an.reference ? "reference" : v ? pm(v.difference.value, v.difference.ci95) : "–";
      return [p, ...shown.map((m) => {
        const c = cell(m.key);
        return c ? pm(c.mean, c.ci95) : "–";
      }), diff];
    });
    out += table(head, body);
    out += formatScinet(an, s.name);
  }
  return out;
}

/** SciNet's terms for the policies that are not baselines (the oracle, a learner, a policy file), if any. */
function formatScinet(an: Analysis, scenario: string): string {
  const rows = an.scinet.filter((r) => r.scenario === scenario && !an.baselines.includes(r.policy));
  if (rows.length === 0) return "";
  const head = ["improvement, % ± 95 % CI", ...SCINET_TERMS.map((t) => `${t.direction} ${t.term}`)];
  const body = rows.map((r) => [`${r.policy} vs ${r.baseline}`, ...r.cells.map((c) => (c.percent ? pct(c.percent.value / 100, c.percent.ci95 / 100) : "–"))]);
  body.push(["SciNet (published)", ...SCINET_TERMS.map((t) => `up to ${t.claimPercent} %`)]);
  return `\nin SciNet's terms\n${table(head, body)}`;
}

function seedText(seeds: number[]): string {
  return seeds.length > 3 && seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1) ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(",");
}

// ---------------------------------------------------------------- --compare

export async function runBenchCompare(dirA: string, dirB: string, json: boolean): Promise<number> {
  const { loadMatrix, compareMatrices } = await import("../matrix/compare-dirs.ts");
  const c = compareMatrices(loadMatrix(dirA), loadMatrix(dirB));
  if (json) {
    io.out(JSON.stringify(c) + "\n");
    return 0;
  }
  let out = `A: ${c.a.dir} (cotwin ${c.a.version}, seeds ${c.a.seeds}, ${c.a.runs} runs${c.a.missing ? `, ${c.a.missing} missing` : ""})\n`;
  out += `B: ${c.b.dir} (cotwin ${c.b.version}, seeds ${c.b.seeds}, ${c.b.runs} runs${c.b.missing ? `, ${c.b.missing} missing` : ""})\n`;
  out += c.changes.length ? `changed: ${c.changes.join("; ")}\n` : "changed: nothing in the provenance (same version, configs and seeds)\n";
  out += "B − A with Welch's 95 % interval; relative change only for non-negative quantities\n";
  const groups = new Map<string, typeof c.rows>();
  for (const r of c.rows) {
    const k = `${r.scenario} · ${r.policy}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const [k, rows] of groups) {
    out += `\n${k}\n`;
    out += table(
      ["metric", "A", "B", "B − A", "relative"],
      rows.map((r) => [
        r.metric,
        pm(r.a.mean, r.a.ci95),
        pm(r.b.mean, r.b.ci95),
        pm(r.difference.value, r.difference.ci95),
        r.relative ? pct(r.relative.value, r.relative.ci95) : "–",
      ]),
    );
  }
  io.out(out);
  return 0;
}
