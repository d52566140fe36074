import type { ScalerState } from "./scaler.ts";

/**
 * Supervised windows for direct multi-step models. An origin t uses inputs at steps
 * t-window .. t-1 of every series and targets at steps t .. t+horizon-1 of series 0.
 *
 * target "delta" learns the change from the last observed target value (y[t+k] - y[t-1]),
 * which keeps the previous-value forecast as the model's zero point; "ses" learns the residual
 * over the simple exponential smoothing forecast (zero point: SES); "level" learns y[t+k].
 */
export type TargetMode = "delta" | "level" | "ses";

/**
 * The base forecast a "ses" target is a residual over: levels[t] is the simple exponential
 * smoothing forecast of y[t] made from y[0 .. t-1] (levels[0] = levels[1] = y[0]).
 */
export function sesLevels(y: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(y.length + 1);
  if (y.length === 0) return out;
  // as SesForecaster: the level starts at y[0] and is updated by y[1], y[2], ...
  let level = y[0];
  out[0] = level;
  out[1] = level;
  for (let t = 1; t < y.length; t++) {
    level += alpha * (y[t] - level);
    out[t + 1] = level;
  }
  return out;
}

/** What a target is measured from at origin t: the last value, 0 (level mode: the mean), or the SES level. */
function baseAt(mode: TargetMode, target: Float64Array, t: number, base: Float64Array | undefined): number {
  if (mode === "delta") return target[Math.max(0, t - 1)];
  if (mode === "ses") {
    if (!base) throw new Error("windows: a ses target needs the SES levels");
    return base[t];
  }
  return NaN;
}

export function validOrigins(n: number, window: number, horizon: number): Int32Array {
  const count = Math.max(0, n - window - horizon + 1);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = window + i;
  return out;
}

/**
 * Inputs as [origins.length, window, nSeries] row-major, scaled (float64 for closed-form models):
 * standardised levels, or (relative) each value minus the window's last value of its series.
 */
export function buildInputs(
  series: Float64Array[],
  origins: ArrayLike<number>,
  window: number,
  scaler: ScalerState,
  x: Float32Array | Float64Array = new Float32Array(origins.length * window * series.length),
  relative = false,
): Float32Array | Float64Array {
  const ns = series.length;
  let k = 0;
  for (let i = 0; i < origins.length; i++) {
    const t = origins[i];
    for (let j = t - window; j < t; j++) {
      for (let s = 0; s < ns; s++) {
        // before the series start (short history) repeat the first value
        const v = series[s][Math.max(0, j)];
        // relative: as a change from the window's last value, so a shift in level changes nothing
        const centre = relative ? series[s][t - 1] : scaler.mean[s];
        x[k++] = (v - centre) / scaler.std[s];
      }
    }
  }
  return x;
}

/** Targets as [origins.length, horizon], scaled. */
export function buildTargets(
  target: Float64Array,
  origins: ArrayLike<number>,
  horizon: number,
  scaler: ScalerState,
  mode: TargetMode,
  y: Float32Array | Float64Array = new Float32Array(origins.length * horizon),
  base?: Float64Array,
): Float32Array | Float64Array {
  const m = scaler.mean[0];
  const sd = scaler.std[0];
  for (let i = 0; i < origins.length; i++) {
    const t = origins[i];
    const zero = mode === "level" ? m : baseAt(mode, target, t, base);
    for (let k = 0; k < horizon; k++) {
      const v = target[t + k];
      y[i * horizon + k] = (v - zero) / sd;
    }
  }
  return y;
}

/** Back to original units: one forecast row per origin. */
export function unscaleOutputs(
  out: ArrayLike<number>,
  target: Float64Array,
  origins: ArrayLike<number>,
  horizon: number,
  scaler: ScalerState,
  mode: TargetMode,
  base?: Float64Array,
): Float64Array[] {
  const rows: Float64Array[] = [];
  const m = scaler.mean[0];
  const sd = scaler.std[0];
  for (let i = 0; i < origins.length; i++) {
    const zero = mode === "level" ? m : baseAt(mode, target, origins[i], base);
    const row = new Float64Array(horizon);
    for (let k = 0; k < horizon; k++) row[k] = zero + out[i * horizon + k] * sd;
    rows.push(row);
  }
  return rows;
}

/**
 * Extends a multi-series history by `extra` steps for recursive forecasting beyond a model's
 * direct horizon: the target gets the forecasts, extra input series hold their last value.
 */
export function extendHistory(series: Float64Array[], forecast: Float64Array): Float64Array[] {
  return series.map((s, idx) => {
    const out = new Float64Array(s.length + forecast.length);
    out.set(s);
    for (let k = 0; k < forecast.length; k++) out[s.length + k] = idx === 0 ? forecast[k] : s[s.length - 1];
    return out;
  });
}

/**
 * Forecasts at many origins from a direct model trained for `trained` steps. Longer horizons are
 * reached recursively: forecast `trained` steps, append them to the history, forecast again.
 */
export function directAt(
  series: Float64Array[],
  origins: ArrayLike<number>,
  horizon: number,
  trained: number,
  rows: (series: Float64Array[], origins: ArrayLike<number>) => Float64Array[],
): Float64Array[] {
  const first = rows(series, origins);
  if (horizon <= trained) return first.map((r) => r.slice(0, horizon));
  return first.map((r, i) => {
    const out = new Float64Array(horizon);
    out.set(r);
    let done = trained;
    let hist = series.map((s) => s.subarray(0, origins[i]));
    let last = r;
    while (done < horizon) {
      hist = extendHistory(hist, last);
      last = rows(hist, [hist[0].length])[0];
      out.set(last.subarray(0, Math.min(trained, horizon - done)), done);
      done += trained;
    }
    return out;
  });
}
