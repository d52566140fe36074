/**
 * `cotwin data serverless` load knobs reach the generator: keep-alive 0 makes an invocation cold
 * exactly when none is in flight, a concurrency limit below the offered concurrency throttles,
 * --rate-scale multiplies the arrivals; bad values name their flag.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli } from "../helpers/cli.ts";

interface Stats {
  /** arrivals, run or throttled */
  id: string;
  invocations: number;
  throttled: number;
  coldStarts: number;
}

async function generate(dir: string, name: string, flags: string[]): Promise<{ stats: Stats[]; rows: string[][] }> {
  const out = path.join(dir, `${name}.csv`);
  const r = await cli(["data", "serverless", "--out", out, "--functions", "1", "--duration", "3600", "--seed", "3", ...flags]);
  assert.equal(r.code, 0, r.stderr);
  const stats = r.stdout.split("\n").filter((l) => l.startsWith("  {")).map((l) => JSON.parse(l) as Stats);
  const rows = readFileSync(out, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  return { stats, rows };
}

test("data serverless: the load knobs change the data as their definitions say", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-serverless-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // fn-0: 0.5 invocations/s of 0.2 s work, keep-alive 600 s, concurrency limit 8
  const plain = await generate(dir, "plain", []);
  assert.equal(plain.stats[0].throttled, 0);
  // 600 s of keep-alive at 0.5/s: only the first invocation starts cold
  assert.equal(plain.stats[0].coldStarts, 1);

  // keep-alive 0: cold exactly when no earlier invocation is still in flight at the arrival
  const cold = await generate(dir, "cold", ["--keep-alive", "0"]);
  let busyUntil = -Infinity;
  let expected = 0;
  for (const r of cold.rows) {
    const at = Number(r[1]);
    const isCold = r[5] === "1";
    const shouldBe = !(busyUntil > at);
    assert.equal(isCold, shouldBe, `invocation at ${at}`);
    if (shouldBe) expected++;
    busyUntil = Math.max(busyUntil, at + Number(r[2]));
  }
  assert.equal(cold.stats[0].coldStarts, expected);
  // M/G/inf (the limit of 8 is never reached): by PASTA an arrival finds nothing in flight with
  // probability exp(-rate x mean time in flight), the cold start included
  const rate = cold.rows.length / 3600;
  const meanInFlight = cold.rows.reduce((a, r) => a + Number(r[2]), 0) / cold.rows.length;
  const share = expected / cold.rows.length;
  assert.ok(Math.abs(share - Math.exp(-rate * meanInFlight)) < 0.04, `cold share ${share} vs ${Math.exp(-rate * meanInFlight)}`);

  // twice the rate: Poisson counts over 3600 s, about 1800 and 3600 (sd about 42 and 60)
  const double = await generate(dir, "double", ["--rate-scale", "2"]);
  const ratio = double.stats[0].invocations / plain.stats[0].invocations;
  assert.ok(ratio > 1.85 && ratio < 2.15, `ratio ${ratio}`);

  // 25 invocations/s of 0.2 s: about 5 in flight on average, against a limit of 1
  const throttled = await generate(dir, "throttled", ["--rate-scale", "50", "--concurrency-limit", "1"]);
  const s = throttled.stats[0];
  // every arrival counts as an invocation; it either runs (a row) or is throttled
  assert.equal(throttled.rows.length + s.throttled, s.invocations);
  assert.ok(s.throttled > throttled.rows.length, `${s.throttled} throttled, ${throttled.rows.length} run`);
  // 25/s x 3600 s = 90,000 arrivals (sd 300)
  assert.ok(Math.abs(s.invocations - 90_000) < 1_500, `${s.invocations}`);
  // at most one in flight: no row starts before the previous one has ended
  for (let i = 1; i < throttled.rows.length; i++) {
    const prevEnd = Number(throttled.rows[i - 1][1]) + Number(throttled.rows[i - 1][2]);
    assert.ok(Number(throttled.rows[i][1]) >= prevEnd - 1e-9, `row ${i} overlaps the one before`);
  }
});

test("data serverless: a bad load knob names its flag", async () => {
  const out = path.join(os.tmpdir(), `cotwin-never-${process.pid}.csv`);
  for (const [flags, re] of [
    [["--rate-scale", "0"], /--rate-scale must be a number above 0 and at most 1000, got "0"/],
    [["--rate-scale", "x"], /--rate-scale must be a number above 0/],
    [["--burstiness", "0.5"], /--burstiness must be a number from 1 to 100, got "0.5"/],
    [["--burstiness", "20"], /--burstiness 20: at most 10 for function fn-0/],
    [["--keep-alive", "-1"], /--keep-alive must be a number of seconds >= 0, got "-1"/],
    [["--concurrency-limit", "1.5"], /--concurrency-limit must be an integer >= 1, got "1.5"/],
  ] as const) {
    const r = await cli(["data", "serverless", "--out", out, "--duration", "60", ...flags]);
    assert.equal(r.code, 2, `${flags.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
