// Trace-driven arrival tables: LLM request replay and per-VM demand windows.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ArrivalSpec, TableArrivals } from "../../simulator/arrivals.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { demandArrivals, traceArrivals } from "../../workloads/generators/index.ts";
import { readAzureLlmArrivals, readSeries, type AzureLlmTrace } from "../../workloads/traces/index.ts";
import { dataFile } from "../helpers/data.ts";

function drain(t: TableArrivals): ArrivalSpec[] {
  const out: ArrivalSpec[] = [];
  for (;;) {
    const a: ArrivalSpec = { time: 0, app: 0, deadline: 0, size: 0 };
    if (!t.next(a)) return out;
    out.push(a);
  }
}

const tiny: AzureLlmTrace = {
  file: "tiny",
  times: Float64Array.from([0, 1, 1, 4]),
  contextTokens: Int32Array.from([100, 300, 50, 0]),
  generatedTokens: Int32Array.from([20, 60, 10, 10]),
  startUtc: "",
  rows: 4,
  skippedRows: 0,
  skippedErrors: [],
};

test("traceArrivals: time scaling, token sizes, default unit-mean size", () => {
  const a = drain(traceArrivals(tiny, { deadlineS: 2, timeScale: 0.5, sizePerToken: 0.01, offsetS: 10 }));
  assert.deepEqual(a.map((x) => x.time), [10, 10.5, 10.5, 12]);
  assert.deepEqual(a.map((x) => x.size), [1.2, 3.6, 0.6, 0.1]);
  assert.deepEqual(a.map((x) => [x.app, x.deadline]), [[0, 2], [0, 2], [0, 2], [0, 2]]);
  // total tokens 550 over 4 requests: mean 137.5 -> size = tokens / 137.5
  const d = drain(traceArrivals(tiny, { deadlineS: 2, tokens: "context" }));
  assert.deepEqual(d.map((x) => x.size), [100 / 112.5, 300 / 112.5, 50 / 112.5, 0]);
  assert.throws(() => traceArrivals(tiny, { deadlineS: [1, 2] }), /need a RandomStream/);
  assert.throws(() => traceArrivals(tiny, { deadlineS: 1, timeScale: 0 }), /timeScale must be positive/);
});

test("traceArrivals on the Azure LLM trace: sampling keeps the fraction, same seed same table", async (t) => {
  const file = dataFile(t, "azure-llm-2023", "azure-llm-2023/AzureLLMInferenceTrace_code.csv");
  if (!file) return;
  const trace = await readAzureLlmArrivals(file);
  const full = traceArrivals(trace, { deadlineS: 10 });
  assert.equal(full.times.length, 8819);
  let mean = 0;
  for (const s of full.sizes) mean += s;
  assert.ok(Math.abs(mean / 8819 - 1) < 1e-12, "unit mean size by default");
  const opts = { deadlineS: [5, 15] as [number, number], sampleFraction: 0.25, app: { weights: [1, 1, 2] } };
  const a = traceArrivals(trace, { ...opts, stream: new RandomStream("llm") });
  const b = traceArrivals(trace, { ...opts, stream: new RandomStream("llm") });
  assert.deepEqual(drain(a), drain(b));
  const n = a.times.length;
  const sd = Math.sqrt(8819 * 0.25 * 0.75);
  assert.ok(Math.abs(n - 8819 * 0.25) < 4 * sd, `kept ${n}`);
  for (const d of a.deadlines) assert.ok(d >= 5 && d < 15);
  assert.ok(a.apps.every((x) => x >= 0 && x <= 2));
});

test("demandArrivals: size = busy vCPUs x window / interval; missing windows make no task", () => {
  const vmA = { times: Float64Array.from([1000, 1300, 1600, 1900]), values: Float64Array.from([50, NaN, 0, 25]), stepS: 300 };
  const vmB = { times: Float64Array.from([1300, 1600]), values: Float64Array.from([100, 10]), stepS: 300 };
  // percent of a 4-vCPU VM: 4 / 100 vCPUs per unit; scenario interval 60 s
  const t = demandArrivals([vmA, vmB], { intervalS: 60, vcpusPerUnit: 0.04, app: [2, 5] });
  const a = drain(t);
  assert.deepEqual(a.map((x) => x.time), [0, 300, 600, 900]);
  assert.deepEqual(a.map((x) => x.app), [2, 5, 5, 2]);
  // 50 % of 4 vCPUs = 2 vCPUs x 300 s / 60 s = 10; 100 % -> 4 x 5 = 20; 10 % -> 0.4 x 5 = 2; 25 % -> 1 x 5 = 5
  a.map((x) => x.size).forEach((s, i) => assert.ok(Math.abs(s - [10, 20, 2, 5][i]) < 1e-12));
  assert.deepEqual(a.map((x) => x.deadline), [300, 300, 300, 300]);
  assert.throws(() => demandArrivals([vmA, vmB], { intervalS: 60, vcpusPerUnit: 1, app: [1] }), /app has 1 entries for 2 series/);
});

test("demandArrivals on Bitbrains: with 300 s intervals, size equals busy vCPUs", async (t) => {
  const file = dataFile(t, "bitbrains", "bitbrains/bitbrains.csv");
  if (!file) return;
  const s = await readSeries(file, { column: "CPU usage [MHZ]" });
  const table = demandArrivals(s, { intervalS: 300, vcpusPerUnit: 1 / 2599.999309 });
  let positive = 0;
  for (let i = 0; i < s.values.length; i++) if (s.values[i] > 0) positive++;
  assert.equal(table.times.length, positive);
  assert.equal(table.times[0], 0);
  assert.ok(Math.abs(table.sizes[0] - 19.06666159933333 / 2599.999309) < 1e-15);
});
