/**
 * The networks of architecture.ts in TensorFlow.js ops (training and the reference the ONNX
 * export is checked against). Weights come in as tensors by name, inputs as [batch, ...] tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { DD, DF, DG, DH, DP, requestDim, STEP_HOST_FEATURE_OF, V, type InputName, type ModelSizes } from "../encoding/layout.ts";
import type { Architecture } from "./architecture.ts";

export type TfWeights = Record<string, tf.Tensor>;
export type TfInputs = Record<InputName, tf.Tensor>;
export interface TfOutputs {
  /** [B, 1] */
  done: tf.Tensor;
  /** [B, H, 2] start, stop */
  provision: tf.Tensor;
  /** [B, R, V + 1] */
  variant: tf.Tensor;
  /** [B, V, H] */
  place: tf.Tensor;
}

export const LAYER_NORM_EPSILON = 1e-5;

/** [DD, DH]: 1 where a step host feature is the change of a host feature (STEP_HOST_FEATURE_OF) */
function stepSelection(): tf.Tensor2D {
  const s = new Float32Array(DD * DH);
  STEP_HOST_FEATURE_OF.forEach((f, j) => {
    if (f >= 0) s[j * DH + f] = 1;
  });
  return tf.tensor2d(s, [DD, DH]);
}
/** the attention score of padding tokens is -PADDING_SCORE */
export const PADDING_SCORE = 60;

/** x [..., in] times w [in, out] (+ b), on any leading shape */
function denseT(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  const y = tf.matMul(x.reshape([-1, inDim]), w as tf.Tensor2D);
  const out = y.reshape([...shape.slice(0, -1), w.shape[1]!]);
  return b ? tf.add(out, b) : out;
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON))), gamma), beta);
}

export function forward(arch: Architecture, sizes: ModelSizes, w: TfWeights, x: TfInputs): TfOutputs {
  return arch.kind === "mlp" ? forwardMlp(arch, sizes, w, x) : forwardAttention(arch, sizes, w, x);
}

function forwardMlp(arch: Extract<Architecture, { kind: "mlp" }>, sizes: ModelSizes, w: TfWeights, x: TfInputs): TfOutputs {
  const H = sizes.hosts;
  const R = sizes.requests;
  const B = x.hosts.shape[0]!;
  const hosts = tf.mul(x.hosts.reshape([B, H, DH]), x.hostMask.reshape([B, H, 1])).reshape([B, H * DH]);
  const reqs = tf.mul(x.requests.reshape([B, R, requestDim(sizes)]), x.requestMask.reshape([B, R, 1])).reshape([B, -1]);
  let h: tf.Tensor = tf.concat([hosts, reqs, x.global.reshape([B, DG]), x.slot.reshape([B, R]), x.fragment.reshape([B, V * DF])], 1);
  for (let i = 0; i < arch.hidden.length; i++) h = tf.relu(denseT(h, w[`mlp.h${i}.w`], w[`mlp.h${i}.b`]));
  return {
    done: denseT(h, w["head.done.w"], w["head.done.b"]).reshape([B, 1]),
    provision: denseT(h, w["head.provision.w"], w["head.provision.b"]).reshape([B, H, 2]),
    variant: denseT(h, w["head.variant.w"], w["head.variant.b"]).reshape([B, R, V + 1]),
    place: denseT(h, w["head.place.w"], w["head.place.b"]).reshape([B, V, H]),
  };
}

function forwardAttention(arch: Extract<Architecture, { kind: "attention" }>, sizes: ModelSizes, w: TfWeights, x: TfInputs): TfOutputs {
  const H = sizes.hosts;
  const R = sizes.requests;
  const B = x.hosts.shape[0]!;
  const m = arch.dModel;
  const nh = arch.heads;
  const dk = m / nh;
  const N = 1 + H + R;
  const eh = tf.relu(denseT(x.hosts.reshape([B, H, DH]), w["embed.host.w"], w["embed.host.b"]));
  const er = tf.relu(denseT(x.requests.reshape([B, R, requestDim(sizes)]), w["embed.request.w"], w["embed.request.b"]));
  const eg = tf.relu(denseT(x.global.reshape([B, 1, DG]), w["embed.global.w"], w["embed.global.b"]));
  let t: tf.Tensor = tf.concat([eg, eh, er], 1); // [B, N, m]
  // Padding keys: score replaced by -PADDING_SCORE (key mask m: s * m + (m - 1) * 60). e^-60 is
  // below float32 resolution beside the best real key, so they get no weight; a bias of -1e9 would
  // do the same but sends ONNX Runtime's exp down a slow path (4x slower softmax).
  const keyMask = tf.concat([tf.ones([B, 1]), x.hostMask.reshape([B, H]), x.requestMask.reshape([B, R])], 1).reshape([B, 1, 1, N]);
  const keyBias = tf.mul(tf.sub(keyMask, 1), PADDING_SCORE);
  const split = (z: tf.Tensor) => z.reshape([B, N, nh, dk]).transpose([0, 2, 1, 3]); // [B, nh, N, dk]
  for (let l = 0; l < arch.layers; l++) {
    const p = `block${l}`;
    const a = layerNorm(t, w[`${p}.norm1.gamma`], w[`${p}.norm1.beta`]);
    const q = split(denseT(a, w[`${p}.q.w`]));
    const k = split(denseT(a, w[`${p}.k.w`]));
    const v = split(denseT(a, w[`${p}.v.w`]));
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), tf.mul(keyMask, 1 / Math.sqrt(dk))), keyBias);
    const att = tf.matMul(tf.softmax(scores, -1), v).transpose([0, 2, 1, 3]).reshape([B, N, m]);
    t = tf.add(t, denseT(att, w[`${p}.o.w`], w[`${p}.o.b`]));
    const f = layerNorm(t, w[`${p}.norm2.gamma`], w[`${p}.norm2.beta`]);
    t = tf.add(t, denseT(tf.relu(denseT(f, w[`${p}.ff1.w`], w[`${p}.ff1.b`])), w[`${p}.ff2.w`], w[`${p}.ff2.b`]));
  }
  t = layerNorm(t, w["final.norm.gamma"], w["final.norm.beta"]);
  const tg = t.slice([0, 0, 0], [B, 1, m]);
  const th = t.slice([0, 1, 0], [B, H, m]);
  const tr = t.slice([0, 1 + H, 0], [B, R, m]);
  const provision = denseT(
    tf.relu(tf.add(denseT(th, w["head.provision.h.w"], w["head.provision.h.b"]), denseT(tg, w["head.provision.g.w"]))),
    w["head.provision.out.w"],
    w["head.provision.out.b"],
  );
  const done = denseT(tf.relu(denseT(tg, w["head.done.h.w"], w["head.done.h.b"])), w["head.done.out.w"], w["head.done.out.b"]).reshape([B, 1]);
  const chunked = arch.decode === "chunk";
  let variant = denseT(
    tf.relu(tf.add(denseT(tr, w["head.variant.r.w"], w["head.variant.r.b"]), denseT(tg, w["head.variant.g.w"]))),
    w["head.variant.out.w"],
    w["head.variant.out.b"],
  );
  // by chunk: what the chunk decided since its encoder run (the same term for every slot)
  if (chunked) variant = tf.add(variant, denseT(x.progress.reshape([B, 1, DP]), w["head.variant.progress.w"]));
  const current = tf.matMul(x.slot.reshape([B, 1, R]), tr); // [B, 1, m]
  const query = tf.add(
    tf.add(denseT(current, w["head.place.request.w"], w["head.place.request.b"]), denseT(tg, w["head.place.g.w"])),
    denseT(x.fragment.reshape([B, V, DF]), w["head.place.fragment.w"]),
  ); // [B, V, m]
  let keys = denseT(th, w["head.place.host.w"], w["head.place.host.b"]); // [B, H, m]
  if (chunked) {
    // the raw features' linear path, and the placements since the run: their changes of those
    // features go through the same weights (+ their own), see decode/step.ts
    keys = tf.add(keys, denseT(x.hosts.reshape([B, H, DH]), w["head.place.raw.w"]));
    keys = tf.add(keys, denseT(x.delta.reshape([B, H, DD]), tf.add(w["head.place.delta.w"], tf.matMul(stepSelection(), w["head.place.raw.w"] as tf.Tensor2D))));
  }
  const u = tf.relu(tf.add(query.reshape([B, V, 1, m]), keys.reshape([B, 1, H, m]))); // [B, V, H, m]
  let place = denseT(u, w["head.place.out.w"], w["head.place.out.b"]).reshape([B, V, H]);
  if (chunked) {
    // the linear term of a host's features as they are now (the same for every variant kind)
    const a = w["head.place.linear.w"] as tf.Tensor2D;
    const lin = tf.add(denseT(x.hosts.reshape([B, H, DH]), a), denseT(x.delta.reshape([B, H, DD]), tf.add(w["head.place.linearDelta.w"], tf.matMul(stepSelection(), a))));
    place = tf.add(place, lin.reshape([B, 1, H]));
  }
  return { done, provision, variant, place };
}
