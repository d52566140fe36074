/**
 * The networks of architecture.ts as ONNX graphs built from their weights (onnx-proto), the same
 * computation as tf-forward.ts op for op. Inputs are the flat pass rows [batch, row length] of
 * encode.ts; outputs are done [batch, 1], provision [batch, H, 2], variant [batch, R, V + 1],
 * place [batch, V, H].
 *
 * The attention graph takes any number of host and request tokens up to the sizes it was trained
 * at (inputs hosts, hostMask, requests, requestMask and slot have a symbolic length): masked
 * tokens take no part in attention (their keys score PADDING_SCORE below the rest, exp(-60) of
 * the weight), so a pass fed only its real tokens gives the real tokens' outputs of the padded
 * pass to float rounding, with less work (serving trims the padding, policy.ts). The MLP sees
 * hosts by position and keeps its fixed sizes.
 *
 * A chunk-decoded attention network (layout 5) takes only the encoder's inputs and gives, in place
 * of `place`, the host pointer's halves: placeQuery [batch, R, m] (each request token's
 * part of the query, fragment term excluded) and placeKey [batch, H, m] (each host token's key,
 * its raw features' linear path included, before the step's term); its variant output lacks the progress term. decode/step.ts adds those
 * terms and scores hosts from the weights it reads back from the file.
 */
import { buildOnnxModel, type OnnxNode, type OnnxTensor } from "../onnx/model-proto.ts";
import { DF, DG, DH, ENCODER_INPUT_NAMES, INPUT_NAMES, inputDims, requestDim, V, type ModelSizes } from "../encoding/layout.ts";
import { paramSpecs, type Architecture, type Weights } from "./architecture.ts";
import { LAYER_NORM_EPSILON, PADDING_SCORE } from "./tf-forward.ts";

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private n = 0;
  private consts = new Map<string, string>();

  op(op: string, inputs: string[], attrs?: OnnxNode["attrs"]): string {
    const out = `${op.toLowerCase()}_${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** named output (graph outputs) */
  opTo(out: string, op: string, inputs: string[], attrs?: OnnxNode["attrs"]): string {
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  ints(values: number[]): string {
    const key = `i64:${values.join(",")}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const_i64_${this.consts.size}`;
      this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
      this.consts.set(key, name);
    }
    return name;
  }

  scalar(value: number): string {
    const key = `f32:${value}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const_f32_${this.consts.size}`;
      this.initializers.push({ name, dims: [], data: Float32Array.from([value]) });
      this.consts.set(key, name);
    }
    return name;
  }

  reshape(x: string, shape: number[]): string {
    return this.op("Reshape", [x, this.ints(shape)]);
  }

  dense(x: string, name: string, bias = true): string {
    const y = this.op("MatMul", [x, `${name}.w`]);
    return bias ? this.op("Add", [y, `${name}.b`]) : y;
  }

  layerNorm(x: string, name: string): string {
    // epsilon is not an integer, so model-proto writes it as a FLOAT attribute
    return this.op("LayerNormalization", [x, `${name}.gamma`, `${name}.beta`], { axis: -1, epsilon: LAYER_NORM_EPSILON });
  }
}

/** Serialises a network with its weights as an ONNX model; `metadata` goes into the model's properties. */
export function exportOnnx(arch: Architecture, sizes: ModelSizes, weights: Weights, metadata: Record<string, string> = {}): Uint8Array {
  const g = new GraphBuilder();
  for (const s of paramSpecs(arch, sizes)) {
    const data = weights.get(s.name);
    if (!data) throw new Error(`ONNX export: weight ${s.name} missing`);
    g.initializers.push({ name: s.name, dims: s.shape, data });
  }
  if (arch.kind === "mlp") buildMlp(g, arch, sizes);
  else buildAttention(g, arch, sizes);
  const dims = inputDims(sizes);
  // the attention graph's token counts are symbolic (see the header)
  const tokens = arch.kind === "attention";
  const chunked = arch.kind === "attention" && arch.decode === "chunk";
  const H: number | string = tokens ? "hostTokens" : sizes.hosts;
  const R: number | string = tokens ? "requestTokens" : sizes.requests;
  const length: Record<string, number | string> = tokens
    ? { hosts: `hostTokens*${DH}`, hostMask: H, requests: `requestTokens*${requestDim(sizes)}`, requestMask: R, slot: R }
    : {};
  const m = arch.kind === "attention" ? arch.dModel : 0;
  return buildOnnxModel({
    name: `cotwin-learner-${arch.kind}${chunked ? "-chunk" : ""}`,
    inputs: (chunked ? ENCODER_INPUT_NAMES : INPUT_NAMES).map((name) => ({ name, dims: ["batch", length[name] ?? dims[name]] })),
    outputs: [
      { name: "done", dims: ["batch", 1] },
      { name: "provision", dims: ["batch", H, 2] },
      { name: "variant", dims: ["batch", R, V + 1] },
      ...(chunked
        ? [
            { name: "placeQuery", dims: ["batch", R, m] },
            { name: "placeKey", dims: ["batch", H, m] },
          ]
        : [{ name: "place", dims: ["batch", V, H] }]),
    ],
    initializers: g.initializers,
    nodes: g.nodes,
    opset: 17,
    metadata,
  });
}

function buildMlp(g: GraphBuilder, arch: Extract<Architecture, { kind: "mlp" }>, sizes: ModelSizes): void {
  const H = sizes.hosts;
  const R = sizes.requests;
  const hosts = g.reshape(g.op("Mul", [g.reshape("hosts", [-1, H, DH]), g.reshape("hostMask", [-1, H, 1])]), [-1, H * DH]);
  const DR = requestDim(sizes);
  const reqs = g.reshape(g.op("Mul", [g.reshape("requests", [-1, R, DR]), g.reshape("requestMask", [-1, R, 1])]), [-1, R * DR]);
  let h = g.op("Concat", [hosts, reqs, "global", "slot", "fragment"], { axis: 1 });
  arch.hidden.forEach((_, i) => {
    h = g.op("Relu", [g.dense(h, `mlp.h${i}`)]);
  });
  g.opTo("done", "Reshape", [g.dense(h, "head.done"), g.ints([-1, 1])]);
  g.opTo("provision", "Reshape", [g.dense(h, "head.provision"), g.ints([-1, H, 2])]);
  g.opTo("variant", "Reshape", [g.dense(h, "head.variant"), g.ints([-1, R, V + 1])]);
  g.opTo("place", "Reshape", [g.dense(h, "head.place"), g.ints([-1, V, H])]);
}

function buildAttention(g: GraphBuilder, arch: Extract<Architecture, { kind: "attention" }>, sizes: ModelSizes): void {
  const m = arch.dModel;
  const nh = arch.heads;
  const dk = m / nh;
  // Reshape's 0 keeps that dimension of its input: batch and token counts stay symbolic
  const eh = g.op("Relu", [g.dense(g.reshape("hosts", [0, -1, DH]), "embed.host")]);
  const er = g.op("Relu", [g.dense(g.reshape("requests", [0, -1, requestDim(sizes)]), "embed.request")]);
  const eg = g.op("Relu", [g.dense(g.reshape("global", [-1, 1, DG]), "embed.global")]);
  let t = g.op("Concat", [eg, eh, er], { axis: 1 });
  // key mask [B, 1, 1, N] (the global token is always there) and the padding score (tf-forward.ts)
  const one = g.scalar(1);
  const ones = g.op("Add", [g.op("Mul", [g.op("Slice", ["hostMask", g.ints([0]), g.ints([1]), g.ints([1])]), g.scalar(0)]), one]);
  const keyMask = g.reshape(g.op("Concat", [ones, "hostMask", "requestMask"], { axis: 1 }), [0, 1, 1, -1]);
  const keyBias = g.op("Mul", [g.op("Sub", [keyMask, one]), g.scalar(PADDING_SCORE)]);
  const keyScale = g.op("Mul", [keyMask, g.scalar(1 / Math.sqrt(dk))]);
  const split = (z: string) => g.op("Transpose", [g.reshape(z, [0, 0, nh, dk])], { perm: [0, 2, 1, 3] });
  for (let l = 0; l < arch.layers; l++) {
    const p = `block${l}`;
    const a = g.layerNorm(t, `${p}.norm1`);
    const q = split(g.dense(a, `${p}.q`, false));
    const k = split(g.dense(a, `${p}.k`, false));
    const v = split(g.dense(a, `${p}.v`, false));
    const kt = g.op("Transpose", [k], { perm: [0, 1, 3, 2] });
    const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, kt]), keyScale]), keyBias]);
    const probs = g.op("Softmax", [scores], { axis: -1 });
    const att = g.reshape(g.op("Transpose", [g.op("MatMul", [probs, v])], { perm: [0, 2, 1, 3] }), [0, 0, m]);
    t = g.op("Add", [t, g.dense(att, `${p}.o`)]);
    const f = g.layerNorm(t, `${p}.norm2`);
    t = g.op("Add", [t, g.dense(g.op("Relu", [g.dense(f, `${p}.ff1`)]), `${p}.ff2`)]);
  }
  t = g.layerNorm(t, "final.norm");
  // token 0 is the global one, then the host tokens (as many as hostMask has columns), then the requests
  const hostEnd = g.op("Add", [g.op("Slice", [g.op("Shape", ["hostMask"]), g.ints([1]), g.ints([2]), g.ints([0])]), g.ints([1])]);
  const slice = (start: string, end: string) => g.op("Slice", [t, start, end, g.ints([1])]);
  const tg = slice(g.ints([0]), g.ints([1]));
  const th = slice(g.ints([1]), hostEnd);
  const tr = slice(hostEnd, g.ints([1 << 30]));
  g.opTo(
    "provision",
    "Add",
    [g.op("MatMul", [g.op("Relu", [g.op("Add", [g.dense(th, "head.provision.h"), g.dense(tg, "head.provision.g", false)])]), "head.provision.out.w"]), "head.provision.out.b"],
  );
  g.opTo("done", "Reshape", [g.dense(g.op("Relu", [g.dense(tg, "head.done.h")]), "head.done.out"), g.ints([-1, 1])]);
  g.opTo(
    "variant",
    "Add",
    [g.op("MatMul", [g.op("Relu", [g.op("Add", [g.dense(tr, "head.variant.r"), g.dense(tg, "head.variant.g", false)])]), "head.variant.out.w"]), "head.variant.out.b"],
  );
  if (arch.decode === "chunk") {
    g.opTo("placeQuery", "Add", [g.dense(tr, "head.place.request"), g.dense(tg, "head.place.g", false)]);
    const raw = g.op("MatMul", [g.reshape("hosts", [0, -1, DH]), "head.place.raw.w"]);
    g.opTo("placeKey", "Add", [g.op("Add", [g.op("MatMul", [th, "head.place.host.w"]), "head.place.host.b"]), raw]);
    return;
  }
  const current = g.op("MatMul", [g.reshape("slot", [0, 1, -1]), tr]);
  const frag = g.reshape("fragment", [-1, V, DF]);
  const query = g.op("Add", [g.op("Add", [g.dense(current, "head.place.request"), g.dense(tg, "head.place.g", false)]), g.dense(frag, "head.place.fragment", false)]);
  const keys = g.dense(th, "head.place.host");
  const u = g.op("Relu", [g.op("Add", [g.reshape(query, [0, V, 1, m]), g.reshape(keys, [0, 1, -1, m])])]);
  const score = g.op("Add", [g.op("MatMul", [u, "head.place.out.w"]), "head.place.out.b"]);
  g.opTo("place", "Reshape", [score, g.ints([0, V, -1])]);
}
