import type { Forecaster, SeriesSet } from "../forecast/types.ts";
import { computeMetrics, type Metrics } from "./metrics.ts";

/**
 * Forecasts scored at many origins of one series. Row i: forecast made at origins[i] from data
 * before it, for steps origins[i] .. origins[i]+h-1. Pooled over every (origin, step) pair.
 */
export interface ScoredForecasts {
  origins: Int32Array;
  horizon: number;
  /** [origin][step] flattened */
  actual: Float64Array;
  forecast: Float64Array;
  /** the previous-value forecast of the same points: y[origin - 1] */
  previous: Float64Array;
  metrics: Metrics;
  predictMs: number;
}

/** Scores an already fitted model at the given origins (e.g. on another task's series). */
export function scoreForecaster(model: Forecaster, series: SeriesSet, origins: ArrayLike<number>, horizon: number, times?: ArrayLike<number>): ScoredForecasts {
  const y = series[0];
  for (let i = 0; i < origins.length; i++) {
    const t = origins[i];
    if (t < 1 || t + horizon > y.length) throw new Error(`evaluation: origin ${t} with horizon ${horizon} outside the series (${y.length} points)`);
  }
  const t0 = performance.now();
  const rows = model.predictAt(series, origins, horizon, times);
  const predictMs = performance.now() - t0;
  const n = origins.length * horizon;
  const actual = new Float64Array(n);
  const forecast = new Float64Array(n);
  const previous = new Float64Array(n);
  for (let i = 0; i < origins.length; i++) {
    const t = origins[i];
    for (let k = 0; k < horizon; k++) {
      actual[i * horizon + k] = y[t + k];
      forecast[i * horizon + k] = rows[i][k];
      previous[i * horizon + k] = y[t - 1];
    }
  }
  return { origins: Int32Array.from(origins), horizon, actual, forecast, previous, metrics: computeMetrics(actual, forecast, previous), predictMs };
}

/** Joins several scored sets (e.g. one per test task) into one pooled score. */
export function poolScores(parts: ScoredForecasts[]): Metrics {
  const cat = (k: "actual" | "forecast" | "previous") => {
    const out = new Float64Array(parts.reduce((s, p) => s + p[k].length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p[k], o);
      o += p[k].length;
    }
    return out;
  };
  return computeMetrics(cat("actual"), cat("forecast"), cat("previous"));
}

export interface RollingOptions {
  horizon: number;
  /** index of the first test point: the first fit sees series[0 .. trainEnd) only */
  trainEnd: number;
  /** origins to score (default every `step` from trainEnd to the last full horizon) */
  origins?: ArrayLike<number>;
  step?: number;
  /** 0: fit once on the training part; k: refit on all data before every k-th test origin */
  refitEvery?: number;
  /** keep an origin only if this returns true (e.g. its window and target were observed) */
  scoreOrigin?: (origin: number) => boolean;
  /** epochs override for neural models (budget) */
  epochs?: number;
  /** time stamps (seconds) of every step, for models with calendar inputs */
  times?: ArrayLike<number>;
}

export interface RollingResult extends ScoredForecasts {
  fits: { trainEnd: number; trainMs: number; state: unknown }[];
  trainMs: number;
}

/**
 * Rolling-origin evaluation: the origin moves through the test part; each forecast uses only data
 * before its origin, and every model (with its scaler) is fitted on data before its first origin
 * only. With refitEvery = 0 the model is fitted once and the origin rolls without re-estimation.
 */
export async function rollingOrigin(make: () => Forecaster, series: SeriesSet, opts: RollingOptions): Promise<RollingResult> {
  const n = series[0].length;
  const h = opts.horizon;
  if (!(opts.trainEnd >= 2 && opts.trainEnd < n)) throw new Error(`evaluation: training part must end inside the series (trainEnd ${opts.trainEnd}, ${n} points)`);
  let origins: number[];
  if (opts.origins) origins = Array.from(opts.origins);
  else {
    origins = [];
    for (let t = opts.trainEnd; t + h <= n; t += opts.step ?? 1) origins.push(t);
  }
  if (opts.scoreOrigin) origins = origins.filter(opts.scoreOrigin);
  origins.sort((a, b) => a - b);
  if (origins.length === 0) throw new Error("evaluation: no test origins to score");
  if (origins[0] < opts.trainEnd) throw new Error(`evaluation: origin ${origins[0]} lies in the training part (before ${opts.trainEnd})`);
  const folds: { start: number; origins: number[] }[] = [];
  const every = opts.refitEvery ?? 0;
  for (const t of origins) {
    const start = every > 0 ? opts.trainEnd + Math.floor((t - opts.trainEnd) / every) * every : opts.trainEnd;
    if (folds.length && folds[folds.length - 1].start === start) folds[folds.length - 1].origins.push(t);
    else folds.push({ start, origins: [t] });
  }
  const parts: ScoredForecasts[] = [];
  const fits: RollingResult["fits"] = [];
  for (const fold of folds) {
    const model = make();
    try {
      const report = await model.fit(series.map((s) => s.slice(0, fold.start)), { horizon: h, epochs: opts.epochs, ...(opts.times ? { times: Array.prototype.slice.call(opts.times, 0, fold.start) as number[] } : {}) });
      fits.push({ trainEnd: fold.start, trainMs: report.trainMs, state: model.stateJSON() });
      parts.push(scoreForecaster(model, series, fold.origins, h, opts.times));
    } finally {
      model.dispose();
    }
  }
  const cat = (k: "actual" | "forecast" | "previous") => Float64Array.from(parts.flatMap((p) => Array.from(p[k])));
  const actual = cat("actual");
  const forecast = cat("forecast");
  const previous = cat("previous");
  return {
    origins: Int32Array.from(origins),
    horizon: h,
    actual,
    forecast,
    previous,
    metrics: computeMetrics(actual, forecast, previous),
    predictMs: parts.reduce((s, p) => s + p.predictMs, 0),
    fits,
    trainMs: fits.reduce((s, f) => s + f.trainMs, 0),
  };
}
