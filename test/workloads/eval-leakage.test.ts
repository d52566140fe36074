import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProtocol } from "../../workloads/eval/protocols.ts";
import { rollingOrigin } from "../../workloads/eval/rolling.ts";
import { observedSplitIndex } from "../../workloads/eval/split.ts";
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

// A gappy trace where 80 % of all points (160) would fall inside the gap: 80 observed points at
// steps 0..79, a 60-step gap, 20 observed points at steps 140..159. Split on observed points, the
// first test point is the 81st observation (step 140); nothing after it may reach a fitted parameter.
function gappyTrace(testScale: number): string {
  const lines = ["time,value"];
  for (let i = 0; i < 100; i++) {
    const step = i < 80 ? i : i + 60;
    const v = 10 + 3 * Math.sin(i / 4) + 0.5 * Math.cos(i * 1.7);
    lines.push(`${step * 300},${i < 80 ? v : v * testScale + 5 * (testScale - 1)}`);
  }
  return lines.join("\n") + "\n";
}

test("holdout on a gappy trace: changing only test rows leaves every fitted parameter unchanged", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cotwin-gappy-"));
  try {
    const a = path.join(dir, "a.txt");
    const b = path.join(dir, "b.txt");
    writeFileSync(a, gappyTrace(1));
    writeFileSync(b, gappyTrace(9));
    const models = ["ses", "holt", "holt-winters", "ridge", "lstm"];
    const params = { lstm: { window: 4, units: [3], epochs: 1 }, ridge: { window: 4 } };
    const ra = await runProtocol("holdout", { data: a, models, params });
    const rb = await runProtocol("holdout", { data: b, models, params });
    assert.equal(ra.split.trainPoints, 80);
    assert.equal(ra.split.splitTime, 140 * 300);
    assert.equal(ra.split.trainGapsClosed, 60);
    for (let i = 0; i < models.length; i++) {
      assert.ok(ra.results[i].fitted !== undefined, `${models[i]} reports its fitted state`);
      assert.deepEqual(rb.results[i].fitted, ra.results[i].fitted, `${models[i]}: fitted state changed with the test rows`);
    }
    // the scaler saw the 80 training values only: their mean, worked out here
    let mean = 0;
    for (let i = 0; i < 80; i++) mean += (10 + 3 * Math.sin(i / 4) + 0.5 * Math.cos(i * 1.7)) / 80;
    const ridge = ra.results[models.indexOf("ridge")].fitted as { scaler: { mean: number[] } };
    assert.ok(Math.abs(ridge.scaler.mean[0] - mean) < 1e-12);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("observedSplitIndex puts the split on the observation after 80 % of them", () => {
  // observed at 0,1,2, gap at 3..6, observed at 7,8: 5 observed, 4 train -> the 5th observation (index 8)
  const mask = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 1, 1]);
  assert.equal(observedSplitIndex(mask, 0.8), 8);
  assert.equal(observedSplitIndex(mask, 0.6), 7);
});
