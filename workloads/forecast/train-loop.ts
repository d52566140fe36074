import * as tf from "@tensorflow/tfjs";
import seedrandom from "seedrandom";
import type { EpochLog } from "./types.ts";

/** Settings of the shared training loop (a subset of every neural model's parameters). */
export interface LoopSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  minDelta: number;
  lrSchedule: "plateau" | "exponential" | "none";
  lrFactor: number;
  lrPatience: number;
  lrDecay: number;
  minLearningRate: number;
  seed: number;
  maxTrainSeconds?: number;
}

export interface LoopData {
  /** inputs, row-major [n, ...shape] */
  x: Float32Array;
  /** targets, row-major [n, outputs] */
  y: Float32Array;
  n: number;
}

export interface LoopHistory {
  loss: number[];
  valLoss: number[];
  lr: number[];
}

function mse(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return y.length ? s / y.length : NaN;
}

/**
 * Adam on mean squared error, seeded shuffling, a learning-rate schedule (plateau or exponential),
 * early stopping on the validation loss with the best epoch's weights restored. The weights as
 * they are before training count as epoch 0: a network whose output layer starts at zero must
 * beat its zero point (e.g. the last value) on validation, or it keeps it.
 */
export async function trainNetwork(
  model: tf.LayersModel,
  train: LoopData & { shape: number[]; outputs: number },
  val: LoopData,
  p: LoopSettings,
  predict: (x: Float32Array, n: number) => Float32Array,
  onEpoch?: (log: EpochLog) => void,
): Promise<{ history: LoopHistory; bestEpoch: number }> {
  const epochs = p.epochs;
  const rng = seedrandom.alea(`${p.seed}:shuffle`);
  const optimizer = tf.train.adam(p.learningRate);
  const setLr = (lr: number) => {
    // Adam reads its rate on every step, so the schedule can change it between epochs
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const xAll = tf.tensor(train.x, [train.n, ...train.shape]);
  const yAll = tf.tensor2d(train.y, [train.n, train.outputs]);

  const history = { loss: [] as number[], valLoss: [] as number[], lr: [] as number[] };
  // The output layer starts at zero, so before training the network forecasts its zero point
  // (the last value or SES). That is epoch 0: training must beat it on validation to be kept.
  let best = mse(predict(val.x, val.n), val.y);
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = model.getWeights().map((t) => t.clone());
  let sinceBest = 0;
  let sinceLrDrop = 0;
  let lr = p.learningRate;
  const t0 = performance.now();
  const order = Array.from({ length: train.n }, (_, i) => i);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const te = performance.now();
      if (p.lrSchedule === "exponential") lr = Math.max(p.minLearningRate, p.learningRate * Math.exp(-p.lrDecay * epoch));
      setLr(lr);
      // Fisher-Yates with this run's seeded stream
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      for (let s = 0; s < train.n; s += p.batchSize) {
        const idx = tf.tensor1d(Int32Array.from(order.slice(s, s + p.batchSize)), "int32");
        const cost = optimizer.minimize(
          () => {
            const xb = tf.gather(xAll, idx);
            const yb = tf.gather(yAll, idx);
            const pred = model.apply(xb, { training: true }) as tf.Tensor;
            return tf.losses.meanSquaredError(yb, pred) as tf.Scalar;
          },
          true,
          vars,
        );
        lossSum += (cost?.dataSync()[0] ?? 0) * (idx.shape[0] as number);
        cost?.dispose();
        idx.dispose();
      }
      const loss = lossSum / train.n;
      const valLoss = mse(predict(val.x, val.n), val.y);
      history.loss.push(loss);
      history.valLoss.push(valLoss);
      history.lr.push(lr);
      onEpoch?.({ epoch: epoch + 1, loss, valLoss, lr, ms: performance.now() - te });
      const improved = valLoss < best * (1 - p.minDelta);
      if (valLoss < best) {
        // always keep the best weights, even when the gain is too small to reset patience
        best = valLoss;
        bestEpoch = epoch + 1;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((t) => t.clone());
      }
      if (improved) {
        sinceBest = 0;
        sinceLrDrop = 0;
      } else {
        sinceBest++;
        sinceLrDrop++;
        if (p.lrSchedule === "plateau" && sinceLrDrop >= p.lrPatience) {
          lr = Math.max(p.minLearningRate, lr * p.lrFactor);
          sinceLrDrop = 0;
        }
        if (sinceBest >= p.patience) break;
      }
      if (p.maxTrainSeconds !== undefined && (performance.now() - t0) / 1000 > p.maxTrainSeconds) break;
    }
    // early stopping keeps the weights of the best validation epoch
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    xAll.dispose();
    yAll.dispose();
    optimizer.dispose();
  }
  return { history, bestEpoch };
}
