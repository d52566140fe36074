/**
 * Outputs survive a real Ctrl-C: SIGINT is sent to a child process running the `cotwin` command
 * at the moment its writing starts (seen on the file system), and what is on disk afterwards is
 * checked against complete runs made beforehand: never a mix of two runs, never a directory that
 * looks finished but is not, and the next command accepts what was left.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { runOracleCommand } from "../../src/commands/oracle.ts";
import { cli } from "../helpers/cli.ts";
import { startCotwin, waitFor } from "../helpers/child.ts";

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "cotwin-interrupt-"));
  made.push(d);
  return d;
};

/** A run long enough to write (about 30,000 requests: a 2.4 MB requests.csv) that still takes under a second. */
function writeWindowScenario(dir: string): string {
  const file = path.join(dir, "write-window.yaml");
  writeFileSync(file, "name: write-window\nintervalS: 5\nintervals: 1000\nhosts:\n  - size: Standard_B2s\n    count: 16\nworkload: {kind: poisson, ratePerInterval: 30}\n");
  return file;
}

/** Every file of a run directory but run-info.json (the one that differs between two runs of a seed). */
function snapshot(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir)
      .filter((f) => f !== "run-info.json")
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), "utf8")]),
  );
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** Hidden siblings of `target` (temporary or set-aside directories). */
function siblings(target: string): string[] {
  const base = path.basename(target);
  return readdirSync(path.dirname(target)).filter((f) => f.startsWith(`.${base}.`));
}

test("simulate --out interrupted while writing leaves the previous run whole (or none), and the next run goes through", { timeout: 90_000 }, async () => {
  const dir = tmp();
  const scenario = writeWindowScenario(dir);
  const run = (seed: number, out: string) => ["simulate", "--scenario", scenario, "--policy", "least-loaded", "--seed", String(seed), "--out", out];
  const old = path.join(dir, "run");
  const ref2 = path.join(dir, "ref2");
  assert.equal((await cli(run(1, old))).code, 0);
  assert.equal((await cli(run(2, ref2))).code, 0);
  const seed1 = snapshot(old);
  const seed2 = snapshot(ref2);
  assert.ok(!same(seed1, seed2), "the two seeds give different runs");

  for (const [target, before] of [[old, seed1], [path.join(dir, "fresh"), new Map<string, string>()]] as const) {
    const child = startCotwin(run(2, target));
    let ended = false;
    void child.exited.then(() => (ended = true));
    // the first sign of writing: a hidden sibling (or, from a writer that is not atomic, a changed file)
    await waitFor(() => ended || siblings(target).length > 0 || !same(snapshot(target), before), "the run directory write to start");
    child.process.kill("SIGINT");
    const { signal, code } = await child.exited;
    const now = snapshot(target);
    if (signal === "SIGINT") assert.ok(same(now, before), `${target}: an interrupted write changed the directory (${[...now.keys()].join(", ")})`);
    else assert.ok(code === 0 && same(now, seed2), `${target}: finished before the signal, so it must hold the whole seed-2 run`);
  }

  // the next run writes over the leftovers and removes them
  const r = await cli(run(2, old));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(same(snapshot(old), seed2));
  assert.deepEqual(siblings(old), []);
});

test("an oracle data set interrupted during its first decision resumes to the same bytes as an uninterrupted one", { timeout: 60_000 }, async () => {
  const dir = tmp();
  const flags = (out: string) => ["oracle", "--scenario", "test/fixtures/tiny.yaml", "--out", out, "--intervals", "2", "--budget-evals", "400", "--patience", "0"];
  const quiet = { out: () => undefined, err: () => undefined, interactive: false };
  const whole = path.join(dir, "whole");
  assert.equal(await runOracleCommand(flags(whole).slice(1), quiet), 0);

  const cut = path.join(dir, "cut");
  const child = startCotwin(flags(cut));
  let ended = false;
  void child.exited.then(() => (ended = true));
  // data.jsonl is opened right before the first decision (which takes a few hundred ms here)
  await waitFor(() => ended || existsSync(path.join(cut, "data.jsonl")), "the data set to be opened");
  child.process.kill("SIGINT");
  const { signal } = await child.exited;
  assert.equal(signal, "SIGINT", `the oracle finished before the signal: ${child.stderr()}`);
  assert.ok(existsSync(path.join(cut, "manifest.json")), "the manifest exists before the first line");

  let err = "";
  const code = await runOracleCommand([...flags(cut).slice(1), "--resume"], { ...quiet, err: (t) => (err += t) });
  assert.equal(code, 0, err);
  assert.ok(readFileSync(path.join(cut, "data.jsonl")).equals(readFileSync(path.join(whole, "data.jsonl"))), "resumed data.jsonl differs");
});

test("an interrupted compare leaves nothing at --out, and the next compare into it goes through", { timeout: 60_000 }, async () => {
  const dir = tmp();
  const scenario = writeWindowScenario(dir);
  const out = path.join(dir, "cmp");
  const child = startCotwin(["compare", "--scenario", scenario, "--policies", "first-fit,least-loaded", "--seeds", "2", "--intervals", "300", "--out", out, "--json"]);
  let ended = false;
  void child.exited.then(() => (ended = true));
  await waitFor(() => ended || siblings(out).length > 0 || existsSync(out), "the comparison to start writing");
  child.process.kill("SIGINT");
  const { signal } = await child.exited;
  assert.equal(signal, "SIGINT", `compare finished before the signal: ${child.stderr()}`);
  assert.equal(existsSync(out), false, "an interrupted comparison is not at --out");
  const r = await cli(["compare", "--scenario", scenario, "--policies", "first-fit", "--seeds", "1", "--intervals", "20", "--out", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(path.join(out, "compare.json")));
  assert.deepEqual(siblings(out), [], "the interrupted comparison's leftovers are removed");
});
