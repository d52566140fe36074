import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import { HoltFilter } from "./holt.ts";
import { gridThenNelderMead } from "./optimize.ts";
import { ascendingOrder } from "./ses.ts";
import type { SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";

export const holtWintersSchema = z.strictObject({
  /** season length in steps (288 = one day of 5-minute windows, 7 = one week of days) */
  period: z.number().int().min(2).default(288),
  alpha: z.number().min(0).max(1).optional(),
  beta: z.number().min(0).max(1).optional(),
  gamma: z.number().min(0).max(1).optional(),
});
export type HoltWintersParams = z.infer<typeof holtWintersSchema>;
export interface HoltWintersState {
  alpha: number;
  beta: number;
  gamma: number;
  sse: number;
}

/**
 * Additive Holt-Winters. Start (needs two seasons): level = mean of season 1, trend = (mean of
 * season 2 - mean of season 1) / m, seasonal[i] = y[i] - level for i < m. Updating starts at t = m:
 * f = level + trend + s[t mod m]; level' = alpha*(y - s) + (1-alpha)*(level + trend);
 * trend' = beta*(level' - level) + (1-beta)*trend; s' = gamma*(y - level') + (1-gamma)*s.
 */
export class HoltWintersFilter {
  level: number;
  trend: number;
  readonly season: Float64Array;
  t: number;
  constructor(
    y: Float64Array,
    readonly m: number,
    private readonly alpha: number,
    private readonly beta: number,
    private readonly gamma: number,
  ) {
    if (y.length < 2 * m) throw new Error(`holt-winters: need two seasons (${2 * m} steps), got ${y.length}`);
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < m; i++) {
      m1 += y[i] / m;
      m2 += y[m + i] / m;
    }
    this.level = m1;
    this.trend = (m2 - m1) / m;
    this.season = new Float64Array(m);
    for (let i = 0; i < m; i++) this.season[i] = y[i] - m1;
    this.t = m;
  }
  update(v: number): number {
    const j = this.t % this.m;
    const s = this.season[j];
    const f = this.level + this.trend + s;
    const next = this.alpha * (v - s) + (1 - this.alpha) * (this.level + this.trend);
    this.trend = this.beta * (next - this.level) + (1 - this.beta) * this.trend;
    this.season[j] = this.gamma * (v - next) + (1 - this.gamma) * s;
    this.level = next;
    this.t++;
    return v - f;
  }
  forecast(horizon: number): Float64Array {
    const out = new Float64Array(horizon);
    for (let k = 1; k <= horizon; k++) out[k - 1] = this.level + k * this.trend + this.season[(this.t + k - 1) % this.m];
    return out;
  }
}

export function holtWintersSSE(y: Float64Array, m: number, alpha: number, beta: number, gamma: number): number {
  const f = new HoltWintersFilter(y, m, alpha, beta, gamma);
  let sse = 0;
  for (let t = m; t < y.length; t++) sse += f.update(y[t]) ** 2;
  return sse;
}

/**
 * Additive Holt-Winters (level, trend, season). With less than two seasons of history a forecast
 * falls back to Holt's filter with the same alpha and beta (no seasonal term).
 */
export class HoltWintersForecaster extends BaseForecaster<HoltWintersParams, HoltWintersState> {
  readonly kind = "holt-winters";

  constructor(params: z.input<typeof holtWintersSchema> = {}) {
    super(parseParams("holt-winters", holtWintersSchema, params));
  }

  protected async fitState(series: SeriesSet): Promise<void> {
    const y = series[0];
    const m = this.params.period;
    if (y.length < 2 * m + 1) throw new Error(`holt-winters.fit: need more than two seasons (${2 * m} steps) of data, got ${y.length}`);
    const names = ["alpha", "beta", "gamma"] as const;
    const free = names.filter((k) => this.params[k] === undefined);
    const full = (x: number[]): [number, number, number] => {
      const v = { alpha: this.params.alpha ?? 0, beta: this.params.beta ?? 0, gamma: this.params.gamma ?? 0 };
      free.forEach((k, i) => (v[k] = x[i]));
      return [v.alpha, v.beta, v.gamma];
    };
    const r = gridThenNelderMead(
      (x) => holtWintersSSE(y, m, ...full(x)),
      { lo: free.map(() => 0), hi: free.map(() => 1) },
      free.length === 1 ? 101 : free.length === 2 ? 10 : 6,
    );
    const [alpha, beta, gamma] = full(r.x);
    this.state = { alpha, beta, gamma, sse: holtWintersSSE(y, m, alpha, beta, gamma) };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    return this.predictAt(history, [history[0].length], horizon)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number): Float64Array[] {
    const y = asSeriesSet(series)[0];
    const { alpha, beta, gamma } = this.fitted();
    const m = this.params.period;
    const out: Float64Array[] = new Array(origins.length);
    let hw: HoltWintersFilter | null = null;
    for (const i of ascendingOrder(origins)) {
      const o = origins[i];
      if (o < 1 || o > y.length) throw new Error(`holt-winters.predictAt: origin ${o} outside 1..${y.length}`);
      if (o < 2 * m) {
        // the seasonal start needs two full seasons before the origin
        const prefix = y.subarray(0, o);
        if (o === 1) {
          out[i] = new Float64Array(horizon).fill(y[0]);
          continue;
        }
        const f = new HoltFilter(prefix, alpha, beta);
        for (let t = 1; t < o; t++) f.update(y[t]);
        out[i] = f.forecast(horizon);
        continue;
      }
      hw ??= new HoltWintersFilter(y.subarray(0, o), m, alpha, beta, gamma);
      while (hw.t < o) hw.update(y[hw.t]);
      out[i] = hw.forecast(horizon);
    }
    return out;
  }

  static load(dir: string): Promise<HoltWintersForecaster> {
    return loadAs(dir, "holt-winters", (p) => new HoltWintersForecaster(p));
  }
}
