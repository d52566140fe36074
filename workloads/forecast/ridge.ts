import { z } from "zod";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import { fitScaler, type ScalerState } from "./scaler.ts";
import type { FitOptions, SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";
import { buildInputs, buildTargets, directAt, unscaleOutputs, validOrigins } from "./windows.ts";

export const ridgeSchema = z.strictObject({
  /** lags of every input series used as features */
  window: z.number().int().min(1).default(30),
  /** L2 penalty on the (standardised) lag coefficients; the intercept is not penalised */
  l2: z.number().min(0).default(1),
  /** "delta": learn the change from the last value; "level": learn the value itself */
  target: z.enum(["delta", "level"]).default("delta"),
});
export type RidgeParams = z.infer<typeof ridgeSchema>;
export interface RidgeState {
  scaler: ScalerState;
  nSeries: number;
  horizon: number;
  /** coefficients, [features + 1 (intercept last)] x horizon, row-major */
  coef: number[];
}

/** Solves (A) X = B for symmetric positive definite A (n x n) by Cholesky; B is n x k row-major. */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number, k: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
      if (i === j) {
        if (s <= 0) throw new Error("ridge: normal equations are not positive definite (raise l2)");
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  const x = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i * k + c];
      for (let p = 0; p < i; p++) s -= l[i * n + p] * z[p];
      z[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let p = i + 1; p < n; p++) s -= l[p * n + i] * x[p * k + c];
      x[i * k + c] = s / l[i * n + i];
    }
  }
  return x;
}

/**
 * Ridge regression on lagged values of one or more series, one output per forecast step (direct
 * multi-output), solved in closed form from the normal equations (X'X + l2*I) W = X'Y.
 */
export class RidgeForecaster extends BaseForecaster<RidgeParams, RidgeState> {
  readonly kind = "ridge";

  constructor(params: z.input<typeof ridgeSchema> = {}) {
    super(parseParams("ridge", ridgeSchema, params));
  }

  protected async fitState(series: SeriesSet, opts: FitOptions): Promise<void> {
    const h = opts.horizon ?? 1;
    const { window, l2, target } = this.params;
    const origins = validOrigins(series[0].length, window, h);
    if (origins.length < 2) throw new Error(`ridge.fit: series too short for window ${window} and horizon ${h}`);
    const scaler = fitScaler(series);
    const nf = window * series.length;
    const p = nf + 1;
    const x = buildInputs(series, origins, window, scaler, new Float64Array(origins.length * nf));
    const y = buildTargets(series[0], origins, h, scaler, target, new Float64Array(origins.length * h));
    const a = new Float64Array(p * p);
    const b = new Float64Array(p * h);
    const row = new Float64Array(p);
    for (let r = 0; r < origins.length; r++) {
      for (let j = 0; j < nf; j++) row[j] = x[r * nf + j];
      row[nf] = 1;
      for (let i = 0; i < p; i++) {
        const ri = row[i];
        for (let j = 0; j <= i; j++) a[i * p + j] += ri * row[j];
        for (let c = 0; c < h; c++) b[i * h + c] += ri * y[r * h + c];
      }
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) a[j * p + i] = a[i * p + j];
    for (let i = 0; i < nf; i++) a[i * p + i] += l2;
    // a tiny ridge on the intercept too keeps a constant training series solvable
    a[nf * p + nf] += 1e-12;
    const coef = choleskySolve(a, b, p, h);
    this.state = { scaler, nSeries: series.length, horizon: h, coef: Array.from(coef) };
  }

  private rows(series: Float64Array[], origins: ArrayLike<number>): Float64Array[] {
    const st = this.fitted();
    const { window, target } = this.params;
    const nf = window * st.nSeries;
    const h = st.horizon;
    const x = buildInputs(series, origins, window, st.scaler, new Float64Array(origins.length * nf));
    const z = new Float64Array(origins.length * h);
    for (let r = 0; r < origins.length; r++) {
      for (let c = 0; c < h; c++) {
        let s = st.coef[nf * h + c];
        for (let j = 0; j < nf; j++) s += x[r * nf + j] * st.coef[j * h + c];
        z[r * h + c] = s;
      }
    }
    return unscaleOutputs(z, series[0], origins, h, st.scaler, target);
  }

  protected forecastFrom(history: SeriesSet, horizon: number): Float64Array {
    return this.predictAt(history, [history[0].length], horizon)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number): Float64Array[] {
    const set = asSeriesSet(series);
    const st = this.fitted();
    if (set.length !== st.nSeries) throw new Error(`ridge: fitted on ${st.nSeries} series, given ${set.length}`);
    return directAt(set, origins, horizon, st.horizon, (s, o) => this.rows(s, o));
  }

  static load(dir: string): Promise<RidgeForecaster> {
    return loadAs(dir, "ridge", (p) => new RidgeForecaster(p));
  }
}
