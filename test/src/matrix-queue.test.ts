/**
 * A sweep through a real Redis (Debian's redis-server, started here on 127.0.0.1) and BullMQ:
 * `cotwin bench --queue` submits, `cotwin worker` processes serve it. One worker is killed in the
 * middle of a run, and the submitter is interrupted and restarted: every run still ends up filed
 * exactly once, with results identical to the same sweep made locally. Skips, saying why, when
 * redis-server is absent.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { simulatedPart } from "../../src/matrix/execute.ts";
import { ResultStore } from "../../src/matrix/store.ts";
import { runSweep } from "../../src/matrix/sweep.ts";
import { repoRoot } from "../helpers/data.ts";
import { cli } from "../helpers/cli.ts";

const BIN = path.join(repoRoot, "src/bin.mjs");
const SLOW = path.join(repoRoot, "test/fixtures/policies/slow-first-fit.ts");
const children: ChildProcess[] = [];

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function redisServer(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
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

/** A child process with its stderr collected, and a way to wait for a line or the exit. */
function start(args: string[], cwd = repoRoot) {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const p = { child, stdout: "", stderr: "", exit: new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))) };
  child.stdout!.on("data", (d) => (p.stdout += d));
  child.stderr!.on("data", (d) => (p.stderr += d));
  return p;
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("a queue address must be redis://host:port; an unreachable Redis is one clear line", async () => {
  const bad = await cli(["bench", "--out", mkdtempSync(path.join(os.tmpdir(), "cotwin-q-")), "--queue", "http://127.0.0.1:6379"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--queue must be a Redis URL like redis:\/\/127\.0\.0\.1:6379/);
  const port = await freePort();
  const none = await cli(["worker", "--queue", `redis://127.0.0.1:${port}`]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, new RegExp(`^cotwin: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*\\n$`));
});

test("workers on a Redis queue: one killed mid-run, the submitter restarted, every run filed once, results as local", { timeout: 120_000 }, async (t) => {
  const exe = redisServer();
  if (!exe) {
    t.skip("redis-server is absent: install Debian's redis-server (.ci/run does)");
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-q-"));
  const port = await freePort();
  const redis = spawn(exe, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(redis);
  let redisLog = "";
  redis.stdout!.on("data", (d) => (redisLog += d));
  await until("redis-server to accept connections", () => /Ready to accept connections/.test(redisLog), 10_000);
  const url = `redis://127.0.0.1:${port}`;

  const out = path.join(dir, "out");
  const sweep = ["bench", "--scenarios", "scinet-testbed", "--policies", `${SLOW},first-fit`, "--seeds", "1..4", "--intervals", "100", "--out", out, "--queue", url, "--no-report", "--json"];
  const worker = () => start([BIN, "worker", "--queue", url, "--workers", "1", "--lock-ms", "1500"]);
  const a = worker();
  const b = worker();
  await until("two workers serving", () => /serving the queue/.test(a.stderr) && /serving the queue/.test(b.stderr));
  const s1 = start([BIN, ...sweep]);

  // kill worker A in the middle of its first (slow) run
  await until("worker A to start a run", () => /started .*slow-first-fit/.test(a.stderr));
  a.child.kill("SIGKILL");
  await a.exit;
  const killedJob = /started .*slow-first-fit.* \(job ([0-9a-f]{12})\)/.exec(a.stderr)![1];
  assert.equal(new RegExp(`finished .*\\(job ${killedJob}\\)`).test(a.stderr), false, "A did not finish it");

  // interrupt the submitter once something is filed, with work still on the queue
  await until("a first result", () => existsSync(path.join(out, "runs")) && readdirSync(path.join(out, "runs")).some((f) => f.endsWith(".json") && !f.startsWith(".")));
  s1.child.kill("SIGINT");
  assert.equal(await s1.exit, 130, s1.stderr);
  assert.match(s1.stderr, /interrupted: \d+ of 8 runs done/);

  const c = worker();
  const s2 = start([BIN, ...sweep]);
  const code = await s2.exit;
  assert.equal(code, 0, s2.stderr);
  const summary = JSON.parse(s2.stdout) as { runs: number; executed: number; reused: number; failures: unknown[] };
  assert.equal(summary.runs, 8);
  assert.equal(summary.executed + summary.reused, 8);
  assert.ok(summary.reused >= 1, "the first submitter's results were kept");
  assert.deepEqual(summary.failures, []);
  const files = readdirSync(path.join(out, "runs"));
  assert.equal(files.length, 8, "each run filed once");
  // the job A died in was run again by another worker
  assert.ok(new RegExp(`finished .*\\(job ${killedJob}\\)`).test(b.stderr + c.stderr), `job ${killedJob} was not retried:\n${b.stderr}\n${c.stderr}`);

  // the same sweep made locally gives identical results, run by run
  const local = path.join(dir, "local");
  await runSweep({ scenarios: ["scinet-testbed"], policies: [SLOW, "first-fit"], seeds: [1, 2, 3, 4], intervals: 100, out: local, workers: 2, progress: false, report: false });
  const qs = new ResultStore(out);
  const ls = new ResultStore(local);
  assert.deepEqual(readdirSync(path.join(local, "runs")).sort(), [...files].sort(), "same keys");
  for (const f of files) {
    const key = f.slice(0, -5);
    const q = qs.read(key)!;
    const l = ls.read(key)!;
    assert.deepEqual(simulatedPart(q.summary), simulatedPart(l.summary), `${q.policy} seed ${q.seed}`);
    assert.deepEqual(q.intervals.energyKWh, l.intervals.energyKWh);
    assert.deepEqual(q.hostsBySize, l.hostsBySize);
  }

  for (const w of [b, c]) w.child.kill("SIGTERM");
  assert.deepEqual(await Promise.all([b.exit, c.exit]), [0, 0]);
  assert.match(b.stderr + c.stderr, /stopped; \d+ run\(s\) completed/);
  redis.kill("SIGTERM");
});
