import assert from "node:assert/strict";
import { test } from "node:test";
import { HoltForecaster, holtSSE } from "../../workloads/forecast/holt.ts";
import { HoltWintersForecaster } from "../../workloads/forecast/holt-winters.ts";
import { SesForecaster, sesSSE } from "../../workloads/forecast/ses.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("SES with alpha 0.5 on [1, 2, 3] (hand-worked)", async () => {
  // level0 = 1
  // t=1: e = 2 - 1 = 1,   level = 1 + 0.5*1 = 1.5
  // t=2: e = 3 - 1.5 = 1.5, level = 1.5 + 0.5*1.5 = 2.25
  // forecast (any horizon) = 2.25; one-step SSE = 1 + 2.25 = 3.25
  const y = Float64Array.from([1, 2, 3]);
  const m = new SesForecaster({ alpha: 0.5 });
  await m.fit(y);
  assert.deepEqual(Array.from(m.predict(y, 2)), [2.25, 2.25]);
  close(sesSSE(y, 0.5), 3.25);
});

test("SES fits alpha by least one-step SSE (hand-worked optimum 0.5)", async () => {
  // y = [0, 2, 1]: level0 = 0; e1 = 2, level = 2a; e2 = 1 - 2a.
  // SSE(a) = 4 + (1 - 2a)^2, minimal at a = 0.5 with SSE 4.
  const m = new SesForecaster();
  await m.fit(Float64Array.from([0, 2, 1]));
  const st = m.stateJSON() as { alpha: number; sse: number };
  close(st.alpha, 0.5, 1e-6);
  close(st.sse, 4, 1e-9);
});

test("Holt with alpha = beta = 0.5 on [1, 3, 4, 6] (hand-worked)", async () => {
  // start: level 1, trend 3 - 1 = 2
  // t=1: f = 3, y = 3, e = 0;      level = .5*3 + .5*3 = 3;        trend = .5*(3-1) + .5*2 = 2
  // t=2: f = 5, y = 4, e = -1;     level = .5*4 + .5*5 = 4.5;      trend = .5*(4.5-3) + .5*2 = 1.75
  // t=3: f = 6.25, y = 6, e = -.25; level = .5*6 + .5*6.25 = 6.125; trend = .5*(6.125-4.5) + .5*1.75 = 1.6875
  // forecasts: 6.125 + 1.6875 = 7.8125, 6.125 + 2*1.6875 = 9.5; SSE = 0 + 1 + 0.0625
  const y = Float64Array.from([1, 3, 4, 6]);
  const m = new HoltForecaster({ alpha: 0.5, beta: 0.5 });
  await m.fit(y);
  const f = m.predict(y, 2);
  close(f[0], 7.8125);
  close(f[1], 9.5);
  close(holtSSE(y, 0.5, 0.5), 1.0625);
});

test("Holt follows an exact line with zero error", async () => {
  // y = 2t + 1: start trend 2 is exact, every one-step error is 0 for any alpha, beta
  const y = Float64Array.from({ length: 20 }, (_, t) => 2 * t + 1);
  const m = new HoltForecaster();
  await m.fit(y);
  close((m.stateJSON() as { sse: number }).sse, 0);
  const f = m.predict(y, 3);
  close(f[0], 41, 1e-9);
  close(f[2], 45, 1e-9);
});

test("Holt-Winters with period 2 (hand-worked)", async () => {
  // y = [1, 3, 2, 4, 3]; m = 2, alpha = beta = gamma = 0.5
  // start: level = (1+3)/2 = 2; trend = ((2+4)/2 - 2)/2 = 0.5; seasonal = [1-2, 3-2] = [-1, 1]
  // t=2 (phase 0): f = 2 + .5 - 1 = 1.5, y = 2
  //   level = .5*(2 - -1) + .5*(2.5) = 2.75; trend = .5*(.75) + .5*.5 = .625; s0 = .5*(2-2.75) + .5*(-1) = -.875
  // t=3 (phase 1): f = 2.75 + .625 + 1 = 4.375, y = 4
  //   level = .5*(4-1) + .5*3.375 = 3.1875; trend = .5*(.4375) + .5*.625 = .53125; s1 = .5*(4-3.1875) + .5*1 = .90625
  // t=4 (phase 0): f = 3.1875 + .53125 - .875 = 2.84375, y = 3
  //   level = .5*(3+.875) + .5*(3.71875) = 3.796875; trend = .5*(.609375) + .5*.53125 = .5703125
  //   s0 = .5*(3-3.796875) + .5*(-.875) = -.8359375
  // forecast step 1 (t=5, phase 1): 3.796875 + .5703125 + .90625 = 5.2734375
  // forecast step 2 (t=6, phase 0): 3.796875 + 2*.5703125 - .8359375 = 4.1015625
  const y = Float64Array.from([1, 3, 2, 4, 3]);
  const m = new HoltWintersForecaster({ period: 2, alpha: 0.5, beta: 0.5, gamma: 0.5 });
  await m.fit(y);
  const f = m.predict(y, 2);
  close(f[0], 5.2734375);
  close(f[1], 4.1015625);
  // SSE of the one-step errors from t = 2: .5^2 + .375^2 + .15625^2
  close((m.stateJSON() as { sse: number }).sse, 0.25 + 0.140625 + 0.0244140625);
});

test("Holt-Winters recovers a pure seasonal pattern and fits its constants", async () => {
  const pattern = [5, 1, 3, 7];
  const y = Float64Array.from({ length: 40 }, (_, t) => pattern[t % 4]);
  const m = new HoltWintersForecaster({ period: 4 });
  await m.fit(y);
  const f = m.predict(y, 4);
  // the next season is the pattern again (y has 40 points: step 1 is phase 0)
  for (let k = 0; k < 4; k++) close(f[k], pattern[k], 1e-6);
});

test("predictAt of the smoothing models equals predict on each prefix", async () => {
  const y = Float64Array.from({ length: 60 }, (_, t) => 10 + Math.sin(t / 3) + (t % 5) * 0.1);
  for (const m of [new SesForecaster(), new HoltForecaster(), new HoltWintersForecaster({ period: 5 })]) {
    await m.fit(y.subarray(0, 40));
    const origins = [1, 2, 7, 10, 11, 39, 45, 60];
    const rows = m.predictAt(y, origins, 3);
    origins.forEach((o, i) => assert.deepEqual(Array.from(rows[i]), Array.from(m.predict(y.subarray(0, o), 3)), `${m.kind} at ${o}`));
  }
});
