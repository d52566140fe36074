import * as tf from "@tensorflow/tfjs";
import { mae, r2, rmse } from "../eval/metrics.ts";
import { initBackend } from "./backend.ts";
import { choleskySolve } from "./ridge.ts";
import { trainNetwork, type LoopSettings } from "./train-loop.ts";
import { tune, type Config, type SearchSpace, type TuneMethod, type TuneResult } from "./tune.ts";

/**
 * Regression of a target on concurrent features (not a forecast of a series from its own past):
 * the studies that predict a serverless invocation's response time from its other measurements,
 * and an instance's maximum memory from its CPU and memory features. Samples are sequences of
 * `steps` feature rows ending at the row whose target is predicted.
 */
export interface Samples {
  /** [n, steps, features] row-major */
  x: Float32Array;
  y: Float64Array;
  n: number;
  steps: number;
  features: number;
  featureNames: string[];
}

/** Chronological parts: indices into the samples. */
export interface Parts {
  train: number[];
  validation: number[];
  test: number[];
}

export interface RegressionScore {
  n: number;
  mae: number;
  rmse: number;
  r2: number;
}

export function score(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionScore {
  return { n: actual.length, mae: mae(actual, predicted), rmse: rmse(actual, predicted), r2: r2(actual, predicted) };
}

function take(y: Float64Array, idx: number[]): Float64Array {
  return Float64Array.from(idx, (i) => y[i]);
}

/** Standardises every feature and the target with means and deviations of the `fit` samples only. */
export function standardise(s: Samples, fit: number[]): { x: Float32Array; y: Float32Array; yMean: number; yStd: number } {
  const f = s.features;
  const per = s.steps * f;
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  let count = 0;
  for (const i of fit) {
    for (let k = 0; k < s.steps; k++) {
      for (let j = 0; j < f; j++) {
        const v = s.x[i * per + k * f + j];
        mean[j] += v;
        sq[j] += v * v;
      }
      count++;
    }
  }
  const sd = new Float64Array(f);
  for (let j = 0; j < f; j++) {
    mean[j] /= count;
    const v = sq[j] / count - mean[j] ** 2;
    sd[j] = v > 1e-18 ? Math.sqrt(v) : 1;
  }
  const x = new Float32Array(s.x.length);
  for (let i = 0; i < s.n; i++) for (let k = 0; k < s.steps; k++) for (let j = 0; j < f; j++) {
    const at = i * per + k * f + j;
    x[at] = (s.x[at] - mean[j]) / sd[j];
  }
  let ym = 0;
  for (const i of fit) ym += s.y[i] / fit.length;
  let yv = 0;
  for (const i of fit) yv += (s.y[i] - ym) ** 2 / fit.length;
  const yStd = yv > 1e-18 ? Math.sqrt(yv) : 1;
  const y = Float32Array.from(s.y, (v) => (v - ym) / yStd);
  return { x, y, yMean: ym, yStd };
}

/**
 * Plain least squares on the last row of each sample's features with an intercept (a 1e-8 ridge
 * only keeps collinear one-hot columns solvable). Fitted on `fit`, returns predictions for all.
 */
export function leastSquares(s: Samples, fit: number[]): Float64Array {
  const f = s.features;
  const d = f + 1;
  const row = (i: number, out: Float64Array) => {
    const base = (i * s.steps + s.steps - 1) * f;
    for (let j = 0; j < f; j++) out[j] = s.x[base + j];
    out[f] = 1;
  };
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const r = new Float64Array(d);
  for (const i of fit) {
    row(i, r);
    for (let p = 0; p < d; p++) {
      b[p] += r[p] * s.y[i];
      for (let q = 0; q < d; q++) a[p * d + q] += r[p] * r[q];
    }
  }
  let trace = 0;
  for (let p = 0; p < d; p++) trace += a[p * d + p];
  for (let p = 0; p < d; p++) a[p * d + p] += 1e-8 * (trace / d + 1);
  const w = choleskySolve(a, b, d, 1);
  const out = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    row(i, r);
    let v = 0;
    for (let p = 0; p < d; p++) v += w[p] * r[p];
    out[i] = v;
  }
  return out;
}

export interface NetworkRun {
  config: Config;
  validation: RegressionScore;
  test: RegressionScore;
  epochs: number;
  bestEpoch: number;
  history: { loss: number[]; valLoss: number[]; lr: number[] };
}

/**
 * Trains the network `build(config)` on the training part (early stopping and the learning-rate
 * schedule on the validation part) and scores validation and test in the target's units.
 */
export async function fitNetwork(
  s: Samples,
  parts: Parts,
  build: (config: Config, steps: number, features: number) => tf.LayersModel,
  config: Config,
  loop: LoopSettings,
): Promise<NetworkRun> {
  await initBackend();
  const z = standardise(s, parts.train);
  const per = s.steps * s.features;
  const gather = (idx: number[]) => {
    const x = new Float32Array(idx.length * per);
    idx.forEach((i, k) => x.set(z.x.subarray(i * per, (i + 1) * per), k * per));
    return { x, y: Float32Array.from(idx, (i) => z.y[i]), n: idx.length };
  };
  const model = build(config, s.steps, s.features);
  const predict = (x: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let a = 0; a < n; a += 4096) {
      const m = Math.min(4096, n - a);
      const part = tf.tidy(() => (model.predict(tf.tensor3d(x.subarray(a * per, (a + m) * per), [m, s.steps, s.features])) as tf.Tensor).dataSync());
      out.set(part, a);
    }
    return out;
  };
  try {
    const train = gather(parts.train);
    const val = gather(parts.validation);
    const r = await trainNetwork(model, { ...train, shape: [s.steps, s.features], outputs: 1 }, val, loop, predict);
    const unscale = (idx: number[]) => {
      const g = gather(idx);
      return Float64Array.from(predict(g.x, g.n), (v) => z.yMean + v * z.yStd);
    };
    return {
      config,
      validation: score(take(s.y, parts.validation), unscale(parts.validation)),
      test: score(take(s.y, parts.test), unscale(parts.test)),
      epochs: r.history.loss.length,
      bestEpoch: r.bestEpoch,
      history: r.history,
    };
  } finally {
    model.dispose();
  }
}

export interface SearchOptions {
  space: SearchSpace;
  method: TuneMethod;
  trials: number;
  maxEpochs: number;
  minEpochs?: number;
  eta?: number;
  seed: number;
  onTrial?: (id: number, score: number) => void;
}

/**
 * Hyper-parameter search scored on the validation part only (RMSE in the target's units), then
 * the chosen configuration trained at its budget and scored once on the test part.
 */
export async function searchNetwork(
  s: Samples,
  parts: Parts,
  build: (config: Config, steps: number, features: number) => tf.LayersModel,
  base: Omit<LoopSettings, "epochs">,
  o: SearchOptions,
): Promise<{ search: TuneResult; best: NetworkRun }> {
  const search = await tune({
    space: o.space,
    method: o.method,
    maxTrials: o.trials,
    maxBudget: o.maxEpochs,
    minBudget: o.minEpochs ?? 1,
    eta: o.eta ?? 3,
    seed: o.seed,
    objective: async (config, budget) => (await fitNetwork(s, parts, build, config, { ...base, ...loopOverrides(config), epochs: budget })).validation.rmse,
    onTrial: (t) => o.onTrial?.(t.id, t.score),
  });
  const best = await fitNetwork(s, parts, build, search.best.config, { ...base, ...loopOverrides(search.best.config), epochs: search.best.budget });
  return { search, best };
}

/** A searched learning rate belongs to the training loop, not to the network. */
function loopOverrides(config: Config): Partial<LoopSettings> {
  return typeof config.learningRate === "number" ? { learningRate: config.learningRate } : {};
}

/** The loop settings the studies use unless told otherwise. */
export const STUDY_LOOP: Omit<LoopSettings, "epochs"> = {
  batchSize: 64,
  learningRate: 0.003,
  patience: 4,
  minDelta: 0.002,
  lrSchedule: "plateau",
  lrFactor: 0.5,
  lrPatience: 2,
  lrDecay: 0.05,
  minLearningRate: 1e-5,
  seed: 42,
};

/** Chronological split of `n` samples: the last `test` share tests, the end of the rest validates. */
export function chronologicalParts(n: number, test = 0.2, validation = 0.2): Parts {
  const nTest = Math.floor(n * test);
  const nTrainAll = n - nTest;
  const nVal = Math.floor(nTrainAll * validation);
  if (nTrainAll - nVal < 2 || nVal < 1 || nTest < 1) throw new Error(`too few samples (${n}) for training, validation and test parts`);
  const idx = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  return { train: idx(0, nTrainAll - nVal), validation: idx(nTrainAll - nVal, nTrainAll), test: idx(nTrainAll, n) };
}
