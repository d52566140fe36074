/**
 * Interval estimates over seeds: the mean with its 95 % Student-t confidence interval, paired
 * differences (the same seeds under two policies), ratios of means (relative change) and
 * Welch's interval for two independent result sets. The t quantile is computed from the
 * regularised incomplete beta function, so any degrees of freedom (also Welch's fractional ones)
 * get the exact value rather than a table lookup with a normal fallback.
 */

/** Mean, standard deviation (n - 1) and half-width of the 95 % confidence interval of the mean. */
export interface Estimate {
  n: number;
  mean: number;
  sd: number;
  /** NaN with fewer than two values */
  ci95: number;
}

/** A difference (or relative change) with the half-width of its 95 % confidence interval. */
export interface Interval {
  n: number;
  value: number;
  ci95: number;
}

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

const quantileCache = new Map<string, number>();

/** The p-quantile (0.5 < p < 1) of Student's t with `df` > 0 degrees of freedom. */
export function studentQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1) || !(df > 0)) return NaN;
  const key = `${p}:${df}`;
  const hit = quantileCache.get(key);
  if (hit !== undefined) return hit;
  // bracket, then bisect: the CDF is monotone and 200 halvings reach double precision
  let lo = 0;
  let hi = 1;
  while (studentCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  quantileCache.set(key, t);
  return t;
}

/** Two-sided 95 % t multiplier. */
export function t975(df: number): number {
  return studentQuantile(0.975, df);
}

function finite(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x));
}

/** Mean and 95 % CI of the mean of the finite values (NaN, e.g. no completed request, is left out). */
export function estimate(values: readonly number[]): Estimate {
  const xs = finite(values);
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, ci95: NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, sd: NaN, ci95: NaN };
  let sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  // equal values summed in another order differ in the last bits; that is not spread
  if (sd <= 1e-12 * Math.abs(mean)) sd = 0;
  return { n, mean, sd, ci95: (t975(n - 1) * sd) / Math.sqrt(n) };
}

/** Mean and half-width of the 95 % confidence interval of the mean (the compare command's form). */
export function meanCI(xs: readonly number[]): { mean: number; ci95: number } {
  const e = estimate(xs);
  return { mean: e.mean, ci95: e.ci95 };
}

/** Pairs with both values finite. */
function pairs(xs: readonly number[], ys: readonly number[]): Array<[number, number]> {
  if (xs.length !== ys.length) throw new Error(`paired values need equal lengths (${xs.length} and ${ys.length})`);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) out.push([xs[i], ys[i]]);
  return out;
}

/** Mean of x_i - y_i over the pairs (same seed), with the t interval of that mean. */
export function pairedDifference(xs: readonly number[], ys: readonly number[]): Interval {
  // a difference within rounding of the values themselves is 0 (the same sum in another order)
  const e = estimate(pairs(xs, ys).map(([x, y]) => (Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y)) ? 0 : x - y)));
  return { n: e.n, value: e.mean, ci95: e.ci95 };
}

/**
 * Relative change mean(x) / mean(y) - 1 over paired values, with a delta-method interval: the
 * residuals x_i - R y_i (R the ratio of means) have mean zero, and their spread over the seeds,
 * divided by mean(y), is the standard error of R. Only meaningful where y is a non-negative
 * quantity above zero; callers check that (see src/matrix/analyse.ts).
 */
export function pairedRelativeChange(xs: readonly number[], ys: readonly number[]): Interval {
  const ps = pairs(xs, ys);
  const n = ps.length;
  if (n === 0) return { n, value: NaN, ci95: NaN };
  const mx = ps.reduce((s, [x]) => s + x, 0) / n;
  const my = ps.reduce((s, [, y]) => s + y, 0) / n;
  const r = mx / my;
  if (n < 2) return { n, value: r - 1, ci95: NaN };
  const v = ps.reduce((s, [x, y]) => s + (x - r * y) ** 2, 0) / (n - 1);
  return { n, value: r - 1, ci95: (t975(n - 1) * Math.sqrt(v / n)) / Math.abs(my) };
}

/** Welch's interval for mean(b) - mean(a) of two independent samples, with its degrees of freedom. */
export function welchDifference(a: readonly number[], b: readonly number[]): Interval & { df: number } {
  const ea = estimate(a);
  const eb = estimate(b);
  const value = eb.mean - ea.mean;
  if (ea.n < 2 || eb.n < 2) return { n: Math.min(ea.n, eb.n), value, ci95: NaN, df: NaN };
  const va = (ea.sd * ea.sd) / ea.n;
  const vb = (eb.sd * eb.sd) / eb.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { n: Math.min(ea.n, eb.n), value, ci95: 0, df: ea.n + eb.n - 2 };
  const df = (va + vb) ** 2 / ((va * va) / (ea.n - 1) + (vb * vb) / (eb.n - 1));
  return { n: Math.min(ea.n, eb.n), value, ci95: t975(df) * se, df };
}

/**
 * Relative change mean(b) / mean(a) - 1 of two independent samples, delta-method interval
 * (var R ~ R^2 (var b / (n_b b^2) + var a / (n_a a^2))) with Welch's degrees of freedom.
 */
export function welchRelativeChange(a: readonly number[], b: readonly number[]): Interval {
  const ea = estimate(a);
  const eb = estimate(b);
  const r = eb.mean / ea.mean;
  const w = welchDifference(a, b);
  if (!Number.isFinite(w.df)) return { n: w.n, value: r - 1, ci95: w.ci95 === 0 ? 0 : NaN };
  const rel = Math.sqrt((eb.sd * eb.sd) / (eb.n * eb.mean * eb.mean) + (ea.sd * ea.sd) / (ea.n * ea.mean * ea.mean));
  return { n: w.n, value: r - 1, ci95: t975(w.df) * Math.abs(r) * rel };
}
