import assert from "node:assert/strict";
import { test } from "node:test";
import { rollingOrigin } from "../../workloads/eval/rolling.ts";
import { LstmForecaster } from "../../workloads/forecast/lstm.ts";
import { createForecaster } from "../../workloads/forecast/registry.ts";
import type { Forecaster } from "../../workloads/forecast/types.ts";

const n = 120;
const trainEnd = 90;
const base = Float64Array.from({ length: n }, (_, t) => 10 + Math.sin(t / 5) + 0.2 * Math.cos(t * 1.3));
// same training part, wildly different test part
const changed = Float64Array.from(base, (v, t) => (t >= trainEnd ? v * 7 + 100 : v));

const makers: [string, () => Forecaster][] = [
  ["ses", () => createForecaster("ses")],
  ["holt-winters", () => createForecaster("holt-winters", { period: 10 })],
  ["ridge", () => createForecaster("ridge", { window: 6 })],
  ["lstm", () => new LstmForecaster({ window: 6, units: [3], epochs: 1, seed: 5 })],
];

for (const [name, make] of makers) {
  test(`${name}: changing the test data never changes the fitted scaler or model`, async () => {
    const opts = { horizon: 2, trainEnd, refitEvery: 0 };
    const a = await rollingOrigin(make, [base], opts);
    const b = await rollingOrigin(make, [changed], opts);
    assert.deepEqual(b.fits.map((f) => f.state), a.fits.map((f) => f.state));
    // the first forecast only sees training data, so it is identical too
    assert.deepEqual(Array.from(b.forecast.subarray(0, 2)), Array.from(a.forecast.subarray(0, 2)));
  });
}

test("refits only ever see data before their fold", async () => {
  const seen: number[] = [];
  const make = () => {
    const m = createForecaster("ridge", { window: 4 });
    const fit = m.fit.bind(m);
    m.fit = async (s, o) => {
      seen.push((Array.isArray(s) ? s[0] : s).length);
      return fit(s, o);
    };
    return m;
  };
  const r = await rollingOrigin(make, [base], { horizon: 1, trainEnd, refitEvery: 10 });
  assert.deepEqual(seen, [90, 100, 110]);
  assert.equal(r.origins.length, 30);
  // a state fitted on [0, 90) with the scaler inside it: the mean is the training mean only
  const mean90 = base.subarray(0, 90).reduce((x, y) => x + y, 0) / 90;
  const st = r.fits[0].state as { scaler: { mean: number[] } };
  assert.ok(Math.abs(st.scaler.mean[0] - mean90) < 1e-12);
});

test("predicting does not touch the fitted state", async () => {
  const m = createForecaster("ridge", { window: 5 });
  await m.fit(base.slice(0, trainEnd));
  const before = JSON.stringify(m.stateJSON());
  m.predictAt(changed, [95, 100, 110], 3);
  assert.equal(JSON.stringify(m.stateJSON()), before);
});
