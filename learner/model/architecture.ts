/**
 * The learner's two networks and their weights, as plain named Float32Arrays (so training,
 * checkpoints and ONNX export all read the same numbers):
 *
 * - "attention": host, request and global tokens embedded by their own dense layers, then
 *   `layers` pre-norm transformer blocks (multi-head self-attention over all tokens, masked at
 *   padding; a ReLU feed-forward), a final layer norm, and these heads:
 *     provisioning per host token: relu(h Wp + g Wpg + bp) Wp2 + bp2 -> start / stop this host,
 *       and from the global token relu(g Wd + bd) Wd2 + bd2 -> done (no more changes);
 *     variant per request token:   relu(r Wv + g Wvg + bv) Wv2 + bv2 -> wait / each variant kind;
 *     host per fragment (a pointer over host tokens): the current request's token (picked by the
 *       slot one-hot), the global token and the fragment's features under each variant kind give
 *       a query q_k; score(k, host) = w . relu(q_k + host Wk + bk) + b.
 *   Tokens carry no position, so the outputs follow any reordering of the hosts.
 *   Decoded by chunk (`decode: "chunk"`, layout 5), the encoder sees the chunk's state and the
 *   heads add what was decided since: a host's key gains a linear path from its raw features,
 *   (host + change) Wraw, and delta Wd (the placements since the run), its score a linear term
 *   (host + change) . a + delta . ad (a least-loaded rule is then one weight vector), the
 *   variant scores progress Wvp; the graph outputs the pointer's halves and decode/step.ts finishes the scores.
 * - "mlp": the baseline - the padded inputs flattened into one vector, ReLU hidden layers, and a
 *   dense output per head (it sees hosts by position, so it is not invariant to their order).
 *
 * Initial weights are drawn from seedrandom streams named after the seed and the weight, Glorot
 * uniform for matrices, zero biases, unit layer-norm scales: same seed, same weights.
 */
import seedrandom from "seedrandom";
import { DD, DF, DG, DH, DP, inputDims, requestDim, V, type ModelSizes } from "../encoding/layout.ts";

export type Architecture =
  | { kind: "attention"; dModel: number; heads: number; layers: number; ffn: number; decode?: "chunk" }
  | { kind: "mlp"; hidden: number[] };

export const DEFAULT_ATTENTION: Architecture = { kind: "attention", dModel: 32, heads: 4, layers: 2, ffn: 64, decode: "chunk" };

/** Whether a network is decoded by chunk (layout 5: one encoder run per chunk of requests, decode/walk.ts). */
export function isChunked(arch: Architecture): boolean {
  return arch.kind === "attention" && arch.decode === "chunk";
}
export const DEFAULT_MLP: Architecture = { kind: "mlp", hidden: [128, 128] };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: "glorot" | "zeros" | "ones";
}

export type Weights = Map<string, Float32Array>;

function dense(name: string, inDim: number, outDim: number, bias = true): ParamSpec[] {
  const out: ParamSpec[] = [{ name: `${name}.w`, shape: [inDim, outDim], init: "glorot" }];
  if (bias) out.push({ name: `${name}.b`, shape: [outDim], init: "zeros" });
  return out;
}

function norm(name: string, d: number): ParamSpec[] {
  return [
    { name: `${name}.gamma`, shape: [d], init: "ones" },
    { name: `${name}.beta`, shape: [d], init: "zeros" },
  ];
}

/** The weights a network has, in a fixed order. */
export function paramSpecs(arch: Architecture, sizes: ModelSizes): ParamSpec[] {
  const H = sizes.hosts;
  const R = sizes.requests;
  if (arch.kind === "mlp") {
    const d = inputDims(sizes);
    let inDim = d.hosts + d.requests + d.global + d.slot + d.fragment;
    const out: ParamSpec[] = [];
    arch.hidden.forEach((n, i) => {
      out.push(...dense(`mlp.h${i}`, inDim, n));
      inDim = n;
    });
    out.push(...dense("head.done", inDim, 1), ...dense("head.provision", inDim, H * 2), ...dense("head.variant", inDim, R * (V + 1)), ...dense("head.place", inDim, V * H));
    return out;
  }
  const m = arch.dModel;
  if (m % arch.heads !== 0) throw new Error(`attention: model width ${m} is not a multiple of ${arch.heads} heads`);
  const out: ParamSpec[] = [...dense("embed.host", DH, m), ...dense("embed.request", requestDim(sizes), m), ...dense("embed.global", DG, m)];
  for (let l = 0; l < arch.layers; l++) {
    out.push(
      ...norm(`block${l}.norm1`, m),
      ...dense(`block${l}.q`, m, m, false),
      ...dense(`block${l}.k`, m, m, false),
      ...dense(`block${l}.v`, m, m, false),
      ...dense(`block${l}.o`, m, m),
      ...norm(`block${l}.norm2`, m),
      ...dense(`block${l}.ff1`, m, arch.ffn),
      ...dense(`block${l}.ff2`, arch.ffn, m),
    );
  }
  out.push(
    ...norm("final.norm", m),
    ...dense("head.provision.h", m, m),
    ...dense("head.provision.g", m, m, false),
    ...dense("head.provision.out", m, 2),
    ...dense("head.done.h", m, m),
    ...dense("head.done.out", m, 1),
    ...dense("head.variant.r", m, m),
    ...dense("head.variant.g", m, m, false),
    ...dense("head.variant.out", m, V + 1),
    ...dense("head.place.request", m, m),
    ...dense("head.place.g", m, m, false),
    ...dense("head.place.fragment", DF, m, false),
    ...dense("head.place.host", m, m),
    ...dense("head.place.out", m, 1),
  );
  if (arch.decode === "chunk") out.push(...dense("head.place.raw", DH, m, false), ...dense("head.place.delta", DD, m, false), ...dense("head.place.linear", DH, 1, false), ...dense("head.place.linearDelta", DD, 1, false), ...dense("head.variant.progress", DP, V + 1, false));
  return out;
}

export function initWeights(specs: ParamSpec[], seed: number): Weights {
  const w: Weights = new Map();
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.init === "ones") data.fill(1);
    else if (s.init === "glorot") {
      const [fanIn, fanOut] = s.shape;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const rng = seedrandom.alea(`${seed}:${s.name}`);
      for (let i = 0; i < n; i++) data[i] = (2 * rng() - 1) * limit;
    }
    w.set(s.name, data);
  }
  return w;
}

export function countParams(specs: ParamSpec[]): number {
  return specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}

/** Checks that `w` holds exactly the weights `specs` asks for, with their sizes. */
export function checkWeights(specs: ParamSpec[], w: Weights): string | null {
  if (w.size !== specs.length) return `${w.size} weights, expected ${specs.length}`;
  for (const s of specs) {
    const d = w.get(s.name);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!d) return `weight ${s.name} missing`;
    if (d.length !== n) return `weight ${s.name} has ${d.length} values, expected ${n}`;
  }
  return null;
}
