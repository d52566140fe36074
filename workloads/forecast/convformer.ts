import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { loadAs, parseParams } from "./base.ts";
import { CausalConv1D, FeatureNorm, SeededDropout, SelfAttention } from "./layers.ts";
import { NeuralForecaster, neuralCommon } from "./neural.ts";

export const convformerSchema = z.strictObject({
  ...neuralCommon,
  /** Conv1D filters = model width inside the encoder block */
  filters: z.number().int().min(1).default(16),
  kernelSize: z.number().int().min(1).default(3),
  heads: z.number().int().min(1).default(2),
  keyDim: z.number().int().min(1).default(8),
  /** hidden units of the encoder block's feed-forward part */
  ffUnits: z.number().int().min(1).default(32),
});
export type ConvformerParams = z.infer<typeof convformerSchema>;

/**
 * ConvFormer: causal Conv1D (local patterns) -> self-attention encoder block (attention with residual,
 * layer norm, feed-forward with residual, layer norm) -> global average pooling -> dropout ->
 * dense with one output per forecast step.
 */
export class ConvformerForecaster extends NeuralForecaster<ConvformerParams> {
  readonly kind = "convformer";

  constructor(params: z.input<typeof convformerSchema> = {}) {
    super(parseParams("convformer", convformerSchema, params));
  }

  protected buildModel(window: number, nSeries: number, horizon: number): tf.LayersModel {
    return buildConvformerNetwork(this.params, window, nSeries, horizon);
  }

  static load(dir: string): Promise<ConvformerForecaster> {
    return loadAs(dir, "convformer", (p) => new ConvformerForecaster(p));
  }
}

export interface ConvformerShape {
  filters: number;
  kernelSize: number;
  heads: number;
  keyDim: number;
  ffUnits: number;
  dropout: number;
  seed: number;
}

/** The network for `steps` x `features` inputs and `outputs` values, output layer starting at zero. */
export function buildConvformerNetwork(p: ConvformerShape, steps: number, features: number, outputs: number): tf.LayersModel {
  const { filters, kernelSize, heads, keyDim, ffUnits, dropout, seed } = p;
  const glorot = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const input = tf.input({ shape: [steps, features] });
  const conv = new CausalConv1D({ filters, kernelSize, activation: "relu", seed: seed + 1, name: "causal_conv1d" }).apply(input) as tf.SymbolicTensor;
  const att = new SelfAttention({ heads, keyDim, seed: seed + 100, name: "self_attention" }).apply(conv) as tf.SymbolicTensor;
  const norm1 = new FeatureNorm({ name: "norm_attention" }).apply(att) as tf.SymbolicTensor;
  const ff1 = tf.layers.dense({ units: ffUnits, activation: "relu", kernelInitializer: glorot(2) }).apply(norm1);
  const ff2 = tf.layers.dense({ units: filters, kernelInitializer: glorot(3) }).apply(ff1) as tf.SymbolicTensor;
  const res = tf.layers.add().apply([norm1, ff2]) as tf.SymbolicTensor;
  const norm2 = new FeatureNorm({ name: "norm_feedforward" }).apply(res) as tf.SymbolicTensor;
  let pooled = tf.layers.globalAveragePooling1d().apply(norm2) as tf.SymbolicTensor;
  if (dropout > 0) pooled = new SeededDropout({ rate: dropout, seed: seed + 200 }).apply(pooled) as tf.SymbolicTensor;
  // zero output weights: the untrained network forecasts its zero point (last value or SES)
  const out = tf.layers.dense({ units: outputs, kernelInitializer: "zeros" }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
