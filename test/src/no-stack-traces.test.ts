/**
 * A net under every command: many bad inputs, each must end with a short message that names the
 * culprit (the file, key or flag), exit code 2 for bad input (1 for a network failure), and never
 * a stack frame ("    at ") on either stream. The command line runs in-process here (fast); the
 * process-level paths (a closed pipe, the entry point) are run as real child processes at the end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { after, test } from "node:test";
import { cli } from "../helpers/cli.ts";
import { startCotwin } from "../helpers/child.ts";
import { repoRoot } from "../helpers/data.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-sweep-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);
const TINY = "test/fixtures/tiny.yaml";

function write(name: string, text: string | Buffer): string {
  writeFileSync(at(name), text);
  return at(name);
}

/** A tenant scenario of 2 hosts with `workload` (YAML flow text). */
function scenario(name: string, workload: string, extra = ""): string {
  return write(`${name}.yaml`, `name: ${name}\nintervalS: 5\nintervals: 4\nhosts:\n  - size: Standard_B2s\n    count: 2\nworkload: ${workload}\n${extra}`);
}

const LLM_HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
const trace = (name: string, body: string | Buffer) => scenario(name, `{kind: trace, source: ${write(name, body)}}`);

type Case = [args: string[], code: number, culprit: RegExp];

function cases(): Case[] {
  const csv = (rows: string) => LLM_HEADER + rows;
  const gz = gzipSync(Buffer.from(csv("2023-11-16 18:15:46.68,10,10\n".repeat(50))));
  const foreign = at("foreign");
  mkdirSync(foreign, { recursive: true });
  write("foreign/notes.txt", "mine\n");
  write("foreign-file.txt", "mine\n");
  return [
    // simulate: traces
    [["simulate", "--scenario", trace("empty.csv", "")], 2, /empty\.csv: empty file/],
    [["simulate", "--scenario", trace("binary.csv", Buffer.from([0, 159, 146, 150, 10, 255, 0, 1]))], 2, /binary\.csv:1: not an Azure LLM inference trace/],
    [["simulate", "--scenario", trace("cut.csv.gz", gz.subarray(0, gz.length - 20))], 2, /cut\.csv\.gz: .*\(corrupt or truncated gzip\)/],
    [["simulate", "--scenario", trace("unsorted.csv", csv("2023-11-16 18:15:46,1,1\n2023-11-16 18:15:40,1,1\n"))], 2, /unsorted\.csv:3: column "TIMESTAMP": expected a time not before the previous row's/],
    [["simulate", "--scenario", trace("nan.csv", csv("2023-11-16 18:15:46,NaN,1\n"))], 2, /nan\.csv:2: column "ContextTokens": expected a non-negative integer, got "NaN"/],
    [["simulate", "--scenario", trace("columns.csv", "a,b,c\n1,2,3\n")], 2, /columns\.csv:1: not an Azure LLM inference trace/],
    [["simulate", "--scenario", trace("header.csv", LLM_HEADER)], 2, /header\.csv has a header but no requests/],
    [["simulate", "--scenario", trace("y1969.csv", csv("1969-12-31 23:59:59,1,1\n2023-11-16 18:15:46,1,1\n"))], 2, /y1969\.csv:2: column "TIMESTAMP": expected a date-time from 1970 on, got "1969-12-31 23:59:59"/],
    [["simulate", "--scenario", scenario("nosource", "{kind: trace, source: nowhere.csv}")], 2, /workload\.source: "nowhere\.csv" is neither a data set/],
    [["simulate", "--scenario", trace("no-newline.bin", Buffer.alloc(1_100_000, 7))], 2, /no-newline\.bin:1: a line longer than 1000000 bytes: not a text trace/],
    [["simulate", "--scenario", "/dev/zero"], 2, /\/dev\/zero: not a regular file/],
    // simulate: scenarios and flags
    [["simulate", "--scenario", scenario("zeros", "{kind: poisson, ratePerInterval: 1, appWeights: [0, 0, 0, 0, 0, 0, 0]}")], 2, /workload\.appWeights: every weight is 0/],
    [["simulate", "--scenario", scenario("calm", "{kind: bursty, ratesPerInterval: [0, 0], meanDwellS: [10, 10]}")], 2, /workload\.ratesPerInterval: both rates are 0/],
    [["simulate", "--scenario", scenario("huge", "{kind: poisson, ratePerInterval: 1e12}")], 2, /workload\.ratePerInterval .* above the limit of 2,000,000/],
    [["simulate", "--scenario", write("prov.yaml", "name: p\nview: provider\nhosts: {count: 1, pes: 1, mipsPerPe: 1, ramMB: 1, bwMbps: 1}\nvms: {count: 1, pes: 1, mips: 1, ramMB: 1, bwMbps: 1, bogus: 1}\ncloudlets: {count: 1, pes: 1, lengthMI: 1}\n")], 2, /prov\.yaml: vms\.bogus: unknown key/],
    [["simulate", "--scenario", "cloudsim-scale", "--policy", "oracle"], 2, /--policy oracle: cloudsim-scale is a provider-view scenario.*the oracle decides for tenant scenarios only/],
    [["simulate", "--scenario", "cloudsim-scale", "--intervals", "10"], 2, /--intervals: cloudsim-scale is a provider-view scenario/],
    [["simulate", "--scenario", "cloudsim-ladder-k16"], 2, /cloudsim-ladder-k16: .* entities .* above the limit of 16,000,000/],
    [["simulate", "--scenario", TINY, "--out", "/proc/cotwin-x"], 2, /--out \/proc\/cotwin-x: cannot create anything in \/proc/],
    [["simulate", "--scenario", TINY, "--out", "/dev/null"], 2, /--out \/dev\/null: exists and is not a directory/],
    [["simulate", "--scenario", TINY, "--out", "simulator/scenarios/new-run"], 2, /--out: simulator\/scenarios\/new-run is inside cotwin's own source tree/],
    [["simulate", "--scenario", TINY, "--seed", "-1"], 2, /--seed must be a non-negative integer, got "-1"/],
    [["simulate", "--scenario", TINY, "--seed", "abc"], 2, /--seed must be a non-negative integer, got "abc"/],
    [["simulate", "--scenario", TINY, "--scenario", "scinet-testbed"], 2, /--scenario was given 2 times \("test\/fixtures\/tiny\.yaml", "scinet-testbed"\); give it once/],
    [["simulate", "--scenario", TINY, "--intervals", "2000000"], 2, /--intervals: 2,000,000 intervals is above the limit of 1,000,000/],
    [["simulate", "--scenario", TINY, "--policy", "least-loaded", "--oracle-budget-ms", "5"], 2, /--oracle-budget-ms applies to the oracle only: run it with --policy oracle/],
    [["simulate", "--scenario", TINY, "--policy", "oracle", "--oracle-evals", "x"], 2, /--oracle-evals must be a positive integer, got "x"/],
    [["simulate"], 2, /Missing required argument: scenario/],
    // compare, bench, worker
    [["compare", "--scenario", TINY, "--policies", ",,,"], 2, /--policies names no policy/],
    [["compare", "--scenario", TINY, "--policies", ""], 2, /--policies names no policy/],
    [["compare", "--scenario", TINY, "--seeds", "100000000"], 2, /--seeds: 100000000 is above the limit of 100000/],
    [["compare", "--scenario", TINY, "--policies", "first-fit", "--out", foreign], 2, new RegExp(`--out ${foreign}: is not empty and is not a comparison`)],
    [["bench", "--out", at("b"), "--policies", ",,"], 2, /--policies names nothing/],
    [["bench", "--out", at("b"), "--policies", "first-fit", "--oracle-budget-ms", "50"], 2, /--oracle-budget-ms applies to the oracle only: add oracle to --policies/],
    [["bench", "--out", at("b"), "--workers", "1000"], 2, /--workers: 1,000 worker threads is above the limit of 64/],
    [["bench", "--out", at("b"), "--seeds", "x"], 2, /--seeds/],
    [["worker", "--queue", "redis://127.0.0.1:1", "--workers", "1000"], 2, /--workers: 1,000 worker threads is above the limit of 64/],
    [["worker", "--queue", "http://x"], 2, /redis:\/\//],
    [["nosuch"], 2, /Unknown argument: nosuch/],
    [["scenarios", "--bogus"], 2, /Unknown argument: bogus/],
    // oracle
    [["oracle", "--scenario", "cloudsim-scale", "--out", at("o")], 2, /--scenario cloudsim-scale: a provider-view scenario; the oracle decides for tenant scenarios only/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--horizon=abc"], 2, /--horizon must be a number, got "abc"/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--seed", "abc"], 2, /--seed must be a number, got "abc"/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--seed", "-1"], 2, /--seed must be an integer >= 0, got -1/],
    [["oracle", "--scenario", TINY, "--scenario", TINY, "--out", at("o")], 2, /--scenario was given 2 times/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--workers", "1000"], 2, /--workers: at most 64 worker threads/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--intervals", "5000000"], 2, /--intervals: 5,000,000 intervals is above the limit/],
    [["oracle", "--scenario", TINY, "--out", foreign], 2, new RegExp(`--out ${foreign}: is not empty and is not an oracle data set`)],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--resume", "--force"], 2, /give one/],
    [["oracle", "--scenario", TINY, "--out", at("o"), "--method", "nope"], 2, /--method|Choices/],
    // data
    [["data", "fetch", "nosuch"], 2, /unknown dataset "nosuch"/],
    [["data", "fetch", "vm-load", "--timeout", "0"], 2, /--timeout must be a number of seconds/],
    [["data", "fetch", "vm-load", "--retries", "x"], 2, /--retries must be an integer from 0 to 10, got "x"/],
    [["data", "serverless", "--out", at("s.csv"), "--seed", "-1"], 2, /--seed must be an integer >= 0, got "-1"/],
    [["data", "serverless", "--out", at("s.csv"), "--seed", "abc"], 2, /--seed must be an integer >= 0, got "abc"/],
    [["data", "serverless", "--out", at("s.csv"), "--functions", "1000000000"], 2, /--functions: 1,000,000,000 is above the limit of 10,000/],
    [["data", "serverless", "--out", at("s.csv"), "--functions", "10000", "--duration", "86400"], 2, /about 594,000,000 invocations .* above the limit of 10,000,000/],
    [["data", "serverless", "--out", at("foreign-file.txt")], 2, /--out .*foreign-file\.txt: exists and was not written by this command; refusing to overwrite it \(pass --force/],
    [["data", "serverless", "--out", "README.md"], 2, /--out: README\.md is one of cotwin's own files/],
    [["data", "nosuch"], 2, /Unknown argument: nosuch/],
    // forecast
    [["forecast", "eval", "--data", at("nowhere.csv")], 2, /nowhere\.csv/],
    [["forecast", "eval", "--data", at("empty.csv"), "--horizon=abc"], 2, /--horizon must be a number, got "abc"/],
    [["forecast", "train", "--data", at("empty.csv"), "--model", "naive", "--out", "src/model"], 2, /--out: src\/model is inside cotwin's own source tree/],
    [["forecast", "predict", "--model", at("nowhere"), "--data", at("empty.csv")], 2, /nowhere/],
    [["forecast", "tune", "--data", at("empty.csv"), "--model", "ridge", "--eta", "1"], 2, /--eta/],
    [["forecast", "plot", "--data", "/dev/zero", "--out", at("charts")], 2, /--data: \/dev\/zero is not a regular file/],
    [["forecast", "nosuch"], 2, /Unknown argument: nosuch/],
    // deploy and calibrate (nothing reaches a target)
    [["deploy", "--target", "dry-run", "--scenario", at("nowhere.yaml")], 2, /nowhere\.yaml: cannot read scenario file/],
    [["deploy", "--target", "dry-run", "--scenario", TINY, "--seed", "abc"], 2, /--seed must be a number, got "abc"/],
    [["deploy", "--target", "dry-run", "--scenario", TINY, "--state-dir", "deploy/state"], 2, /--state-dir: deploy\/state is inside cotwin's own source tree/],
    [["deploy", "--target", "nowhere", "--scenario", TINY], 2, /--target|Choices/],
    [["calibrate", "--target", "dry-run", "--scenario", TINY, "--intervals", "x"], 2, /--intervals must be a number, got "x"/],
  ];
}

test("bad inputs to every command: the message alone, naming the culprit, exit code 2, no stack trace", { timeout: 120_000 }, async () => {
  for (const [args, code, culprit] of cases()) {
    let r: { code: number; stdout: string; stderr: string };
    try {
      r = await cli(args);
    } catch (e) {
      assert.fail(`${args.join(" ")}: threw instead of reporting: ${(e as Error).stack}`);
    }
    const what = `${args.join(" ")}\n${r.stderr}`;
    assert.equal(r.code, code, what);
    assert.match(r.stderr, culprit, what);
    assert.match(r.stderr, /^cotwin[a-z ]*: /, what);
    assert.ok(!r.stderr.includes("    at ") && !r.stdout.includes("    at "), `a stack frame: ${what}`);
    assert.ok(!/ZodError|"code":|ERR_INVALID_ARG_TYPE/.test(r.stderr), `a raw error: ${what}`);
    assert.ok(r.stderr.trim().split("\n").length <= 3, `more than a message: ${what}`);
  }
});

test("a download from a server that never answers fails in time, naming the URL and the file (exit 1, no stack trace)", { timeout: 20_000 }, async () => {
  let requests = 0;
  const server = createServer(() => {
    requests++; // never answers
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const t0 = Date.now();
    const prev = process.env.COTWIN_DATA_DIR;
    process.env.COTWIN_DATA_DIR = at("data");
    // a time-out long enough that each attempt reaches the server even on a loaded machine (the
    // server counts them in this process: at 0.2 s a busy event loop let the second go unseen)
    const r = await cli(["data", "fetch", "vm-load", "--base-url", base, "--timeout", "0.6", "--retries", "1"]).finally(() => {
      if (prev === undefined) delete process.env.COTWIN_DATA_DIR;
      else process.env.COTWIN_DATA_DIR = prev;
    });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `cotwin data: fetch vm-load: GET ${base}/vm-load/aa.txt (vm-load/aa.txt) failed 2 times: no response in 0.6 s\n`);
    assert.equal(requests, 2);
    // two attempts of 0.6 s and a 1 s pause between them
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
});

test("the real command: a closed pipe (`cotwin ... | head`) ends quietly, and a bad input prints one line", { timeout: 60_000 }, async () => {
  // the reader goes away after the first chunk, as `head -c 1` does
  const c = startCotwin(["scenarios"]);
  c.process.stdout!.once("data", () => c.process.stdout!.destroy());
  const piped = await c.exited;
  assert.equal(piped.code, 0, c.stderr());
  assert.ok(!/EPIPE|    at /.test(c.stderr()), c.stderr());

  const bad = startCotwin(["simulate", "--scenario", trace("child-empty.csv", "")]);
  const r = await bad.exited;
  assert.equal(r.code, 2);
  assert.match(bad.stderr(), /^cotwin: .*child-empty\.csv: empty file \(no header line\)\n$/);

  // `npm run bench -- nosuch` used to run nothing and say nothing
  const bench = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/bench/index.ts"), "twin", "nosuch"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(bench.status, 2);
  assert.equal(bench.stderr, 'npm run bench: unknown section "nosuch" (sections: startup, twin, provider, forecast, matrix, deploy, oracle, learner, learner-latency; none: all of them)\n');
  assert.equal(bench.stdout, "");
});

test("the one error handler: input errors exit 2 with the message alone, others 1; a raw schema error is put in words", async () => {
  const { reportError } = await import("../../src/errors.ts");
  const { InputError } = await import("../../simulator/errors.ts");
  const { z } = await import("zod");
  const run = (e: unknown, env: NodeJS.ProcessEnv = {}) => {
    let text = "";
    const code = reportError(e, "cotwin x", (t) => (text += t), env);
    return { code, text };
  };
  assert.deepEqual(run(new InputError("a.yaml: hosts: bad")), { code: 2, text: "cotwin x: a.yaml: hosts: bad\n" });
  const zod = z.strictObject({ hosts: z.array(z.number()) }).safeParse({ hosts: ["a"] }).error;
  assert.deepEqual(run(zod), { code: 2, text: "cotwin x: hosts.0: expected number, received string\n" });
  const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'x.csv'"), { code: "ENOENT" });
  assert.equal(run(missing).code, 2);
  const fault = run(new TypeError("Cannot read properties of undefined (reading 'length')"));
  assert.equal(fault.code, 1);
  assert.match(fault.text, /^cotwin x: Cannot read properties of undefined \(reading 'length'\) \(a fault in cotwin, not in the input: please report it; COTWIN_DEBUG=1 prints where it happened\)\n$/);
  assert.ok(!fault.text.includes("    at "));
  assert.match(run(new TypeError("boom"), { COTWIN_DEBUG: "1" }).text, /\n {4}at /, "COTWIN_DEBUG=1 adds the stack");
});
