import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import type { SeriesSet } from "./types.ts";

export const naiveSchema = z.strictObject({});
export type NaiveParams = z.infer<typeof naiveSchema>;

/** Previous value (persistence): every future step equals the last observation. */
export class NaiveForecaster extends BaseForecaster<NaiveParams, { fitted: true }> {
  readonly kind = "naive";

  constructor(params: z.input<typeof naiveSchema> = {}) {
    super(parseParams("naive", naiveSchema, params));
  }

  protected async fitState(): Promise<void> {
    this.state = { fitted: true };
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    const y = history[0];
    return new Float64Array(horizon).fill(y[y.length - 1]);
  }

  static load(dir: string): Promise<NaiveForecaster> {
    return loadAs(dir, "naive", (p) => new NaiveForecaster(p as z.input<typeof naiveSchema>));
  }
}
