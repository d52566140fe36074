import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../workloads/forecast/backend.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { DD, DF, DH, DP, ENCODER_INPUT_NAMES, INPUT_NAMES, inputDims, ROW_INPUT_NAMES, V, type ModelSizes } from "../../learner/encoding/layout.ts";
import { ChunkHead } from "../../learner/decode/step.ts";
import { paramSpecs, type Architecture } from "../../learner/model/architecture.ts";
import { forward } from "../../learner/model/tf-forward.ts";
import { exportOnnx } from "../../learner/model/onnx-export.ts";
import { OnnxSession } from "../../learner/onnx/runtime.ts";
import { randomWeights } from "../helpers/learner.ts";

const SIZES: ModelSizes = { hosts: 12, requests: 5, apps: 3, fragments: 4 };

async function maxDifference(arch: Architecture, batch: number, seed: number): Promise<number> {
  await initBackend();
  const specs = paramSpecs(arch, SIZES);
  // biases and norms moved off their initial zeros and ones, as training leaves them
  const w = randomWeights(arch, SIZES, seed);
  const rng = new RandomStream(`onnx:${seed}`);
  for (const v of w.values()) for (let i = 0; i < v.length; i++) v[i] += rng.uniform(-0.1, 0.1);
  const d = inputDims(SIZES);
  const inputs = Object.fromEntries(
    INPUT_NAMES.map((k) => [k, Float32Array.from({ length: batch * d[k] }, () => (k.endsWith("Mask") ? (rng.next() < 0.7 ? 1 : 0) : k === "slot" ? 0 : rng.uniform(-2, 2)))]),
  ) as Record<(typeof INPUT_NAMES)[number], Float32Array>;
  for (let b = 0; b < batch; b++) inputs.slot[b * SIZES.requests + rng.int(0, SIZES.requests - 1)] = 1;

  const session = new OnnxSession(exportOnnx(arch, SIZES, w));
  const ort = session.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: inputs[k], dims: [batch, d[k]] }])));
  session.dispose();
  const ref = tf.tidy(() => {
    const tw = Object.fromEntries(specs.map((s) => [s.name, tf.tensor(w.get(s.name)!, s.shape)]));
    const tx = Object.fromEntries(INPUT_NAMES.map((k) => [k, tf.tensor2d(inputs[k], [batch, d[k]])])) as Parameters<typeof forward>[3];
    const o = forward(arch, SIZES, tw, tx);
    return { done: o.done.dataSync(), provision: o.provision.dataSync(), variant: o.variant.dataSync(), place: o.place.dataSync() };
  });
  let max = 0;
  for (const k of ["done", "provision", "variant", "place"] as const) {
    assert.equal(ort[k].data.length, ref[k].length);
    for (let i = 0; i < ref[k].length; i++) max = Math.max(max, Math.abs(ort[k].data[i] - ref[k][i]));
  }
  let scale = 0;
  for (const k of ["done", "provision", "variant", "place"] as const) for (const v of ref[k]) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 1, `outputs of magnitude ${scale}`);
  return max;
}

test("the attention model in ONNX Runtime equals TensorFlow.js on random inputs (max abs difference < 1e-4)", async () => {
  for (const seed of [1, 2, 3]) {
    const diff = await maxDifference({ kind: "attention", dModel: 16, heads: 4, layers: 2, ffn: 32 }, 7, seed);
    assert.ok(diff < 1e-4, `seed ${seed}: ${diff}`);
  }
});

test("the MLP baseline in ONNX Runtime equals TensorFlow.js on random inputs (max abs difference < 1e-4)", async () => {
  const diff = await maxDifference({ kind: "mlp", hidden: [24, 16] }, 5, 4);
  assert.ok(diff < 1e-4, `${diff}`);
});

test("the attention graph fed only its real tokens gives the padded pass's outputs for them (max abs difference < 1e-5)", () => {
  const arch: Architecture = { kind: "attention", dModel: 16, heads: 4, layers: 2, ffn: 32 };
  const w = randomWeights(arch, SIZES, 5);
  const rng = new RandomStream("onnx:trim");
  for (const v of w.values()) for (let i = 0; i < v.length; i++) v[i] += rng.uniform(-0.1, 0.1);
  const d = inputDims(SIZES);
  const session = new OnnxSession(exportOnnx(arch, SIZES, w));
  const DH = d.hosts / SIZES.hosts;
  const DR = d.requests / SIZES.requests;
  for (const [h, r] of [[7, 2], [12, 5], [1, 1]] as const) {
    // real tokens first, then padding that holds values the masks must hide
    const inputs = Object.fromEntries(INPUT_NAMES.map((k) => [k, Float32Array.from({ length: d[k] }, () => rng.uniform(-2, 2))])) as Record<(typeof INPUT_NAMES)[number], Float32Array>;
    inputs.hostMask.fill(0).fill(1, 0, h);
    inputs.requestMask.fill(0).fill(1, 0, r);
    inputs.slot.fill(0)[r - 1] = 1;
    const padded = session.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: inputs[k], dims: [1, d[k]] }])));
    const len: Record<string, number> = { hosts: h * DH, hostMask: h, requests: r * DR, requestMask: r, slot: r, global: d.global, fragment: d.fragment };
    const trimmed = session.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: inputs[k].subarray(0, len[k]), dims: [1, len[k]] }])));
    assert.deepEqual(trimmed.provision.dims, [1, h, 2]);
    assert.deepEqual(trimmed.variant.dims, [1, r, V + 1]);
    assert.deepEqual(trimmed.place.dims, [1, V, h]);
    let max = Math.abs(trimmed.done.data[0] - padded.done.data[0]);
    for (let i = 0; i < 2 * h; i++) max = Math.max(max, Math.abs(trimmed.provision.data[i] - padded.provision.data[i]));
    for (let i = 0; i < r * (V + 1); i++) max = Math.max(max, Math.abs(trimmed.variant.data[i] - padded.variant.data[i]));
    for (let k = 0; k < V; k++) for (let i = 0; i < h; i++) max = Math.max(max, Math.abs(trimmed.place.data[k * h + i] - padded.place.data[k * SIZES.hosts + i]));
    assert.ok(max < 1e-5, `${h} hosts, ${r} requests: ${max}`);
    // and a real token dropped does change them (the comparison can fail)
    if (h > 1) {
      const fewer = session.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: inputs[k].subarray(0, k === "hosts" ? (h - 1) * DH : k === "hostMask" ? h - 1 : len[k]), dims: [1, k === "hosts" ? (h - 1) * DH : k === "hostMask" ? h - 1 : len[k]] }])));
      assert.ok(Math.abs(fewer.done.data[0] - padded.done.data[0]) > 1e-4);
    }
  }
  session.dispose();
});

test("a chunk-decoded model's encoder run in ONNX Runtime plus its step equals TensorFlow.js on random inputs (max abs difference < 1e-4)", async () => {
  await initBackend();
  const arch: Architecture = { kind: "attention", dModel: 16, heads: 4, layers: 2, ffn: 32, decode: "chunk" };
  const m = 16;
  const H = SIZES.hosts;
  const R = SIZES.requests;
  const batch = 6;
  for (const seed of [7, 8]) {
    const specs = paramSpecs(arch, SIZES);
    const w = randomWeights(arch, SIZES, seed);
    const rng = new RandomStream(`onnx-chunk:${seed}`);
    for (const v of w.values()) for (let i = 0; i < v.length; i++) v[i] += rng.uniform(-0.1, 0.1);
    const d = inputDims(SIZES);
    const inputs = Object.fromEntries(
      ROW_INPUT_NAMES.map((k) => [k, Float32Array.from({ length: batch * d[k] }, () => (k.endsWith("Mask") ? (rng.next() < 0.7 ? 1 : 0) : k === "slot" ? 0 : rng.uniform(-2, 2)))]),
    ) as Record<(typeof ROW_INPUT_NAMES)[number], Float32Array>;
    const slots: number[] = [];
    for (let b = 0; b < batch; b++) {
      slots.push(rng.int(0, R - 1));
      inputs.slot[b * R + slots[b]] = 1;
      // most hosts had no placement since the run (the step's fast path), a few had
      for (let h = 0; h < H; h++) if (rng.next() < 0.6) inputs.delta.fill(0, (b * H + h) * DD, (b * H + h + 1) * DD);
    }
    const session: OnnxSession = new OnnxSession(exportOnnx(arch, SIZES, w));
    assert.deepEqual([...session.inputNames].sort(), [...ENCODER_INPUT_NAMES].sort(), "the graph takes the encoder's inputs only");
    const ort = session.run(Object.fromEntries(ENCODER_INPUT_NAMES.map((k) => [k, { data: inputs[k], dims: [batch, d[k]] }])));
    session.dispose();
    const ref = tf.tidy(() => {
      const tw = Object.fromEntries(specs.map((s) => [s.name, tf.tensor(w.get(s.name)!, s.shape)]));
      const tx = Object.fromEntries(ROW_INPUT_NAMES.map((k) => [k, tf.tensor2d(inputs[k], [batch, d[k]])])) as Parameters<typeof forward>[3];
      const o = forward(arch, SIZES, tw, tx);
      return { done: o.done.dataSync(), provision: o.provision.dataSync(), variant: o.variant.dataSync(), place: o.place.dataSync() };
    });
    const head = new ChunkHead(w, m);
    let max = 0;
    let scale = 0;
    const diff = (a: number, b: number) => {
      max = Math.max(max, Math.abs(a - b));
      scale = Math.max(scale, Math.abs(b));
    };
    for (let i = 0; i < ref.done.length; i++) diff(ort.done.data[i], ref.done[i]);
    for (let i = 0; i < ref.provision.length; i++) diff(ort.provision.data[i], ref.provision[i]);
    const vbuf = new Float64Array(V + 1);
    const hbuf = new Float64Array(H);
    for (let b = 0; b < batch; b++) {
      const scores = {
        done: ort.done.data.subarray(b, b + 1),
        provision: ort.provision.data.subarray(b * H * 2, (b + 1) * H * 2),
        variant: ort.variant.data.subarray(b * R * (V + 1), (b + 1) * R * (V + 1)),
        placeQuery: ort.placeQuery.data.subarray(b * R * m, (b + 1) * R * m),
        placeKey: ort.placeKey.data.subarray(b * H * m, (b + 1) * H * m),
      };
      for (let s = 0; s < R; s++) {
        head.variant(scores, s, inputs.progress, b * DP, vbuf);
        for (let c = 0; c <= V; c++) diff(vbuf[c], ref.variant[(b * R + s) * (V + 1) + c]);
      }
      for (let k = 0; k < V; k++) {
        head.hosts(scores, slots[b], k, inputs.fragment, b * V * DF, inputs.delta, b * H * DD, inputs.hosts, b * H * DH, H, hbuf);
        for (let h = 0; h < H; h++) diff(hbuf[h], ref.place[(b * V + k) * H + h]);
      }
    }
    assert.ok(scale > 1, `outputs of magnitude ${scale}`);
    assert.ok(max < 1e-4, `seed ${seed}: ${max}`);
    // the step's terms matter: without the delta weights the host scores move
    const noDelta = new Map(w);
    noDelta.set("head.place.delta.w", new Float32Array(DD * m));
    const b = batch - 1;
    const scores = {
      done: [0],
      provision: [],
      variant: ort.variant.data.subarray(b * R * (V + 1), (b + 1) * R * (V + 1)),
      placeQuery: ort.placeQuery.data.subarray(b * R * m, (b + 1) * R * m),
      placeKey: ort.placeKey.data.subarray(b * H * m, (b + 1) * H * m),
    };
    let moved = 0;
    new ChunkHead(noDelta, m).hosts(scores, slots[b], 0, inputs.fragment, b * V * DF, inputs.delta, b * H * DD, inputs.hosts, b * H * DH, H, hbuf);
    for (let h = 0; h < H; h++) moved = Math.max(moved, Math.abs(hbuf[h] - ref.place[(b * V + 0) * H + h]));
    assert.ok(moved > 1e-3, `dropping the delta term changes the scores (${moved})`);
  }
});
