import assert from "node:assert/strict";
import { test } from "node:test";
import { choleskySolve, RidgeForecaster } from "../../workloads/forecast/ridge.ts";

const close = (a: number, b: number, tol = 1e-8) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("Cholesky solve of a 2x2 system by hand", () => {
  // [4 2; 2 3] x = [2; 5] -> det 8, x = [(2*3 - 2*5)/8, (4*5 - 2*2)/8] = [-0.5, 2]
  const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 5]), 2, 1);
  close(x[0], -0.5, 1e-12);
  close(x[1], 2, 1e-12);
});

test("ridge without penalty recovers an exact AR(1) and its direct two-step law", async () => {
  // y[t] = 0.5 y[t-1] + 1 from y0 = 10: 10, 6, 4, 3, 2.5, ...; two steps: y[t+1] = 0.25 y[t-1] + 1.5
  const y = new Float64Array(12);
  y[0] = 10;
  for (let t = 1; t < y.length; t++) y[t] = 0.5 * y[t - 1] + 1;
  const m = new RidgeForecaster({ window: 1, l2: 0, target: "level" });
  await m.fit(y, { horizon: 2 });
  const last = y[y.length - 1];
  const f = m.predict(y, 2);
  close(f[0], 0.5 * last + 1);
  close(f[1], 0.25 * last + 1.5);
  // beyond the trained horizon it continues recursively: step 3 from the two forecasts
  const f4 = m.predict(y, 4);
  close(f4[2], 0.5 * f[1] + 1);
});

test("ridge uses a second input series (y[t] = 2 x[t-1] + 0.5)", async () => {
  const x = Float64Array.from({ length: 30 }, (_, t) => Math.sin(t) + (t % 3));
  const y = new Float64Array(30);
  for (let t = 1; t < 30; t++) y[t] = 2 * x[t - 1] + 0.5;
  const m = new RidgeForecaster({ window: 1, l2: 0, target: "delta" });
  await m.fit([y, x]);
  close(m.predict([y, x], 1)[0], 2 * x[29] + 0.5);
  assert.throws(() => m.predict(y, 1), /fitted on 2 series, given 1/);
});

test("the L2 penalty shrinks the lag coefficients towards the intercept-only forecast", async () => {
  const y = Float64Array.from({ length: 200 }, (_, t) => 5 + Math.sin(t / 4) + ((t * 7919) % 13) / 13);
  const loose = new RidgeForecaster({ window: 4, l2: 0, target: "level" });
  const tight = new RidgeForecaster({ window: 4, l2: 1e9, target: "level" });
  await loose.fit(y);
  await tight.fit(y);
  // a huge penalty leaves only the (unpenalised) intercept: the mean of the training targets
  // (every point after the first window of 4)
  const targets = y.subarray(4);
  const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
  close(tight.predict(y, 1)[0], mean, 1e-3);
  assert.notEqual(loose.predict(y, 1)[0].toFixed(3), mean.toFixed(3));
});
