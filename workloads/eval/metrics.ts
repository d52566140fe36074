/**
 * Point-forecast accuracy. All functions take the actual and forecast values of the same points.
 * MASE here is the MAE divided by the previous-value (persistence) forecast's MAE on the same
 * points, so MASE < 1 means better than persistence on exactly the data that was scored.
 */
export interface Metrics {
  n: number;
  mae: number;
  rmse: number;
  /** symmetric MAPE in percent: mean of 200 |f - a| / (|a| + |f|); a point with a = f = 0 counts 0 */
  smape: number;
  r2: number;
  mase: number;
}

function check(a: ArrayLike<number>, f: ArrayLike<number>): void {
  if (a.length !== f.length) throw new Error(`metrics: ${a.length} actual values but ${f.length} forecasts`);
}

export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  check(actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(forecast[i] - actual[i]);
  return actual.length ? s / actual.length : NaN;
}

export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  check(actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (forecast[i] - actual[i]) ** 2;
  return actual.length ? Math.sqrt(s / actual.length) : NaN;
}

export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  check(actual, forecast);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(forecast[i]);
    if (d > 0) s += (2 * Math.abs(forecast[i] - actual[i])) / d;
  }
  return actual.length ? (100 * s) / actual.length : NaN;
}

/** Coefficient of determination: 1 - SS_res / SS_tot (SS_tot about the mean of the actual values). */
export function r2(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  check(actual, forecast);
  const n = actual.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] / n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (actual[i] - forecast[i]) ** 2;
    tot += (actual[i] - mean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : res === 0 ? 1 : -Infinity;
}

/** MAE of the forecast over MAE of the previous-value forecast on the same points. */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, previousValue: ArrayLike<number>): number {
  const base = mae(actual, previousValue);
  const m = mae(actual, forecast);
  return base > 0 ? m / base : m === 0 ? 1 : Infinity;
}

export function computeMetrics(actual: ArrayLike<number>, forecast: ArrayLike<number>, previousValue: ArrayLike<number>): Metrics {
  return {
    n: actual.length,
    mae: mae(actual, forecast),
    rmse: rmse(actual, forecast),
    smape: smape(actual, forecast),
    r2: r2(actual, forecast),
    mase: mase(actual, forecast, previousValue),
  };
}
