// Synthetic arrival generators against their formulas, with fixed seeds (so the statistical
// tolerances below, 4-5 standard errors, make the tests deterministic, not flaky).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ArrivalSource, ArrivalSpec } from "../../simulator/arrivals.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { BurstyArrivals, DiurnalArrivals, mmppLongRunRate, PoissonArrivals, type RequestMarks } from "../../workloads/generators/index.ts";

const marks: RequestMarks = { appWeights: [1], deadlineS: [5, 5], size: { kind: "constant", value: 1 } };
const spec = (): ArrivalSpec => ({ time: 0, app: 0, deadline: 0, size: 0 });

function take(src: ArrivalSource, n: number): ArrivalSpec[] {
  const out: ArrivalSpec[] = [];
  for (let i = 0; i < n; i++) {
    const a = spec();
    if (!src.next(a)) break;
    out.push(a);
  }
  return out;
}

/** Arrival counts per window of `w` seconds over [0, n w). */
function windowCounts(src: ArrivalSource, w: number, n: number): Float64Array {
  const c = new Float64Array(n);
  const a = spec();
  while (src.next(a) && a.time < w * n) c[Math.floor(a.time / w)]++;
  return c;
}

function meanVar(x: Float64Array): [number, number] {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return [m, s / (x.length - 1)];
}

test("Poisson: counts per window have mean and variance rate x window", () => {
  const rate = 3;
  const w = 10;
  const n = 5000;
  const [m, v] = meanVar(windowCounts(new PoissonArrivals({ ratePerS: rate, marks }, new RandomStream("poisson")), w, n));
  const mu = rate * w; // 30
  assert.ok(Math.abs(m - mu) < 4 * Math.sqrt(mu / n), `mean ${m}`); // SE 0.077
  // SE of a sample variance of (near-normal) counts: mu sqrt(2 / (n - 1)) = 0.6
  assert.ok(Math.abs(v - mu) < 4 * mu * Math.sqrt(2 / (n - 1)), `variance ${v}`);
});

test("marks: application shares follow the weights, deadlines in range, size distributions have their means", () => {
  const n = 40_000;
  const src = new PoissonArrivals({
    ratePerS: 1,
    marks: { appWeights: [1, 3, 0, 4], deadlineS: [2, 6], size: { kind: "lognormal", mean: 2, cv: 0.5 } },
  }, new RandomStream("marks"));
  const arrivals = take(src, n);
  const apps = [0, 0, 0, 0];
  let size = 0;
  let deadline = 0;
  for (const a of arrivals) {
    apps[a.app]++;
    size += a.size;
    deadline += a.deadline;
    assert.ok(a.deadline >= 2 && a.deadline < 6);
  }
  assert.equal(apps[2], 0);
  for (const [i, p] of [[0, 1 / 8], [1, 3 / 8], [3, 4 / 8]]) {
    assert.ok(Math.abs(apps[i] / n - p) < 4 * Math.sqrt((p * (1 - p)) / n), `app ${i}: ${apps[i] / n}`);
  }
  assert.ok(Math.abs(size / n - 2) < 4 * (2 * 0.5) / Math.sqrt(n), `lognormal mean ${size / n}`);
  assert.ok(Math.abs(deadline / n - 4) < 4 * (4 / Math.sqrt(12)) / Math.sqrt(n));
  const exp = take(new PoissonArrivals({ ratePerS: 1, marks: { ...marks, size: { kind: "exponential", mean: 0.5 } } }, new RandomStream("exp")), n);
  const expMean = exp.reduce((s, a) => s + a.size, 0) / n;
  assert.ok(Math.abs(expMean - 0.5) < 4 * 0.5 / Math.sqrt(n));
});

test("Diurnal: counts by phase follow the integral of mean x (1 + a cos(2 pi (t - peak) / P))", () => {
  const P = 1000;
  const mean = 2;
  const a = 0.8;
  const peak = 250;
  const periods = 100;
  const bins = 10;
  const src = new DiurnalArrivals({ meanRatePerS: mean, amplitude: a, periodS: P, peakS: peak, endS: P * periods, marks }, new RandomStream("diurnal"));
  const counts = new Float64Array(bins);
  const x = spec();
  let total = 0;
  while (src.next(x)) {
    counts[Math.floor(((x.time % P) / P) * bins)]++;
    total++;
  }
  assert.ok(Math.abs(total - mean * P * periods) < 4 * Math.sqrt(mean * P * periods));
  const w = P / bins;
  for (let b = 0; b < bins; b++) {
    const t1 = b * w;
    const t2 = t1 + w;
    const integral = mean * (w + ((a * P) / (2 * Math.PI)) * (Math.sin((2 * Math.PI * (t2 - peak)) / P) - Math.sin((2 * Math.PI * (t1 - peak)) / P)));
    const expected = periods * integral;
    assert.ok(Math.abs(counts[b] - expected) < 4.5 * Math.sqrt(expected), `bin ${b}: ${counts[b]} vs ${expected.toFixed(1)}`);
  }
  assert.equal(src.rateAt(peak), mean * (1 + a));
  assert.ok(Math.abs(src.rateAt(peak + P / 2) - mean * (1 - a)) < 1e-12);
  assert.equal(src.next(x), false, "exhausted after endS");
});

test("Bursty (MMPP): long-run rate is the stationary mix; counts are over-dispersed", () => {
  const rates: [number, number] = [1, 10];
  const sojourn: [number, number] = [50, 10];
  const expected = mmppLongRunRate(rates, sojourn);
  assert.equal(expected, (50 * 1 + 10 * 10) / 60); // pi0 = 5/6, pi1 = 1/6
  const T = 200_000;
  const src = new BurstyArrivals({ ratesPerS: rates, meanSojournS: sojourn, endS: T, marks }, new RandomStream("mmpp"));
  const counts = windowCounts(src, 100, T / 100);
  let n = 0;
  for (const c of counts) n += c;
  // Asymptotic variance of N(T)/T: (rate + 2 (l0 - l1)^2 pi0 pi1 / (q01 + q10)) / T = 190 / T.
  const idc = expected + (2 * (rates[0] - rates[1]) ** 2 * (5 / 6) * (1 / 6)) / (1 / 50 + 1 / 10);
  assert.ok(Math.abs(n / T - expected) < 4 * Math.sqrt(idc / T), `rate ${n / T} vs ${expected}`);
  const [m, v] = meanVar(counts);
  assert.ok(v / m > 10, `index of dispersion ${v / m} should be far above Poisson's 1`);
});

test("Bursty: a state with rate 0 produces silence, not errors", () => {
  const src = new BurstyArrivals({ ratesPerS: [0, 5], meanSojournS: [10, 10], initialState: 0, endS: 10_000, marks }, new RandomStream("onoff"));
  const all = take(src, 1e6);
  assert.ok(Math.abs(all.length / 10_000 - 2.5) < 0.25);
  assert.throws(() => new BurstyArrivals({ ratesPerS: [0, 0], meanSojournS: [1, 1], marks }, new RandomStream("x")), /at least one rate must be positive/);
});

const makers: [string, (s: RandomStream) => ArrivalSource][] = [
  ["Poisson", (s) => new PoissonArrivals({ ratePerS: 2, marks: { appWeights: [1, 1], deadlineS: [1, 3], size: { kind: "exponential", mean: 1 } } }, s)],
  ["Diurnal", (s) => new DiurnalArrivals({ meanRatePerS: 2, amplitude: 0.5, periodS: 100, marks }, s)],
  ["Bursty", (s) => new BurstyArrivals({ ratesPerS: [1, 8], meanSojournS: [20, 5], marks: { ...marks, size: { kind: "lognormal", mean: 1, cv: 1 } } }, s)],
];

for (const [name, make] of makers) {
  test(`${name}: same seed same sequence; clone continues identically; reseed continues from now`, () => {
    assert.deepEqual(take(make(new RandomStream("a")), 500), take(make(new RandomStream("a")), 500));
    assert.notDeepEqual(take(make(new RandomStream("a")), 50), take(make(new RandomStream("b")), 50));
    const src = make(new RandomStream("a"));
    const head = take(src, 300);
    const copy = src.clone();
    assert.deepEqual(take(copy, 300), take(src, 300));
    const now = head[head.length - 1].time;
    const again = make(new RandomStream("a"));
    take(again, 300);
    const re = again.reseed(new RandomStream("other"));
    const future = take(re, 100);
    assert.ok(future[0].time > now);
    assert.notDeepEqual(future, take(again, 100));
  });
}

test("options are validated with the generator named", () => {
  assert.throws(() => new PoissonArrivals({ ratePerS: -1, marks }, new RandomStream("x")), /^Error: PoissonArrivals: invalid options: ratePerS: /);
  assert.throws(() => new DiurnalArrivals({ meanRatePerS: 1, amplitude: 1.5, marks }, new RandomStream("x")), /DiurnalArrivals: invalid options: amplitude/);
  assert.throws(() => new PoissonArrivals({ ratePerS: 1, marks: { ...marks, deadlineS: [5, 1] } }, new RandomStream("x")), /deadline range must have lo <= hi/);
});
