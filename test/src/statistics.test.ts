/**
 * Interval estimates: t quantiles against the published table, and means, paired differences,
 * ratios and Welch's interval against values worked out by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { estimate, pairedDifference, pairedRelativeChange, studentQuantile, t975, welchDifference, welchRelativeChange } from "../../src/statistics.ts";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("two-sided 95 % t quantiles match the published table, also beyond 30 degrees of freedom", () => {
  // Student t table (e.g. NIST/SEMATECH e-Handbook, 1.3.6.7.2), 0.975 column
  const table: Array<[number, number]> = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228], [29, 2.045], [30, 2.042], [40, 2.021], [60, 2.0], [100, 1.984], [120, 1.98]];
  for (const [df, t] of table) close(t975(df), t, 0.0006, `t(0.975, ${df})`);
  close(t975(1e7), 1.96, 0.0005, "t(0.975, inf) = z");
  close(studentQuantile(0.95, 10), 1.812, 0.0006, "t(0.95, 10)");
  // fractional degrees of freedom (Welch) lie between their integer neighbours
  const t55 = t975(5.5);
  assert.ok(t55 < 2.571 && t55 > 2.447, `t(0.975, 5.5) = ${t55}`);
});

test("mean and 95 % interval of 1..5: 3 ± 2.776 * sqrt(2.5) / sqrt(5)", () => {
  const e = estimate([1, 2, 3, 4, 5]);
  assert.equal(e.n, 5);
  assert.equal(e.mean, 3);
  close(e.sd, Math.sqrt(2.5), 1e-12, "sd");
  close(e.ci95, (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-5, "ci95");
});

test("values that are not numbers (no request completed) are left out; one value has no interval", () => {
  const e = estimate([2, NaN, 4]);
  assert.equal(e.n, 2);
  assert.equal(e.mean, 3);
  // sd = sqrt 2, so the interval is t(0.975, 1) * sqrt 2 / sqrt 2 = 12.706
  close(e.ci95, 12.706, 1e-3, "ci95");
  assert.ok(Number.isNaN(estimate([7]).ci95));
  assert.equal(estimate([7]).mean, 7);
  assert.ok(Number.isNaN(estimate([]).mean));
});

test("equal values summed in another order have no spread", () => {
  const x = 0.1 + 0.2; // 0.30000000000000004
  const e = estimate([0.3, x, 0.3]);
  assert.equal(e.sd, 0);
  assert.equal(e.ci95, 0);
  assert.equal(pairedDifference([x, x], [0.3, 0.3]).value, 0);
});

test("paired difference: d = (1, 2, 1, 2), mean 1.5 ± 3.182 * sqrt(1/3) / 2", () => {
  const d = pairedDifference([10, 12, 11, 13], [9, 10, 10, 11]);
  assert.equal(d.n, 4);
  assert.equal(d.value, 1.5);
  close(d.ci95, (3.182446 * Math.sqrt(1 / 3)) / 2, 1e-5, "ci95");
  // a pair with a missing value is dropped from both sides
  assert.equal(pairedDifference([10, NaN, 11], [9, 10, 10]).n, 2);
});

test("paired relative change: ratio of means minus 1, delta-method interval from the residuals x - R y", () => {
  // x = 2y exactly: +100 %, no spread
  const exact = pairedRelativeChange([2, 4, 6], [1, 2, 3]);
  assert.equal(exact.value, 1);
  assert.equal(exact.ci95, 0);
  // x = (3, 4, 8), y = (1, 2, 3): R = 5 / 2; residuals (0.5, -1, 0.5), variance 1.5 / 2,
  // standard error sqrt(0.75 / 3) / 2 = 0.25, interval 4.303 * 0.25
  const r = pairedRelativeChange([3, 4, 8], [1, 2, 3]);
  assert.equal(r.value, 1.5);
  close(r.ci95, 4.302653 * 0.25, 1e-5, "ci95");
});

test("Welch: a = 1..4, b = 2, 4, .., 10: difference 3.5, df 5.52, interval t(df) * sqrt(5/12 + 2)", () => {
  const w = welchDifference([1, 2, 3, 4], [2, 4, 6, 8, 10]);
  assert.equal(w.value, 3.5);
  // va = (5/3)/4 = 5/12, vb = 10/5 = 2; df = (5/12 + 2)^2 / ((5/12)^2/3 + 2^2/4)
  const df = (5 / 12 + 2) ** 2 / ((5 / 12) ** 2 / 3 + 1);
  close(w.df, df, 1e-9, "df");
  close(df, 5.5208, 1e-4, "df by hand");
  close(w.ci95, t975(df) * Math.sqrt(5 / 12 + 2), 1e-9, "ci95");
  // relative change: 6 / 2.5 - 1 = 1.4
  close(welchRelativeChange([1, 2, 3, 4], [2, 4, 6, 8, 10]).value, 1.4, 1e-12, "relative");
});
