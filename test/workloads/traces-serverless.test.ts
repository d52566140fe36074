import { test } from "node:test";
import assert from "node:assert/strict";
import { readSeries } from "../../workloads/traces/read-series.ts";
import { generateServerlessData, serverlessCsv } from "../../workloads/generators/serverless.ts";
import { serverlessPreset } from "../../src/commands/data.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

test("serverless data reads as a per-window mean with empty windows missing, not zero", async () => {
  // 60 s windows: [0, 60) holds 1, 2, 3 -> mean 2; [60, 120) is empty; [120, 180) holds 5.
  const s = await readSeries("test/fixtures/serverless-small.csv");
  assert.equal(s.format, "serverless");
  assert.equal(s.column, "ResponseTime");
  assert.deepEqual(Array.from(s.times), [0, 60, 120]);
  assert.equal(s.values[0], 2);
  assert.ok(Number.isNaN(s.values[1]));
  assert.equal(s.values[2], 5);
  assert.deepEqual(Array.from(s.mask), [1, 0, 1]);
  // one function only: fn-0 has 1 and 3 in the first window
  const f0 = await readSeries("test/fixtures/serverless-small.csv", { vm: "fn-0", missing: "interpolate" });
  assert.deepEqual(Array.from(f0.values), [2, 3.5, 5]);
  await assert.rejects(readSeries("test/fixtures/serverless-small.csv", { column: "Latency" }), {
    message: 'serverless-small.csv: no column "Latency" (columns: FunctionID, Timestamp, ResponseTime, CPUUtilization, MemoryUtilization, ColdStart, ColdStartLatency, ThrottlingRate, ErrorRate)',
  });
});

test("generated serverless data round-trips through its CSV and reader", async () => {
  const { rows } = generateServerlessData({ functions: serverlessPreset(2), durationS: 600, seed: 3 });
  const dir = mkdtempSync(path.join(tmpdir(), "cotwin-sl-"));
  const file = path.join(dir, "sl.csv");
  writeFileSync(file, serverlessCsv(rows));
  const s = await readSeries(file, { vm: "fn-1", stepS: 60 } as never);
  // the mean over windows equals the mean computed from the rows directly (windows weighted by count)
  const mine = rows.filter((r) => r.FunctionID === "fn-1");
  const byWindow = new Map<number, number[]>();
  for (const r of mine) {
    const w = Math.floor(r.Timestamp / 60);
    byWindow.set(w, [...(byWindow.get(w) ?? []), r.ResponseTime]);
  }
  const first = Math.min(...byWindow.keys());
  const want = byWindow.get(first)!.reduce((a, b) => a + b, 0) / byWindow.get(first)!.length;
  assert.ok(Math.abs(s.values[0] - want) < 1e-12);
});
