import path from "node:path";
import { z } from "zod";
import { ForecastInputError } from "./errors.ts";
import { BaseForecaster, loadAs, parseParams } from "./base.ts";
import { fitScaler, type ScalerState } from "./scaler.ts";
import type { FitOptions, SavedModel, SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";
import { calendarParamSchema, calendarRows, checkSavedCalendar, checkTimes, fitCalendar, type CalendarState } from "./calendar.ts";
import { buildInputs, buildTargets, directAt, unscaleOutputs, validOrigins } from "./windows.ts";

export const ridgeSchema = z.strictObject({
  /** lags of every input series used as features */
  window: z.number().int().min(1).default(30),
  /** L2 penalty on the (standardised) lag coefficients; the intercept is not penalised */
  l2: z.number().min(0).default(1),
  /** "delta": learn the change from the last value; "level": learn the value itself */
  target: z.enum(["delta", "level"]).default("delta"),
  /** calendar inputs: sin/cos of the forecast step's position in these periods (see calendar.ts) */
  calendar: calendarParamSchema,
});
export type RidgeParams = z.infer<typeof ridgeSchema>;
export interface RidgeState {
  scaler: ScalerState;
  nSeries: number;
  horizon: number;
  /** coefficients, [lags, calendar features, intercept last] x horizon, row-major */
  coef: number[];
  /** present when the model has calendar inputs */
  calendar?: CalendarState;
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
    const calendar = fitCalendar("ridge.fit", this.periods(), opts.times, series[0].length);
    const nf = window * series.length + 2 * this.periods().length;
    const p = nf + 1;
    const x = this.features(series, origins, scaler, calendar, opts.times);
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
    this.state = { scaler, nSeries: series.length, horizon: h, coef: Array.from(coef), ...(calendar ? { calendar } : {}) };
  }

  private periods(): CalendarState["periods"] {
    return this.params.calendar as CalendarState["periods"];
  }

  /** Rows of [lags of every series, calendar features of the forecast step]. */
  private features(series: Float64Array[], origins: ArrayLike<number>, scaler: ScalerState, calendar: CalendarState | undefined, times: ArrayLike<number> | undefined): Float64Array {
    const nl = this.params.window * series.length;
    const lags = buildInputs(series, origins, this.params.window, scaler, new Float64Array(origins.length * nl));
    if (!calendar) return lags as Float64Array;
    const nc = 2 * calendar.periods.length;
    const cal = calendarRows(times!, calendar.stepS, origins, calendar.periods);
    const x = new Float64Array(origins.length * (nl + nc));
    for (let r = 0; r < origins.length; r++) {
      x.set(lags.subarray(r * nl, (r + 1) * nl), r * (nl + nc));
      x.set(cal.subarray(r * nc, (r + 1) * nc), r * (nl + nc) + nl);
    }
    return x;
  }

  private rows(series: Float64Array[], origins: ArrayLike<number>, times: ArrayLike<number> | undefined): Float64Array[] {
    const st = this.fitted();
    const { window, target } = this.params;
    const nf = window * st.nSeries + 2 * (st.calendar?.periods.length ?? 0);
    const h = st.horizon;
    const x = this.features(series, origins, st.scaler, st.calendar, times);
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

  protected forecastFrom(history: SeriesSet, horizon: number, times?: ArrayLike<number>): Float64Array {
    return this.predictAt(history, [history[0].length], horizon, times)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number, times?: ArrayLike<number>): Float64Array[] {
    const set = asSeriesSet(series);
    const st = this.fitted();
    if (set.length !== st.nSeries) throw new Error(`ridge: fitted on ${st.nSeries} series, given ${set.length}`);
    checkTimes("ridge", st.calendar?.periods ?? [], times, set[0].length);
    // recursive steps past the given series take their time stamps from the training step
    return directAt(set, origins, horizon, st.horizon, (s, o) => this.rows(s, o, times));
  }

  override async restore(saved: SavedModel, dir: string): Promise<void> {
    const where = `model: ${path.join(dir, "model.json")}`;
    const bad = checkSavedCalendar(saved.params, saved.state, where);
    if (bad) throw new ForecastInputError(bad);
    const st = saved.state as Partial<RidgeState> | null;
    const nf = this.params.window * (st?.nSeries ?? 0) + 2 * this.periods().length + 1;
    if (!st || !Array.isArray(st.coef) || st.coef.length !== nf * (st.horizon ?? 0)) throw new ForecastInputError(`${where}: state.coef must hold ${nf} x horizon coefficients (window ${this.params.window}, ${st?.nSeries ?? "?"} series, ${this.periods().length} calendar periods)`);
    await super.restore(saved, dir);
  }

  static load(dir: string): Promise<RidgeForecaster> {
    return loadAs(dir, "ridge", (p) => new RidgeForecaster(p));
  }
}
