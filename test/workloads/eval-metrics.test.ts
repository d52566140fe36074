import assert from "node:assert/strict";
import { test } from "node:test";
import { computeMetrics, mae, mase, r2, rmse, smape } from "../../workloads/eval/metrics.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// actual [1, 2, 3, 4], forecast [2, 2, 2, 6]: errors [1, 0, -1, 2]
const actual = [1, 2, 3, 4];
const forecast = [2, 2, 2, 6];

test("MAE and RMSE by hand", () => {
  close(mae(actual, forecast), (1 + 0 + 1 + 2) / 4); // 1
  close(rmse(actual, forecast), Math.sqrt((1 + 0 + 1 + 4) / 4)); // sqrt(1.5)
});

test("sMAPE by hand (percent, 2|f-a| / (|a|+|f|))", () => {
  // terms: 2*1/3, 0, 2*1/5, 2*2/10 -> (0.666.. + 0 + 0.4 + 0.4) / 4 * 100 = 36.666..%
  close(smape(actual, forecast), ((2 / 3 + 0 + 0.4 + 0.4) / 4) * 100);
  // a = f = 0 counts as a perfect point, not a division by zero
  close(smape([0, 1], [0, 1]), 0);
});

test("R2 by hand", () => {
  // mean 2.5; SS_tot = 2.25 + .25 + .25 + 2.25 = 5; SS_res = 6 -> R2 = 1 - 6/5 = -0.2
  close(r2(actual, forecast), -0.2);
  close(r2(actual, actual), 1);
});

test("MASE divides by the previous-value forecast's MAE on the same points", () => {
  // previous values [0, 1, 2, 3] -> naive errors all 1 -> MAE 1; forecast MAE 1 -> MASE 1
  close(mase(actual, forecast, [0, 1, 2, 3]), 1);
  // naive errors [1, 1, 1, 1] against forecast errors [0.5 ...] -> 0.5
  close(mase([1, 2], [1.5, 2.5], [0, 1]), 0.5);
  const m = computeMetrics(actual, forecast, [0, 1, 2, 3]);
  assert.equal(m.n, 4);
  close(m.mae, 1);
  close(m.mase, 1);
});

test("mismatched lengths are an error", () => {
  assert.throws(() => mae([1, 2], [1]), /2 actual values but 1 forecasts/);
});
