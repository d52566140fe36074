import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { loadAs, parseParams } from "./base.ts";
import { SeededDropout } from "./layers.ts";
import { NeuralForecaster, neuralCommon } from "./neural.ts";

export const lstmSchema = z.strictObject({
  ...neuralCommon,
  /** units of each stacked LSTM layer, first to last */
  units: z.array(z.number().int().min(1)).min(1).default([32, 16]),
});
export type LstmParams = z.infer<typeof lstmSchema>;

/**
 * Stacked LSTM -> dense with one output per forecast step (direct multi-step), dropout after every
 * LSTM layer, trained by the shared loop (early stopping on the last part of the training data,
 * learning-rate schedule). Several input series are several input features per step.
 */
export class LstmForecaster extends NeuralForecaster<LstmParams> {
  readonly kind = "lstm";

  constructor(params: z.input<typeof lstmSchema> = {}) {
    super(parseParams("lstm", lstmSchema, params));
  }

  protected buildModel(window: number, nSeries: number, horizon: number): tf.LayersModel {
    return buildLstmNetwork(this.params, window, nSeries, horizon);
  }

  static load(dir: string): Promise<LstmForecaster> {
    return loadAs(dir, "lstm", (p) => new LstmForecaster(p));
  }
}

/**
 * The network: stacked LSTM layers with seeded dropout after each, then a dense output layer
 * that starts at zero (so the untrained network outputs its zero point).
 */
export function buildLstmNetwork(p: { units: number[]; dropout: number; seed: number }, steps: number, features: number, outputs: number): tf.LayersModel {
  const { units, dropout, seed } = p;
  const model = tf.sequential();
  units.forEach((u, i) => {
    model.add(
      tf.layers.lstm({
        units: u,
        returnSequences: i < units.length - 1,
        ...(i === 0 ? { inputShape: [steps, features] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * i + 1 }),
        // glorot rather than the default orthogonal: seeded the same way, no slow QR on wasm
        recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * i + 2 }),
        unitForgetBias: true,
      }),
    );
    if (dropout > 0) model.add(new SeededDropout({ rate: dropout, seed: seed + 10 * i + 3 }));
  });
  model.add(tf.layers.dense({ units: outputs, kernelInitializer: "zeros" }));
  return model;
}
