import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import { gridThenNelderMead } from "./optimize.ts";
import { ascendingOrder } from "./ses.ts";
import type { SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";

export const holtSchema = z.strictObject({
  /** level smoothing in [0, 1]; fitted when absent */
  alpha: z.number().min(0).max(1).optional(),
  /** trend smoothing in [0, 1]; fitted when absent */
  beta: z.number().min(0).max(1).optional(),
});
export type HoltParams = z.infer<typeof holtSchema>;
export interface HoltState {
  alpha: number;
  beta: number;
  sse: number;
}

/**
 * Holt's linear trend filter. Start: level = y[0], trend = y[1] - y[0]. For t >= 1:
 * forecast f = level + trend, level' = alpha*y + (1-alpha)*f, trend' = beta*(level'-level) + (1-beta)*trend.
 */
export class HoltFilter {
  level: number;
  trend: number;
  constructor(
    y: Float64Array,
    private readonly alpha: number,
    private readonly beta: number,
  ) {
    this.level = y[0];
    this.trend = y.length > 1 ? y[1] - y[0] : 0;
  }
  /** consumes one observation, returns its one-step error */
  update(v: number): number {
    const f = this.level + this.trend;
    const next = this.alpha * v + (1 - this.alpha) * f;
    this.trend = this.beta * (next - this.level) + (1 - this.beta) * this.trend;
    this.level = next;
    return v - f;
  }
  forecast(horizon: number): Float64Array {
    const out = new Float64Array(horizon);
    for (let k = 1; k <= horizon; k++) out[k - 1] = this.level + k * this.trend;
    return out;
  }
}

export function holtSSE(y: Float64Array, alpha: number, beta: number): number {
  const f = new HoltFilter(y, alpha, beta);
  let sse = 0;
  for (let t = 1; t < y.length; t++) sse += f.update(y[t]) ** 2;
  return sse;
}

/** Holt's linear (additive trend) exponential smoothing; closed-form multi-step forecast. */
export class HoltForecaster extends BaseForecaster<HoltParams, HoltState> {
  readonly kind = "holt";

  constructor(params: z.input<typeof holtSchema> = {}) {
    super(parseParams("holt", holtSchema, params));
  }

  protected async fitState(series: SeriesSet): Promise<void> {
    const y = series[0];
    if (y.length < 3) throw new Error("holt.fit: need at least 3 observations");
    const free: ("alpha" | "beta")[] = (["alpha", "beta"] as const).filter((k) => this.params[k] === undefined);
    const full = (x: number[]): [number, number] => {
      const v = { alpha: this.params.alpha ?? 0, beta: this.params.beta ?? 0 };
      free.forEach((k, i) => (v[k] = x[i]));
      return [v.alpha, v.beta];
    };
    const r = gridThenNelderMead(
      (x) => holtSSE(y, ...full(x)),
      { lo: free.map(() => 0), hi: free.map(() => 1) },
      free.length === 1 ? 101 : 10,
    );
    const [alpha, beta] = full(r.x);
    this.state = { alpha, beta, sse: holtSSE(y, alpha, beta) };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    return this.predictAt(history, [history[0].length], horizon)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number): Float64Array[] {
    const y = asSeriesSet(series)[0];
    const { alpha, beta } = this.fitted();
    const out: Float64Array[] = new Array(origins.length);
    const f = new HoltFilter(y, alpha, beta);
    let t = 1;
    for (const i of ascendingOrder(origins)) {
      const o = origins[i];
      if (o < 1 || o > y.length) throw new Error(`holt.predictAt: origin ${o} outside 1..${y.length}`);
      if (o === 1) {
        // one observation: no trend known yet
        out[i] = new Float64Array(horizon).fill(y[0]);
        continue;
      }
      for (; t < o; t++) f.update(y[t]);
      out[i] = f.forecast(horizon);
    }
    return out;
  }

  static load(dir: string): Promise<HoltForecaster> {
    return loadAs(dir, "holt", (p) => new HoltForecaster(p));
  }
}
