// The serverless performance generator (properties of its queueing model) and its preprocessing.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  generateServerlessData, hourOfDayFeatures, matrixFromRows, MinMaxScaler, preprocessServerless, serverlessCsv,
  type ServerlessFunctionSpec, type ServerlessRow,
} from "../../workloads/generators/index.ts";

const base: ServerlessFunctionSpec = {
  id: "f", ratePerS: 1, meanWorkS: 0.1, vcpus: 1, memoryMb: 512, keepAliveS: 60,
  coldStartMeanS: 1, concurrencyLimit: 100,
};

function meanResponse(rows: ServerlessRow[]): number {
  return rows.reduce((s, r) => s + r.ResponseTime, 0) / rows.length;
}

test("cold start exactly when nothing is in flight and the function idled longer than the keep-alive", () => {
  const keepAliveS = 60;
  const { rows, stats } = generateServerlessData({
    seed: 7, durationS: 40_000,
    functions: [{ ...base, id: "sparse", ratePerS: 1 / 60, keepAliveS, meanWorkS: 2, coldStartMeanS: 3 }],
  });
  let cold = 0;
  let sawWarmAfterIdle = false;
  let lastDone = -Infinity;
  let inFlightUntil = -Infinity;
  for (const r of rows) {
    // From the rows alone: busy if an earlier invocation completes after this arrival.
    const busy = inFlightUntil > r.Timestamp;
    const idle = r.Timestamp - lastDone;
    const expectCold = !busy && idle > keepAliveS;
    assert.equal(r.ColdStart, expectCold ? 1 : 0, `arrival ${r.Timestamp}: idle ${idle}, busy ${busy}`);
    assert.equal(r.ColdStartLatency > 0, r.ColdStart === 1);
    if (!busy && idle > 0 && idle <= keepAliveS) sawWarmAfterIdle = true;
    cold += r.ColdStart;
    const done = r.Timestamp + r.ResponseTime;
    inFlightUntil = Math.max(inFlightUntil, done);
    lastDone = Math.max(lastDone, done);
  }
  assert.equal(cold, stats[0].coldStarts);
  assert.ok(sawWarmAfterIdle && cold > 100, "both cases occur");
  // Poisson gaps: P(gap > 60 s + service) is about e^-1 (plus some), far from 0 and 1.
  assert.ok(cold / rows.length > 0.3 && cold / rows.length < 0.45, `cold share ${cold / rows.length}`);
});

test("a lone invocation takes its work plus its cold start; no concurrency means no slowdown", () => {
  const { rows } = generateServerlessData({
    seed: 3, durationS: 20_000,
    functions: [{ ...base, ratePerS: 1 / 500, workCv: 0, meanWorkS: 0.25, keepAliveS: 100, coldStartMeanS: 2 }],
  });
  let lone = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const overlapped = (i > 0 && rows[i - 1].Timestamp + rows[i - 1].ResponseTime > r.Timestamp) ||
      (i + 1 < rows.length && r.Timestamp + r.ResponseTime > rows[i + 1].Timestamp);
    if (overlapped) continue;
    lone++;
    assert.ok(Math.abs(r.ResponseTime - (0.25 + r.ColdStartLatency)) < 1e-9);
    if (r.ColdStart === 0) assert.ok(Math.abs(r.CPUUtilization - 100) < 1e-9);
  }
  assert.ok(lone > 30);
});

test("response time grows with load as processor sharing predicts: E[T] = E[S] / (1 - rho)", () => {
  // M/G/1-PS (one vCPU, no throttling, one cold start at the beginning only): insensitive to the
  // work distribution, so E[T] = 0.1 / (1 - rho).
  const results = [2, 5, 7].map((rate) => {
    const { rows } = generateServerlessData({
      seed: 11, durationS: 10_000,
      functions: [{ ...base, ratePerS: rate, keepAliveS: 1e9, coldStartMeanS: 0, concurrencyLimit: 10_000 }],
    });
    const m = meanResponse(rows);
    const expected = 0.1 / (1 - rate * 0.1);
    assert.ok(Math.abs(m / expected - 1) < 0.08, `rate ${rate}: ${m} vs ${expected}`);
    return m;
  });
  assert.ok(results[0] < results[1] && results[1] < results[2]);
});

test("throttling above the concurrency limit, and more errors when throttling is high", () => {
  const { rows, stats } = generateServerlessData({
    seed: 5, durationS: 3600,
    functions: [{ ...base, ratePerS: 4, meanWorkS: 0.5, concurrencyLimit: 3, baseErrorRate: 0.01, throttleErrorGain: 0.5 }],
  });
  assert.ok(stats[0].throttled > 0);
  assert.equal(rows.length, stats[0].invocations - stats[0].throttled);
  const calm = rows.filter((r) => r.ThrottlingRate === 0);
  const hot = rows.filter((r) => r.ThrottlingRate > 0.5);
  assert.ok(hot.length > 100 && calm.length > 0);
  const mean = (rs: ServerlessRow[]) => rs.reduce((s, r) => s + r.ErrorRate, 0) / rs.length;
  assert.ok(mean(hot) > 5 * mean(calm) && mean(hot) > 0.15, `error rate hot ${mean(hot)} calm ${mean(calm)}`);
});

test("deterministic per seed; each function has its own stream", () => {
  const fa = { ...base, id: "a", ratePerS: 2 };
  const fb = { ...base, id: "b", ratePerS: 0.5, vcpus: 2 };
  const one = generateServerlessData({ seed: 1, durationS: 600, functions: [fa, fb] });
  assert.deepEqual(one, generateServerlessData({ seed: 1, durationS: 600, functions: [fa, fb] }));
  assert.notDeepEqual(one.rows, generateServerlessData({ seed: 2, durationS: 600, functions: [fa, fb] }).rows);
  const alone = generateServerlessData({ seed: 1, durationS: 600, functions: [fa] });
  assert.deepEqual(alone.rows, one.rows.filter((r) => r.FunctionID === "a"));
  for (let i = 1; i < one.rows.length; i++) assert.ok(one.rows[i].Timestamp >= one.rows[i - 1].Timestamp);
  const csv = serverlessCsv(one.rows).split("\n");
  assert.equal(csv[0], "FunctionID,Timestamp,ResponseTime,CPUUtilization,MemoryUtilization,ColdStart,ColdStartLatency,ThrottlingRate,ErrorRate");
  assert.equal(csv.length, one.rows.length + 2);
  assert.throws(() => generateServerlessData({ seed: 1, durationS: 1, functions: [fa, fa] }), /function ids must be unique/);
});

test("hour-of-day features are a circle", () => {
  assert.deepEqual(hourOfDayFeatures(0), [0, 1]);
  const [s6, c6] = hourOfDayFeatures(6 * 3600);
  assert.ok(Math.abs(s6 - 1) < 1e-15 && Math.abs(c6) < 1e-15);
  const [s, c] = hourOfDayFeatures(86_400 + 23.5 * 3600);
  assert.ok(Math.abs(s - Math.sin(-Math.PI / 24)) < 1e-12 && Math.abs(c - Math.cos(Math.PI / 24)) < 1e-12);
});

test("MinMaxScaler: fitted state never changes when transforming other data", () => {
  const train = matrixFromRows([[0, 10, 7], [2, 20, 7], [4, 30, 7]]);
  const scaler = new MinMaxScaler().fit(train);
  const before = scaler.state;
  assert.deepEqual([...scaler.transform(train).data], [0, 0, 0, 0.5, 0.5, 0, 1, 1, 0]);
  const other = matrixFromRows([[8, 0, 100], [-4, 40, 7]]);
  assert.deepEqual([...scaler.transform(other).data], [2, -0.5, 0, -1, 1.5, 0]);
  assert.deepEqual(scaler.state, before);
  assert.deepEqual([...other.data], [8, 0, 100, -4, 40, 7], "input untouched");
  assert.throws(() => new MinMaxScaler().transform(train), /call fit first/);
});

test("preprocessServerless: chronological split, scaler and encoder fitted on the training part only", () => {
  const row = (t: number, fn: string, cpu: number, rt: number): ServerlessRow => ({
    FunctionID: fn, Timestamp: t, ResponseTime: rt, CPUUtilization: cpu, MemoryUtilization: 10,
    ColdStart: 0, ColdStartLatency: 0, ThrottlingRate: 0, ErrorRate: 0,
  });
  // Given out of order on purpose; the last 2 (by time) hold a much larger CPU value and a new function.
  const rows = [row(9 * 3600, "new", 500, 9), ...[0, 1, 2, 3, 4, 5, 6, 7].map((h) => row(h * 3600, h % 2 ? "a" : "b", 10 + h * 10, h)), row(8 * 3600, "a", 400, 8)];
  const p = preprocessServerless(rows, { trainFraction: 0.8, numeric: ["CPUUtilization"] });
  assert.deepEqual(p.featureNames, ["hour_sin", "hour_cos", "fn=a", "fn=b", "CPUUtilization"]);
  assert.deepEqual([...p.scaler.state.mins, ...p.scaler.state.maxs], [10, 80]); // train CPU: 10..80, not 400/500
  assert.deepEqual([...p.train.y], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...p.test.y], [8, 9]);
  const col = (m: { rows: number; cols: number; data: Float64Array }, j: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
  col(p.train.x, 4).forEach((v, i) => assert.ok(Math.abs(v - i / 7) < 1e-12, `train row ${i}: ${v}`)); // (10 + 10 h - 10) / 70
  assert.ok(Math.abs(col(p.test.x, 4)[0] - (400 - 10) / 70) < 1e-12, "test values outside [0, 1] are kept");
  assert.deepEqual([col(p.test.x, 2)[1], col(p.test.x, 3)[1]], [0, 0], "unseen function: all-zero one-hot");
  assert.deepEqual([col(p.test.x, 2)[0], col(p.test.x, 3)[0]], [1, 0]);
});

test("burstiness keeps the mean rate and makes per-minute counts overdispersed", () => {
  const run = (burstiness: number) =>
    generateServerlessData({
      seed: 21, durationS: 200_000,
      functions: [{ ...base, ratePerS: 0.5, meanWorkS: 0.01, concurrencyLimit: 10_000, burstiness, burstShare: 0.1, burstMeanS: 120 }],
    });
  for (const b of [1, 5]) {
    const { stats, rows } = run(b);
    // mean rate 0.5/s over 200,000 s: 100,000 arrivals expected (bursts change the variance only).
    // Poisson sd: 316 (0.3 %). Modulated: var ~ 2 (dl)^2 f (1 - f) tau T with dl = 2.5 - 0.278,
    // tau = 1 / (1/120 + 1/1080) = 108 s: sd about 4,400 (4.4 %); allow 3 sd
    const tol = b === 1 ? 0.01 : 0.13;
    assert.ok(Math.abs(stats[0].invocations / 100_000 - 1) < tol, `b=${b}: ${stats[0].invocations}`);
    const counts = new Float64Array(Math.ceil(200_000 / 60));
    for (const r of rows) counts[Math.floor(r.Timestamp / 60)]++;
    const m = counts.reduce((a, c) => a + c, 0) / counts.length;
    const v = counts.reduce((a, c) => a + (c - m) ** 2, 0) / counts.length;
    // Poisson: variance = mean. Bursts at 5x the mean rate lasting 2 min: far above it
    if (b === 1) assert.ok(Math.abs(v / m - 1) < 0.1, `dispersion ${v / m}`);
    else assert.ok(v / m > 5, `dispersion ${v / m}`);
  }
});

test("load knobs: more rate against a low concurrency limit throttles; no keep-alive makes every idle start cold", () => {
  const fns: ServerlessFunctionSpec[] = [{ ...base, ratePerS: 2, meanWorkS: 0.2, concurrencyLimit: 100, keepAliveS: 600 }];
  const calm = generateServerlessData({ seed: 4, durationS: 2000, functions: fns });
  assert.equal(calm.stats[0].throttled, 0);
  const hot = generateServerlessData({ seed: 4, durationS: 2000, functions: fns, load: { rateScale: 4, concurrencyLimit: 2 } });
  // 8/s against 1 vCPU of 0.2 s work: offered load 1.6, so with at most 2 in flight many are refused
  assert.ok(hot.stats[0].throttled > 0.3 * hot.stats[0].invocations, `${hot.stats[0].throttled} of ${hot.stats[0].invocations}`);
  const cold = generateServerlessData({ seed: 4, durationS: 2000, functions: fns, load: { keepAliveS: 0 } });
  assert.ok(cold.stats[0].coldStarts > 10 * calm.stats[0].coldStarts, `${cold.stats[0].coldStarts} vs ${calm.stats[0].coldStarts}`);
  assert.throws(() => generateServerlessData({ seed: 4, durationS: 10, functions: fns, load: { burstiness: 20 } }), /burstiness 20 is more than 1 \/ burstShare/);
});
