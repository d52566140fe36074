import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import type { SeriesSet } from "./types.ts";

export const movingAverageSchema = z.strictObject({
  /** number of most recent observations averaged */
  window: z.number().int().min(1).default(6),
});
export type MovingAverageParams = z.infer<typeof movingAverageSchema>;

/** Mean of the last `window` observations, flat over the horizon (fewer if the history is shorter). */
export class MovingAverageForecaster extends BaseForecaster<MovingAverageParams, { fitted: true }> {
  readonly kind = "moving-average";

  constructor(params: z.input<typeof movingAverageSchema> = {}) {
    super(parseParams("moving-average", movingAverageSchema, params));
  }

  protected async fitState(): Promise<void> {
    this.state = { fitted: true };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    const y = history[0];
    const w = Math.min(this.params.window, y.length);
    let sum = 0;
    for (let i = y.length - w; i < y.length; i++) sum += y[i];
    return new Float64Array(horizon).fill(sum / w);
  }

  static load(dir: string): Promise<MovingAverageForecaster> {
    return loadAs(dir, "moving-average", (p) => new MovingAverageForecaster(p));
  }
}
