/**
 * The benchmark matrix's figures (`npm run bench -- matrix`): 5 baselines x 10 seeds x
 * scinet-testbed at 200 intervals, end to end on the worker pool (target under 1 minute on
 * 2 cores); the pool's speed-up from 1 to N threads (target at least 80 % of linear), measured
 * with warm threads (best of three passes) so the figure is the pool's and not thread start-up's,
 * which is printed apart; and, where redis-server is installed, the same sweep through the Redis queue served by
 * two `cotwin worker` processes, checked run by run against the local results. Printed, never
 * asserted. CPU times are printed beside wall times: on a shared machine wall time includes
 * other people's work.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { packagePath } from "../../simulator/package-root.ts";
import { simulatedPart, type RunResult } from "../matrix/execute.ts";
import { makePlan, type RunSpec } from "../matrix/plan.ts";
import { RunPool } from "../matrix/pool.ts";
import { ResultStore } from "../matrix/store.ts";
import { defaultWorkers, runSweep } from "../matrix/sweep.ts";

type Log = (line: string) => void;

const POLICIES = ["first-fit", "best-fit", "least-loaded", "round-robin", "threshold+compressed+least-loaded"];
const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);
const MATRIX = { scenarios: ["scinet-testbed"], policies: POLICIES, seeds: SEEDS, intervals: 200 };

function cpuS(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/**
 * Wall time of all runs on a pool whose threads are warm (one full pass first, so the JIT has
 * compiled the simulator in every thread), best of three passes.
 */
async function warmPoolMs(runs: RunSpec[], threads: number, dir: string | undefined, passes = 3): Promise<{ ms: number; startMs: number }> {
  const t0 = performance.now();
  const pool = new RunPool(threads);
  // with a directory each pass files its results into a new one, as a sweep does; without, results come back by message
  const pass = (k: number) => Promise.all(runs.map((r) => (dir ? pool.runAndFile(r, path.join(dir, `pool-${threads}-${k}-${runs.length}`)) : pool.run(r))));
  try {
    await Promise.all(runs.slice(0, threads).map((r) => pool.run(r)));
    const startMs = performance.now() - t0;
    await pass(0);
    let ms = Infinity;
    for (let k = 1; k <= passes; k++) {
      const t1 = performance.now();
      await pass(k);
      ms = Math.min(ms, performance.now() - t1);
    }
    return { ms, startMs };
  } finally {
    await pool.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function distributed(log: Log, local: Map<string, RunResult>): Promise<void> {
  const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  if (which.status !== 0) {
    log("distributed: skipped (redis-server is not installed; apt-get install redis-server)");
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-bench-queue-"));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  try {
    const redis = spawn(which.stdout.trim(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "ignore"] });
    children.push(redis);
    let redisOut = "";
    redis.stdout!.on("data", (d) => (redisOut += d));
    await waitFor("redis-server", () => /Ready to accept connections/.test(redisOut), 10_000);
    const logs: string[] = [];
    for (let w = 0; w < 2; w++) {
      const child = spawn(process.execPath, [packagePath("src", "bin.mjs"), "worker", "--queue", url, "--workers", "1"], { stdio: ["ignore", "ignore", "pipe"] });
      children.push(child);
      logs[w] = "";
      child.stderr!.on("data", (d) => (logs[w] += d));
    }
    await waitFor("two workers", () => logs.every((l) => /serving the queue/.test(l ?? "")), 30_000);
    const out = path.join(dir, "out");
    const t0 = performance.now();
    const sweep = await runSweep({ ...MATRIX, out, queue: url, progress: false, report: false });
    const ms = performance.now() - t0;
    const store = new ResultStore(out);
    let identical = 0;
    for (const r of sweep.plan.runs) {
      const q = store.read(r.key);
      const l = local.get(r.key);
      if (q && l && JSON.stringify([simulatedPart(q.summary), q.hostsBySize]) === JSON.stringify([simulatedPart(l.summary), l.hostsBySize])) identical++;
    }
    const perWorker = logs.map((l) => (l.match(/finished /g) ?? []).length);
    log(`distributed: the same ${sweep.plan.runs.length} runs through Redis (BullMQ) to 2 \`cotwin worker\` processes on this machine: ${(ms / 1000).toFixed(1)} s wall (runs per worker ${perWorker.join(" + ")}); results identical to the local run: ${identical} of ${sweep.plan.runs.length} (target: all)`);
  } finally {
    for (const c of children.reverse()) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchMatrix(log: Log): Promise<void> {
  const cores = defaultWorkers();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-bench-matrix-"));
  try {
    // end to end, as `cotwin bench` does it: plan, pool start, runs, tables, charts, report
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const sweep = await runSweep({ ...MATRIX, out: path.join(dir, "e2e"), workers: cores, progress: false });
    const e2eMs = performance.now() - t0;
    const e2eCpu = cpuS(c0);
    const t1 = performance.now();
    const noReport = await runSweep({ ...MATRIX, out: path.join(dir, "runs-only"), workers: cores, progress: false, report: false });
    const runsMs = performance.now() - t1;
    const t2 = performance.now();
    await runSweep({ ...MATRIX, out: path.join(dir, "runs-one"), workers: 1, progress: false, report: false });
    const oneMs = performance.now() - t2;
    log(`matrix: ${sweep.plan.runs.length} runs (5 baselines x 10 seeds x scinet-testbed, 200 intervals) on ${cores} worker thread(s): ${(e2eMs / 1000).toFixed(1)} s wall end to end with the report (target < 60 s on 2 cores; process CPU ${e2eCpu.toFixed(1)} s); without charts and report ${(runsMs / 1000).toFixed(1)} s on ${cores} threads, ${(oneMs / 1000).toFixed(1)} s on 1 (thread start-up included)`);
    const store = new ResultStore(path.join(dir, "runs-only"));
    const local = new Map<string, RunResult>();
    for (const r of noReport.plan.runs) local.set(r.key, store.read(r.key)!);

    // the pool's speed-up with warm threads: the runs with their checkpoint files, the runs alone,
    // and the same matrix with 10x longer runs (where per-run costs other than the simulation are small)
    const plan = await makePlan(MATRIX);
    const long = await makePlan({ ...MATRIX, intervals: 2000 });
    const cases: Array<[string, RunSpec[], string | undefined, number]> = [
      ["200 intervals, each result filed (fsync) as a sweep does", plan.runs, dir, 3],
      ["200 intervals, results by message only", plan.runs, undefined, 3],
      ["2,000 intervals, each result filed", long.runs, dir, 2],
    ];
    for (const [what, runs, into, passes] of cases) {
      const one = await warmPoolMs(runs, 1, into, passes);
      const many = cores > 1 ? await warmPoolMs(runs, cores, into, passes) : one;
      const speedUp = one.ms / many.ms;
      log(`  pool, ${what}: 1 thread ${(one.ms / 1000).toFixed(2)} s, ${cores} threads ${(many.ms / 1000).toFixed(2)} s: speed-up ${speedUp.toFixed(2)}x = ${((100 * speedUp) / cores).toFixed(0)} % of linear (target >= 80 %)`);
      if (runs === plan.runs && into) log(`    thread start-up and first run: ${(one.startMs / 1000).toFixed(2)} s (1 thread), ${(many.startMs / 1000).toFixed(2)} s (${cores}); a warm run of 200 intervals takes ${((one.ms / runs.length)).toFixed(1)} ms with its file`);
    }
    log(`  load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cpus during the measurement (a shared machine lowers the speed-up)`);

    await distributed(log, local);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
