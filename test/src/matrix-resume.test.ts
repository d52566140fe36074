/**
 * Checkpoint and resume of a matrix: finished runs are filed once and reused, a changed config
 * or version reruns everything, an interrupted sweep (abort, or Ctrl-C on the command) leaves a
 * directory of complete results that the next invocation completes. Runs on worker threads give
 * the same results as runs in this process.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { executeRun, simulatedPart } from "../../src/matrix/execute.ts";
import { makePlan } from "../../src/matrix/plan.ts";
import { ResultStore } from "../../src/matrix/store.ts";
import { runSweep, type SweepOptions } from "../../src/matrix/sweep.ts";
import { repoRoot } from "../helpers/data.ts";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "cotwin-matrix-"));
const runFiles = (out: string) => readdirSync(path.join(out, "runs"));
/** finished results only (not the temporary file of a write in progress) */
const results = (out: string) => runFiles(out).filter((f) => /^[0-9a-f]{32}\.json$/.test(f));

const BASE: Omit<SweepOptions, "out"> = { scenarios: ["scinet-testbed"], policies: ["first-fit", "threshold+compressed+least-loaded"], seeds: [1, 2, 3], intervals: 20, workers: 2, progress: false, report: false };

test("a second sweep into the same directory reuses every run; a changed config or version reruns all", async () => {
  const out = tmp();
  const first = await runSweep({ ...BASE, out });
  assert.equal(first.executed, 6);
  assert.equal(first.reused, 0);
  assert.equal(first.failures.length, 0);
  assert.equal(runFiles(out).length, 6);
  const before = readdirSync(path.join(out, "runs")).map((f) => readFileSync(path.join(out, "runs", f), "utf8"));

  const second = await runSweep({ ...BASE, out });
  assert.equal(second.executed, 0);
  assert.equal(second.reused, 6);
  const after = readdirSync(path.join(out, "runs")).map((f) => readFileSync(path.join(out, "runs", f), "utf8"));
  assert.deepEqual(after, before, "filed results are not rewritten");
  assert.deepEqual(second.analysis!.cells, first.analysis!.cells);

  const notes: string[] = [];
  const longer = await runSweep({ ...BASE, out, intervals: 21, note: (l) => notes.push(l) });
  assert.equal(longer.executed, 6);
  assert.ok(notes.some((n) => /6 result\(s\) .* not used/.test(n)), notes.join("\n"));
  const newer = await runSweep({ ...BASE, out, version: "99.0.0" });
  assert.equal(newer.executed, 6);
  assert.equal(newer.analysis!.version, "99.0.0");
  // one more seed: only its runs are made
  const more = await runSweep({ ...BASE, out, seeds: [1, 2, 3, 4] });
  assert.equal(more.executed, 2);
  assert.equal(more.reused, 6);
  for (const f of ["matrix.json", "runs.csv", "summary.json", "tables/cost.csv", "tables/scinet.csv"]) assert.ok(existsSync(path.join(out, f)), f);
});

test("runs on worker threads equal runs in this process", async () => {
  const out = tmp();
  const sweep = await runSweep({ ...BASE, out });
  const plan = await makePlan(BASE);
  const store = new ResultStore(out);
  for (const spec of plan.runs) {
    const here = await executeRun(spec);
    const there = store.read(spec.key)!;
    assert.deepEqual(simulatedPart(there.summary), JSON.parse(JSON.stringify(simulatedPart(here.summary))));
    assert.deepEqual(there.intervals.energyKWh, JSON.parse(JSON.stringify(here.intervals.energyKWh)));
  }
  assert.equal(sweep.analysis!.runs.length, 6);
});

test("a result is filed once: a second copy of the same key is ignored", async () => {
  const out = tmp();
  const plan = await makePlan({ ...BASE, seeds: [1], policies: ["first-fit"] });
  const r = await executeRun(plan.runs[0]);
  const store = new ResultStore(out);
  assert.equal(await store.add(r), true);
  assert.equal(await store.add({ ...r, summary: { ...r.summary, costUSD: -1 } }), false);
  assert.equal(new ResultStore(out).read(r.key)!.summary.costUSD, r.summary.costUSD);
  assert.deepEqual(runFiles(out), [`${r.key}.json`]);
});

test("an aborted sweep keeps what finished, and the next one makes only the rest", async () => {
  const out = tmp();
  const ac = new AbortController();
  const o = { ...BASE, seeds: [1, 2, 3, 4, 5, 6], intervals: 60, workers: 2 };
  const cut = await runSweep({ ...o, out, signal: ac.signal, onProgress: (done) => done >= 2 && ac.abort() });
  assert.equal(cut.interrupted, true);
  assert.equal(cut.analysis, undefined);
  const kept = runFiles(out);
  assert.ok(kept.length >= 2 && kept.length < 12, `kept ${kept.length}`);
  assert.ok(kept.every((f) => /^[0-9a-f]{32}\.json$/.test(f)), "only complete results, no temporary files");
  const rest = await runSweep({ ...o, out });
  assert.equal(rest.reused, kept.length);
  assert.equal(rest.executed, 12 - kept.length);
  assert.equal(rest.analysis!.cells.find((c) => c.metric === "cost" && c.policy === "first-fit")!.n, 6);
});

test("Ctrl-C on `cotwin bench` exits 130 with a resumable directory", { timeout: 60_000 }, async () => {
  const out = tmp();
  const args = [path.join(repoRoot, "src/bin.mjs"), "bench", "--policies", "first-fit,least-loaded", "--seeds", "1..12", "--intervals", "1500", "--workers", "2", "--out", out];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // interrupt once the first result is filed
  const deadline = Date.now() + 40_000;
  while (!(existsSync(path.join(out, "runs")) && results(out).length > 0)) {
    if (Date.now() > deadline) throw new Error(`no result filed in time; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGINT");
  const code = await exit;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: \d+ of 24 runs done and kept in .*; run the same command again to resume/);
  assert.deepEqual(runFiles(out), results(out), "no temporary files left");
  const kept = results(out).length;
  assert.ok(kept >= 1 && kept < 24, `kept ${kept}`);
  const again = await runSweep({ scenarios: ["scinet-testbed"], policies: ["first-fit", "least-loaded"], seeds: Array.from({ length: 12 }, (_, i) => i + 1), intervals: 1500, workers: 2, out, progress: false, report: false });
  assert.equal(again.reused, kept);
  assert.equal(again.executed, 24 - kept);
});
