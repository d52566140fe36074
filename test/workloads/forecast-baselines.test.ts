import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { MovingAverageForecaster } from "../../workloads/forecast/moving-average.ts";
import { NaiveForecaster } from "../../workloads/forecast/naive.ts";
import { createForecaster, loadForecaster } from "../../workloads/forecast/registry.ts";
import { SeasonalNaiveForecaster } from "../../workloads/forecast/seasonal-naive.ts";

const y = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6]);

test("naive repeats the last value over the horizon", async () => {
  const m = new NaiveForecaster();
  await m.fit(y);
  assert.deepEqual(Array.from(m.predict(y, 3)), [6, 6, 6]);
  // forecasts at origins use only the data before each origin
  assert.deepEqual(m.predictAt(y, [1, 4, 8], 1).map((r) => r[0]), [3, 1, 6]);
});

test("seasonal naive takes the value one season earlier", async () => {
  const m = new SeasonalNaiveForecaster({ period: 3 });
  await m.fit(y);
  // last season is [9, 2, 6] (indices 5..7): steps 1..3 repeat it, step 4 wraps to 9 again
  assert.deepEqual(Array.from(m.predict(y, 4)), [9, 2, 6, 9]);
  // history [3, 1]: step 1 (t = 2) has no value a season earlier (t = -1), so the last value 1;
  // step 2 (t = 3) has t = 0, the 3
  assert.deepEqual(Array.from(m.predict(y.subarray(0, 2), 2)), [1, 3]);
});

test("moving average averages the last window values", async () => {
  const m = new MovingAverageForecaster({ window: 3 });
  await m.fit(y);
  // (9 + 2 + 6) / 3 = 17/3
  assert.deepEqual(Array.from(m.predict(y, 2)), [17 / 3, 17 / 3]);
  // a history shorter than the window averages what there is: (3 + 1) / 2
  assert.equal(m.predict(y.subarray(0, 2), 1)[0], 2);
});

test("hyper-parameters are validated and errors name the model and field", () => {
  assert.throws(() => new MovingAverageForecaster({ window: 0 }), /moving-average.*window/);
  assert.throws(() => createForecaster("seasonal-naive", { period: 2.5 }), /seasonal-naive.*period/);
  assert.throws(() => createForecaster("arima"), /unknown model "arima"/);
  assert.throws(() => createForecaster("naive", { alpha: 1 }), /naive.*alpha/);
});

test("predict before fit is refused", () => {
  assert.throws(() => new NaiveForecaster().predict(y, 1), /before fit/);
});

test("baselines save and load back with the same params and forecasts", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cotwin-fc-"));
  try {
    const m = new SeasonalNaiveForecaster({ period: 4 });
    await m.fit(y);
    await m.save(dir);
    const back = await loadForecaster(dir);
    assert.equal(back.kind, "seasonal-naive");
    assert.deepEqual(back.params, { period: 4 });
    assert.deepEqual(Array.from(back.predict(y, 5)), Array.from(m.predict(y, 5)));
    await assert.rejects(NaiveForecaster.load(dir), /holds a seasonal-naive model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
