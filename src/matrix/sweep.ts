/**
 * A benchmark matrix from start to report: plan every scenario x policy x seed, skip the runs
 * already filed in the output directory, make the others (on a pool of worker threads here, or
 * through a Redis job queue on any number of machines), then analyse and write the tables,
 * charts and report. The function the `bench` command and the main job call.
 */
import os from "node:os";
import { isRegistered } from "../../simulator/policies/registry.ts";
import { createProgress } from "../../workloads/output/progress.ts";
import { checkMatrixDir, writeManifest, writeMatrixOutputs, type MatrixFiles, type MatrixManifest } from "../output/matrix-dir.ts";
import { UsageError } from "../usage-error.ts";
import { analyse, defaultBaselines, type Analysis } from "./analyse.ts";
import type { RunResult } from "./execute.ts";
import { makePlan, type Plan, type PlanOptions, type RunSpec } from "./plan.ts";
import { PoolClosed, RunFailure, RunPool } from "./pool.ts";
import { ResultStore } from "./store.ts";

export interface SweepOptions extends PlanOptions {
  out: string;
  /** policy the others are compared with (default the first) */
  reference?: string;
  /** worker threads (default: the machine's cores, at most one per run) */
  workers?: number;
  /** redis://host:port: the runs go to a job queue that `cotwin worker` processes serve */
  queue?: string;
  command?: string[];
  /** progress bar on stderr (drawn only on a terminal) */
  progress?: boolean;
  /** aborting stops the sweep; what finished stays filed */
  signal?: AbortSignal;
  /** one-line notes for the user (stderr) */
  note?: (line: string) => void;
  /** called as runs are filed: runs done (made now or before) of the total */
  onProgress?: (done: number, total: number) => void;
  /** false: tables and CSVs only, no charts and report.html (default true) */
  report?: boolean;
  /** write into a non-empty --out that holds no matrix */
  force?: boolean;
}

export interface SweepOutcome {
  plan: Plan;
  /** runs made now / found filed from before */
  executed: number;
  reused: number;
  failures: Array<{ run: RunSpec; reason: string }>;
  interrupted: boolean;
  /** absent when interrupted */
  analysis?: Analysis;
  files?: MatrixFiles;
  wallMs: number;
}

export class SweepInterrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "SweepInterrupted";
  }
}

export function defaultWorkers(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

async function runLocally(todo: RunSpec[], workers: number, out: string, filed: (key: string) => void, fail: (s: RunSpec, reason: string) => void, signal?: AbortSignal): Promise<boolean> {
  if (todo.length === 0) return false;
  const pool = new RunPool(Math.max(1, Math.min(workers, todo.length)));
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void pool.close();
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await Promise.all(
      todo.map(async (spec) => {
        try {
          filed(await pool.runAndFile(spec, out));
        } catch (e) {
          if (e instanceof PoolClosed) return;
          if (e instanceof RunFailure) fail(spec, e.reason);
          else throw e;
        }
      }),
    );
  } finally {
    signal?.removeEventListener("abort", stop);
    await pool.close();
  }
  return interrupted;
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  if (o.policies.length === 0) throw new UsageError("--policies: give at least one policy");
  if (o.scenarios.length === 0) throw new UsageError("--scenarios: give at least one scenario");
  if (o.seeds.length === 0) throw new UsageError("--seeds: give at least one seed");
  const reference = o.reference ?? o.policies[0];
  if (!o.policies.includes(reference)) throw new UsageError(`--reference ${reference} is not one of --policies (${o.policies.join(", ")})`);
  checkMatrixDir(o.out, o.force);
  const plan = await makePlan(o);
  const baselines = defaultBaselines(plan.policies, isRegistered);
  const manifest: MatrixManifest = {
    cotwinMatrix: 1,
    version: plan.version,
    command: o.command,
    reference,
    policies: plan.policies,
    baselines,
    seeds: plan.seeds,
    intervals: plan.intervals,
    policyOptions: plan.policyOptions,
    scenarios: plan.scenarios,
    runs: plan.runs.map((r) => ({ key: r.key, scenario: r.scenario, policy: r.policy, seed: r.seed })),
  };
  await writeManifest(o.out, manifest);
  const store = new ResultStore(o.out);
  store.removeTemporaryFiles();
  const todo = plan.runs.filter((r) => !store.has(r.key));
  const reused = plan.runs.length - todo.length;
  const unused = store.unused(new Set(plan.runs.map((r) => r.key)));
  if (unused.length > 0) o.note?.(`${unused.length} result(s) in ${o.out}/runs belong to another config, version or seed set and are not used`);
  if (reused > 0) o.note?.(`${reused} of ${plan.runs.length} runs already done in ${o.out}; making the other ${todo.length}`);

  const bar = createProgress({ total: plan.runs.length, label: `bench ${plan.runs.length} runs`, enabled: o.progress !== false });
  let done = reused;
  bar.update(done);
  o.onProgress?.(done, plan.runs.length);
  let executed = 0;
  const failures: SweepOutcome["failures"] = [];
  const file = async (r: RunResult): Promise<void> => {
    if (await store.add(r)) {
      executed++;
      bar.update(++done);
      o.onProgress?.(done, plan.runs.length);
    }
  };
  const filed = (key: string): void => {
    if (store.has(key)) return;
    store.adopt(key);
    executed++;
    bar.update(++done);
    o.onProgress?.(done, plan.runs.length);
  };
  const fail = (run: RunSpec, reason: string) => {
    failures.push({ run, reason });
  };
  let interrupted: boolean;
  try {
    if (o.queue) {
      const { submitToQueue } = await import("./queue.ts");
      interrupted = await submitToQueue(o.queue, todo, { file, fail, signal: o.signal, note: o.note });
    } else {
      interrupted = await runLocally(todo, o.workers ?? defaultWorkers(), o.out, filed, fail, o.signal);
    }
  } finally {
    bar.stop();
    store.removeTemporaryFiles();
  }
  if (interrupted) return { plan, executed, reused, failures, interrupted, wallMs: performance.now() - t0 };

  const results: RunResult[] = [];
  for (const r of plan.runs) {
    const res = store.read(r.key);
    if (res) results.push(res);
  }
  for (const u of store.unreadable) o.note?.(`ignored unreadable result ${u}`);
  const analysis = analyse({
    version: plan.version,
    scenarios: plan.scenarios,
    policies: plan.policies,
    seeds: plan.seeds,
    reference,
    baselines,
    results,
  });
  const files = await writeMatrixOutputs(o.out, analysis, results, manifest, { report: o.report !== false });
  for (const c of files.chartErrors) o.note?.(`chart not rendered: ${c}`);
  return { plan, executed, reused, failures, interrupted: false, analysis, files, wallMs: performance.now() - t0 };
}

