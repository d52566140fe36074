/**
 * ONNX models built from plain weights: a graph of nodes over named tensors, serialised with
 * onnx-proto (the ONNX protobuf schema). Used to export the learner's networks (no npm package
 * converts TensorFlow.js models) and to generate the local testbed's application models.
 *
 *   const bytes = buildOnnxModel({ name: "mlp", inputs: [{ name: "x", dims: ["batch", 4] }],
 *     outputs: [{ name: "y", dims: ["batch", 2] }], initializers: [{ name: "w", dims: [4, 2], data }],
 *     nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }] });
 */
import { createRequire } from "node:module";

/** A constant tensor (weights); `data` length must be the product of `dims`. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

/** A graph input or output: a dimension is a size or a symbolic name ("batch"). */
export interface OnnxValue {
  name: string;
  dims: Array<number | string>;
  type?: "float32" | "int64" | "int32" | "bool";
}

export type OnnxAttribute = number | string | number[] | { floats: number[] } | { tensor: OnnxTensor };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** integer-valued numbers are INT attributes, others FLOAT; arrays of integers INTS; { floats } FLOATS */
  attrs?: Record<string, OnnxAttribute>;
  /** operator set domain ("" = the default ONNX domain) */
  domain?: string;
}

export interface OnnxGraph {
  name: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: OnnxTensor[];
  nodes: OnnxNode[];
  /** default opset 17 */
  opset?: number;
  /** key/value metadata stored in the model (e.g. the feature layout, the trainer's version) */
  metadata?: Record<string, string>;
  docString?: string;
}

// ONNX enum values (onnx.proto)
const ELEM = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

type OnnxNamespace = {
  ModelProto: { create(m: unknown): unknown; encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): unknown };
};
let onnxNs: OnnxNamespace | undefined;
function onnx(): OnnxNamespace {
  onnxNs ??= (createRequire(import.meta.url)("onnx-proto") as { onnx: OnnxNamespace }).onnx;
  return onnxNs;
}

function tensorProto(t: OnnxTensor): Record<string, unknown> {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new Error(`ONNX tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(", ")}] (${n})`);
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  const dataType = t.data instanceof Float32Array ? ELEM.float32 : t.data instanceof Int32Array ? ELEM.int32 : ELEM.int64;
  return { name: t.name, dims: t.dims, dataType, rawData: bytes };
}

function valueInfo(v: OnnxValue): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM[v.type ?? "float32"],
        shape: { dim: v.dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, a: OnnxAttribute): Record<string, unknown> {
  if (typeof a === "string") return { name, type: ATTR.STRING, s: new TextEncoder().encode(a) };
  if (typeof a === "number") return Number.isInteger(a) ? { name, type: ATTR.INT, i: a } : { name, type: ATTR.FLOAT, f: a };
  if (Array.isArray(a)) return { name, type: ATTR.INTS, ints: a };
  if ("floats" in a) return { name, type: ATTR.FLOATS, floats: a.floats };
  return { name, type: ATTR.TENSOR, t: tensorProto(a.tensor) };
}

/** Serialises a graph as an ONNX model (bytes of a ModelProto). */
export function buildOnnxModel(g: OnnxGraph): Uint8Array {
  const graph = {
    name: g.name,
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: g.initializers.map(tensorProto),
    node: g.nodes.map((n, i) => ({
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      name: n.name ?? `${n.op}_${i}`,
      domain: n.domain ?? "",
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    docString: g.docString ?? "",
  };
  const O = onnx();
  const model = O.ModelProto.create({
    irVersion: 8,
    producerName: "cotwin",
    opsetImport: [{ domain: "", version: g.opset ?? 17 }],
    graph,
    metadataProps: Object.entries(g.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return O.ModelProto.encode(model).finish();
}

/** The metadata stored in an ONNX model's bytes (key/value pairs); throws on bytes that are not a model. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const m = onnx().ModelProto.decode(bytes) as { metadataProps?: Array<{ key: string; value: string }>; graph?: unknown };
  if (!m.graph) throw new Error("not an ONNX model (no graph)");
  const out: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) out[p.key] = p.value;
  return out;
}

/** The float32 initializers (weights) stored in an ONNX model's bytes, by name. */
export function readOnnxInitializers(bytes: Uint8Array): Map<string, Float32Array> {
  const m = onnx().ModelProto.decode(bytes) as { graph?: { initializer?: Array<{ name: string; dataType: number; rawData?: Uint8Array; floatData?: number[] }> } };
  if (!m.graph) throw new Error("not an ONNX model (no graph)");
  const out = new Map<string, Float32Array>();
  for (const t of m.graph.initializer ?? []) {
    if (t.dataType !== ELEM.float32) continue;
    if (t.rawData && t.rawData.length > 0) out.set(t.name, new Float32Array(Uint8Array.from(t.rawData).buffer));
    else out.set(t.name, Float32Array.from(t.floatData ?? []));
  }
  return out;
}
