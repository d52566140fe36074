/**
 * Synchronous ONNX Runtime inference (onnxruntime-node, CPU). A Policy decides synchronously, so
 * this calls the native session's run() directly - the public `InferenceSession.run` only wraps
 * that same call in a Promise resolved on the next turn of the event loop. Loaded on first use.
 */
import { createRequire } from "node:module";

export type Feeds = Record<string, { data: Float32Array | BigInt64Array | Int32Array; dims: number[] }>;
export type Outputs = Record<string, { data: Float32Array; dims: number[] }>;

interface NativeSession {
  loadModel(buffer: ArrayBuffer, offset: number, length: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, null>, options: object): Record<string, { data: Float32Array; dims: number[] }>;
  inputNames?: string[];
  inputMetadata: Array<{ name: string; shape: number[]; symbolicDimensions: string[] }>;
  outputMetadata: Array<{ name: string; shape: number[] }>;
  dispose(): void;
}

interface Ort {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
}

let ort: Ort | undefined;
function load(): Ort {
  if (!ort) {
    const require = createRequire(import.meta.url);
    const { binding, initOrt } = require("onnxruntime-node/dist/binding") as Pick<Ort, "binding" | "initOrt">;
    const { Tensor } = require("onnxruntime-common") as Pick<Ort, "Tensor">;
    ort = { binding, initOrt, Tensor };
  }
  return ort;
}

export class OnnxSession {
  private readonly session: NativeSession;
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** each input's shape as the model declares it (-1 for a symbolic dimension such as the batch) */
  readonly inputShapes: Record<string, number[]>;
  private readonly fetches: Record<string, null>;

  constructor(bytes: Uint8Array, options: { threads?: number } = {}) {
    const o = load();
    o.initOrt();
    this.session = new o.binding.InferenceSession();
    // one intra-op thread: batch-1 decisions are latency-bound, and the simulator owns the cores
    this.session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // warnings off: a chunk-decoded model keeps weights its graph does not read (decode/step.ts
      // reads them from the file), which ONNX Runtime would report on every load
      logSeverityLevel: 3,
      executionProviders: [{ name: "cpu" }],
    });
    this.inputNames = this.session.inputMetadata.map((m) => m.name);
    this.outputNames = this.session.outputMetadata.map((m) => m.name);
    this.inputShapes = Object.fromEntries(this.session.inputMetadata.map((m) => [m.name, Array.from(m.shape ?? [])]));
    this.fetches = Object.fromEntries(this.outputNames.map((n) => [n, null]));
  }

  /** Runs the model; every output comes back as float32 data with its dims. */
  run(feeds: Feeds): Outputs {
    const o = load();
    const t: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(feeds)) {
      const type = v.data instanceof Float32Array ? "float32" : v.data instanceof BigInt64Array ? "int64" : "int32";
      t[k] = new o.Tensor(type, v.data, v.dims);
    }
    return this.session.run(t, this.fetches, {}) as Outputs;
  }

  dispose(): void {
    this.session.dispose();
  }
}
