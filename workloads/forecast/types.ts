/**
 * The one interface every forecaster shares (scikit-learn style): hyper-parameters are plain
 * constructor arguments (`params`), fitted state is separate and only exists after `fit`.
 *
 * Series convention: `series[0]` is the target; further series (e.g. memory next to CPU) are
 * extra inputs, aligned step by step with the target. All are in original units; models that
 * need scaling fit it themselves, on what `fit` receives only.
 */
export type SeriesSet = Float64Array[];

export interface FitOptions {
  /** steps ahead the model must forecast directly (neural / ridge: number of outputs); default 1 */
  horizon?: number;
  /** resource budget override for iterative models (Hyperband): epochs to train */
  epochs?: number;
  /** called after every training epoch of iterative models */
  onEpoch?: (log: EpochLog) => void;
  /** time stamps (seconds) of the training steps: models with calendar inputs need them */
  times?: ArrayLike<number>;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number;
  lr: number;
  ms: number;
}

export interface FitReport {
  trainMs: number;
  /** per-epoch curves for iterative models */
  history?: { loss: number[]; valLoss: number[]; lr: number[] };
  /** epoch whose weights were kept (early stopping restores the best) */
  bestEpoch?: number;
  epochsRun?: number;
}

export interface Forecaster {
  /** registry name, e.g. "naive", "holt-winters", "lstm" */
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly isFitted: boolean;
  fit(series: SeriesSet | Float64Array, opts?: FitOptions): Promise<FitReport>;
  /** forecast the next `horizon` target values after the end of `history` */
  predict(history: SeriesSet | Float64Array, horizon: number, times?: ArrayLike<number>): Float64Array;
  /**
   * Forecasts made at many origins of one long series: row i holds the `horizon` values
   * forecast for steps origins[i] .. origins[i]+horizon-1 from data strictly before origins[i].
   * Same numbers as calling predict on each prefix, batched for speed. `times` (seconds, one per
   * step of `series`; later steps continue at the training step) feed calendar inputs.
   */
  predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number, times?: ArrayLike<number>): Float64Array[];
  /** the fitted state as plain JSON (scalers, coefficients, smoothing constants; not weights) */
  stateJSON(): unknown;
  save(dir: string): Promise<void>;
  /** release tensors (neural models); no-op elsewhere */
  dispose(): void;
}

/** What model.json in a saved model directory holds. */
export interface SavedModel {
  format: "cotwin-forecaster";
  formatVersion: 1;
  kind: string;
  params: Record<string, unknown>;
  state: unknown;
  /** neural models: tfjs topology and weight specs; weights are in weights.bin */
  tfjs?: { modelTopology: unknown; weightSpecs: unknown[]; weightsFile: string };
  fit?: FitReport;
  savedBy: { version: string; backend?: string };
}

export function asSeriesSet(s: SeriesSet | Float64Array): SeriesSet {
  return s instanceof Float64Array ? [s] : s;
}
