import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import { gridThenNelderMead } from "./optimize.ts";
import type { SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";

export const sesSchema = z.strictObject({
  /** smoothing constant in [0, 1]; fitted by least one-step SSE when absent */
  alpha: z.number().min(0).max(1).optional(),
});
export type SesParams = z.infer<typeof sesSchema>;
export interface SesState {
  alpha: number;
  /** one-step sum of squared errors on the training data at the chosen alpha */
  sse: number;
}

/** Order of origins ascending, so one pass of a filter serves all of them. */
export function ascendingOrder(origins: ArrayLike<number>): number[] {
  return Array.from({ length: origins.length }, (_, i) => i).sort((a, b) => origins[a] - origins[b]);
}

/**
 * One-step SSE of simple exponential smoothing: level starts at y[0]; for t >= 1 the forecast is
 * the previous level, e = y[t] - level, level += alpha * e.
 */
export function sesSSE(y: Float64Array, alpha: number): number {
  let level = y[0];
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const e = y[t] - level;
    sse += e * e;
    level += alpha * e;
  }
  return sse;
}

/** Simple exponential smoothing; the forecast is flat at the last level. */
export class SesForecaster extends BaseForecaster<SesParams, SesState> {
  readonly kind = "ses";

  constructor(params: z.input<typeof sesSchema> = {}) {
    super(parseParams("ses", sesSchema, params));
  }

  protected async fitState(series: SeriesSet): Promise<void> {
    const y = series[0];
    if (y.length < 2) throw new Error("ses.fit: need at least 2 observations");
    if (this.params.alpha !== undefined) {
      this.state = { alpha: this.params.alpha, sse: sesSSE(y, this.params.alpha) };
      return;
    }
    const r = gridThenNelderMead((x) => sesSSE(y, x[0]), { lo: [0], hi: [1] }, 101);
    this.state = { alpha: r.x[0], sse: r.fx };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    return this.predictAt(history, [history[0].length], horizon)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number): Float64Array[] {
    const y = asSeriesSet(series)[0];
    const { alpha } = this.fitted();
    const out: Float64Array[] = new Array(origins.length);
    let level = y[0];
    let t = 1;
    for (const i of ascendingOrder(origins)) {
      const o = origins[i];
      if (o < 1 || o > y.length) throw new Error(`ses.predictAt: origin ${o} outside 1..${y.length}`);
      for (; t < o; t++) level += alpha * (y[t] - level);
      out[i] = new Float64Array(horizon).fill(level);
    }
    return out;
  }

  static load(dir: string): Promise<SesForecaster> {
    return loadAs(dir, "ses", (p) => new SesForecaster(p));
  }
}
