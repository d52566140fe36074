import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import type { SeriesSet } from "./types.ts";

export const seasonalNaiveSchema = z.strictObject({
  /** season length in steps (288 = one day of 5-minute windows, 7 = one week of days) */
  period: z.number().int().min(1).default(288),
});
export type SeasonalNaiveParams = z.infer<typeof seasonalNaiveSchema>;

/**
 * Seasonal naive: y[t+k] = y[t+k - m*ceil(k/m)], the value one season earlier.
 * With less than one season of history it falls back to the last value.
 */
export class SeasonalNaiveForecaster extends BaseForecaster<SeasonalNaiveParams, { fitted: true }> {
  readonly kind = "seasonal-naive";

  constructor(params: z.input<typeof seasonalNaiveSchema> = {}) {
    super(parseParams("seasonal-naive", seasonalNaiveSchema, params));
  }

  protected async fitState(): Promise<void> {
    this.state = { fitted: true };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    const y = history[0];
    const n = y.length;
    const m = this.params.period;
    const out = new Float64Array(horizon);
    for (let k = 1; k <= horizon; k++) {
      const idx = n - 1 + k - m * Math.ceil(k / m);
      out[k - 1] = idx >= 0 ? y[idx] : y[n - 1];
    }
    return out;
  }

  static load(dir: string): Promise<SeasonalNaiveForecaster> {
    return loadAs(dir, "seasonal-naive", (p) => new SeasonalNaiveForecaster(p));
  }
}
