/**
 * The step of a chunk-decoded model (layout 5): the few terms of its heads that change within a
 * chunk, computed from the chunk's one encoder run (ONNX Runtime) and the weights read back from
 * the model file - the same arithmetic as the TensorFlow.js forward pass (tf-forward.ts), which a
 * test checks:
 *
 *   variant scores of the request in slot s = variant[s] + progress . Wvp
 *   score(host h) for a fragment under variant kind k
 *     = w . relu(placeQuery[s] + fragment_k Wf + placeKey[h] + delta_h (Wd + S Wraw)) + b
 *
 *       + (host_h + S^T delta_h) . a + delta_h . ad
 *
 * where placeKey holds the raw host features' path (host_h Wraw) at the run, host_h the host's
 * token as the run saw it, and S [DD, DH]
 * picks the host feature each delta is the change of (layout.ts STEP_HOST_FEATURE_OF), so a
 * host's key reads its features as they are now.
 *
 * Each host's key under its delta is kept for the run and recomputed only when the delta changed
 * (a placement on the host, or a fragment of the current request on it), so a host costs one pass
 * over the model width per step, a step a few microseconds where an encoder run is a hundred or
 * more; hosts the mask rules out are not scored.
 */
import { DD as DD_, DF as DF_, DH as DH_, DP as DP_, STEP_HOST_FEATURE_OF, V as V_ } from "../encoding/layout.ts";

// module-local copies: the hot loops below read them per host, and an imported binding can be a
// getter (as the TypeScript loader compiles modules) costing more than the arithmetic
const DD = DD_;
const DF = DF_;
const DH = DH_;
const DP = DP_;
const V = V_;

/** The encoder run's outputs a step reads (row-major, as ONNX Runtime returns them). */
export interface ChunkScores {
  done: ArrayLike<number>;
  /** [hosts fed, 2] */
  provision: ArrayLike<number>;
  /** [requests fed, V + 1], before the progress term */
  variant: ArrayLike<number>;
  /** [requests fed, m] */
  placeQuery: ArrayLike<number>;
  /** [hosts fed, m] */
  placeKey: ArrayLike<number>;
}

export class ChunkHead {
  readonly m: number;
  private readonly wf: Float32Array;
  private readonly wd: Float32Array;
  private readonly wOut: Float32Array;
  private readonly bOut: number;
  private readonly wvp: Float32Array;
  private readonly a: Float32Array;
  private readonly ad: Float64Array;
  private readonly q: Float64Array;
  /** per host, for the run `linearOf`: its key under the delta in `deltas` (the last one scored) */
  private keys = new Float64Array(0);
  private deltas = new Float64Array(0);
  /** per host, the linear term of its token as the run saw it (for the run `linearOf`) */
  private linear = new Float64Array(0);
  private linearOf: ChunkScores | null = null;

  /** `weights`: the network's weights by name (architecture.ts), `m` its width */
  constructor(weights: ReadonlyMap<string, Float32Array>, m: number) {
    const get = (name: string, n: number): Float32Array => {
      const w = weights.get(name);
      if (!w || w.length !== n) throw new Error(`chunk step: weight ${name} ${w ? `has ${w.length} values, expected ${n}` : "missing"}`);
      return w;
    };
    this.m = m;
    this.wf = get("head.place.fragment.w", DF * m);
    // the delta's weights: its own plus, for the change of a host feature, that feature's raw path
    this.wd = get("head.place.delta.w", DD * m).slice();
    const raw = get("head.place.raw.w", DH * m);
    STEP_HOST_FEATURE_OF.forEach((f, j) => {
      if (f >= 0) for (let i = 0; i < m; i++) this.wd[j * m + i] += raw[f * m + i];
    });
    this.wOut = get("head.place.out.w", m);
    this.bOut = get("head.place.out.b", 1)[0];
    this.wvp = get("head.variant.progress.w", DP * (V + 1));
    this.a = get("head.place.linear.w", DH);
    const ad = get("head.place.linearDelta.w", DD);
    this.ad = Float64Array.from(ad, (x, j) => x + (STEP_HOST_FEATURE_OF[j] >= 0 ? this.a[STEP_HOST_FEATURE_OF[j]] : 0));
    this.q = new Float64Array(m);
  }

  /** Variant scores (0 wait, 1 + k kind k) of the request in `slot`, into `out` [V + 1]. */
  variant(s: ChunkScores, slot: number, progress: ArrayLike<number>, progressOffset: number, out: Float64Array): Float64Array {
    for (let c = 0; c <= V; c++) {
      let x = s.variant[slot * (V + 1) + c];
      for (let i = 0; i < DP; i++) x += progress[progressOffset + i] * this.wvp[i * (V + 1) + c];
      out[c] = x;
    }
    return out;
  }

  /**
   * Host scores for the fragment `fragment` (its DF features under kind `kind`, from offset
   * `fragmentOffset`) of the request in `slot`, for hosts 0..hosts-1, into `out`; `hostRows`:
   * the run's host tokens (DH per host; read once per `s`), `delta` the changes since (DD per host).
   * With `mask`, only the hosts it allows (1) are scored; the others get -Infinity.
   */
  hosts(s: ChunkScores, slot: number, kind: number, fragment: ArrayLike<number>, fragmentOffset: number, delta: ArrayLike<number>, deltaOffset: number, hostRows: ArrayLike<number>, hostOffset: number, hosts: number, out: Float64Array, mask?: Uint8Array): Float64Array {
    const m = this.m;
    const q = this.q;
    const fo = fragmentOffset + kind * DF;
    if (this.linearOf !== s || this.linear.length < hosts) {
      // the host tokens do not change within a run: their linear term is computed once, and
      // each host's key starts as the run's (no delta)
      if (this.linear.length < hosts) {
        this.linear = new Float64Array(hosts);
        this.keys = new Float64Array(hosts * m);
        this.deltas = new Float64Array(hosts * DD);
      }
      for (let h = 0; h < hosts; h++) {
        const ho = hostOffset + h * DH;
        let x = 0;
        for (let f = 0; f < DH; f++) x += hostRows[ho + f] * this.a[f];
        this.linear[h] = x;
      }
      for (let i = 0; i < hosts * m; i++) this.keys[i] = s.placeKey[i];
      this.deltas.fill(0, 0, hosts * DD);
      this.linearOf = s;
    }
    const key = this.keys;
    const cachedDelta = this.deltas;
    for (let i = 0; i < m; i++) {
      let x = s.placeQuery[slot * m + i];
      for (let f = 0; f < DF; f++) x += fragment[fo + f] * this.wf[f * m + i];
      q[i] = x;
    }
    for (let h = 0; h < hosts; h++) {
      if (mask !== undefined && mask[h] !== 1) {
        out[h] = -Infinity;
        continue;
      }
      const ko = h * m;
      const dOff = deltaOffset + h * DD;
      const co = h * DD;
      // the host's key under its delta: kept per host and recomputed only when its delta changed
      // since the last step on this run (a placement on it, or it holds a fragment of the request)
      let moved = false;
      let changed = false;
      for (let j = 0; j < DD; j++) {
        const dv = delta[dOff + j];
        if (dv !== 0) moved = true;
        if (dv !== cachedDelta[co + j]) changed = true;
      }
      if (changed) {
        for (let i = 0; i < m; i++) key[ko + i] = s.placeKey[ko + i];
        for (let j = 0; j < DD; j++) {
          const dv = delta[dOff + j];
          cachedDelta[co + j] = dv;
          if (dv !== 0) for (let i = 0; i < m; i++) key[ko + i] += dv * this.wd[j * m + i];
        }
      }
      let score = this.bOut + this.linear[h];
      if (moved) for (let j = 0; j < DD; j++) score += delta[dOff + j] * this.ad[j];
      for (let i = 0; i < m; i++) {
        const u = q[i] + key[ko + i];
        if (u > 0) score += u * this.wOut[i];
      }
      out[h] = score;
    }
    return out;
  }
}
