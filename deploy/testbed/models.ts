/**
 * The testbed's application models: real ONNX graphs generated here (no downloads), sized so that
 * running one performs the fragment's compute. A fragment of F MI is taken as F million
 * floating-point operations (the catalogue's instructionsPerFlop convention): a chain of LAYERS
 * dense layers of WIDTH x WIDTH weights (MatMul then Tanh) over a batch of rows, where each
 * row costs 2 x WIDTH^2 FLOPs per layer. A request of size s runs s times the rows.
 *
 * Weights are drawn from a fixed-seed generator, so every worker builds the same model for the
 * same fragment.
 */
import { buildOnnxModel } from "../../learner/onnx/model-proto.ts";

export const WIDTH = 512;
export const LAYERS = 4;
/** FLOPs one row costs through the whole chain */
export const FLOPS_PER_ROW = 2 * WIDTH * WIDTH * LAYERS;
/** the largest fragment a worker accepts, MFLOP (keeps a request from exhausting a worker's memory) */
export const MAX_MFLOP = 1_000_000;

/** Rows of the batch that perform `mflop` million FLOPs (at least one). */
export function rowsFor(mflop: number): number {
  return Math.max(1, Math.round((mflop * 1e6) / FLOPS_PER_ROW));
}

/** FLOPs a batch of `rows` performs (what a measured time is divided by). */
export function flopsOf(rows: number): number {
  return rows * FLOPS_PER_ROW;
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** The ONNX bytes of the fragment model (the same for every fragment: the batch sets the work). */
export function fragmentModel(seed = 1): Uint8Array {
  const next = xorshift(seed);
  const scale = 1 / Math.sqrt(WIDTH);
  const initializers = [];
  const nodes = [];
  let input = "x";
  for (let l = 0; l < LAYERS; l++) {
    const w = new Float32Array(WIDTH * WIDTH);
    for (let i = 0; i < w.length; i++) w[i] = (next() * 2 - 1) * scale;
    initializers.push({ name: `w${l}`, dims: [WIDTH, WIDTH], data: w });
    const mm = `mm${l}`;
    const out = l === LAYERS - 1 ? "y" : `h${l}`;
    nodes.push({ op: "MatMul", inputs: [input, `w${l}`], outputs: [mm] });
    nodes.push({ op: "Tanh", inputs: [mm], outputs: [out] });
    input = out;
  }
  return buildOnnxModel({
    name: "cotwin-fragment",
    inputs: [{ name: "x", dims: ["rows", WIDTH] }],
    outputs: [{ name: "y", dims: ["rows", WIDTH] }],
    initializers,
    nodes,
    metadata: { width: String(WIDTH), layers: String(LAYERS) },
  });
}
