/**
 * Behaviour cloning: minibatch Adam on the cross-entropy of each head against its targets, under
 * the feasibility masks (a masked choice gets no probability, so the loss teaches only among the
 * choices the decoder could make). Loss = provisioning (mean over the provisioning passes: done,
 * or which host to start or stop next; the label's mass on a start counts startWeight times, on a
 * stop stopWeight times, on done once) + variant (mean over the requests taught) + host (mean
 * over the fragments taught).
 *
 * Why the provisioning weights: most passes end a decision ("done"), so unweighted the rare
 * changes are barely learned, and the two mistakes do not cost alike - a start missed under load
 * leaves requests queueing for a boot time and more, a stop missed costs a host's price for an
 * interval. Measured on the main job's data set (README, "The learner").
 *
 * Deterministic: the batches of each epoch are a permutation drawn from a seedrandom stream named
 * after the seed, the training stage and the epoch, so a run resumed from a checkpoint continues
 * exactly as an uninterrupted one. Adam is written out here (its moments are part of the
 * checkpoint). Early stopping keeps the weights of the epoch with the lowest validation loss.
 */
import * as tf from "@tensorflow/tfjs";
import seedrandom from "seedrandom";
import { inputDims, ROW_INPUT_NAMES, V, type ModelSizes } from "../encoding/layout.ts";
import { maskedArgmax } from "../decode/pick.ts";
import { paramSpecs, type Architecture, type Weights } from "../model/architecture.ts";
import { forward, type TfInputs, type TfOutputs } from "../model/tf-forward.ts";
import type { ExampleSet } from "./examples.ts";

export interface TrainSettings {
  /** epochs at most per training stage */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** stop after this many epochs without a validation loss below best x (1 - minDelta) */
  patience: number;
  minDelta: number;
  /** gradients are scaled down to this global norm at most */
  gradClip: number;
  /**
   * weights of a provisioning label's start and of its stop options in the cross-entropy, "done"
   * weighing 1: most passes end a decision, so unweighted the rare changes are barely learned
   */
  startWeight: number;
  stopWeight: number;
  seed: number;
}

export const START_WEIGHT = 5;
export const STOP_WEIGHT = 0.5;

export const DEFAULT_TRAIN: TrainSettings = { epochs: 40, batchSize: 128, learningRate: 3e-3, patience: 6, minDelta: 1e-3, gradClip: 1, startWeight: START_WEIGHT, stopWeight: STOP_WEIGHT, seed: 1 };

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPS = 1e-8;
/** logit added where a choice is masked out (the twin would reject it) */
const MASKED_LOGIT = -1e4;

export interface HeadMetrics {
  loss: number;
  provisionLoss: number;
  variantLoss: number;
  hostLoss: number;
  /** share of provisioning passes whose choice (done, or a host to start or stop) is one the label weighs most (null: none taught) */
  provisionAccuracy: number | null;
  /** the same among passes whose label is a start or stop, not done */
  provisionChangeAccuracy: number | null;
  /** share of requests given the target's variant (or wait) */
  variantAccuracy: number | null;
  /** share of fragments given the target's host */
  hostAccuracy: number | null;
  counts: { provisionPasses: number; changes: number; requests: number; fragments: number };
}

export interface EpochLog {
  stage: string;
  epoch: number;
  trainLoss: number;
  validation: HeadMetrics | null;
  ms: number;
}

/** Everything training needs to continue (a checkpoint holds it). */
export interface TrainerState {
  weights: Weights;
  adamM: Weights;
  adamV: Weights;
  /** Adam steps taken */
  step: number;
  /** stage name and epochs completed in it */
  stage: string;
  epoch: number;
  bestLoss: number;
  bestEpoch: number;
  bestWeights: Weights;
  sinceBest: number;
  /** true once the stage has stopped (epochs run out or early stopping) */
  stageDone: boolean;
  history: EpochLog[];
}

export function freshState(weights: Weights, stage: string, history: EpochLog[] = [], adam?: { m: Weights; v: Weights; step: number }): TrainerState {
  const zeros = (): Weights => new Map([...weights].map(([k, v]) => [k, new Float32Array(v.length)]));
  return {
    weights,
    adamM: adam?.m ?? zeros(),
    adamV: adam?.v ?? zeros(),
    step: adam?.step ?? 0,
    stage,
    epoch: 0,
    bestLoss: Infinity,
    bestEpoch: 0,
    bestWeights: new Map([...weights].map(([k, v]) => [k, v.slice()])),
    sinceBest: 0,
    stageDone: false,
    history,
  };
}

/**
 * The sizes a batch needs: the attention model's weights do not depend on the number of host or
 * request tokens, and padding changes none of its outputs (a test checks it), so a batch is cut
 * to its largest fleet and queue - on scinet-testbed 16 of 32 host tokens and a few of 16 request
 * tokens, which makes training several times faster. The MLP reads fixed positions: never cut.
 */
function batchSizes(arch: Architecture, set: ExampleSet, idx: ArrayLike<number>): ModelSizes {
  const s = set.sizes;
  if (arch.kind !== "attention") return s;
  let hosts = 1;
  let requests = 1;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    for (let h = hosts; h < s.hosts; h++) if (set.inputs.hostMask[r * s.hosts + h] === 1) hosts = h + 1;
    for (let q = requests; q < s.requests; q++) if (set.inputs.requestMask[r * s.requests + q] === 1) requests = q + 1;
  }
  return { ...s, hosts, requests };
}

/** Rows idx of `a` (row width `width`), each cut to its first `keep` values. */
function gatherRows(a: Float32Array, width: number, idx: ArrayLike<number>, shape: number[], keep = width): tf.Tensor {
  const buf = new Float32Array(idx.length * keep);
  for (let i = 0; i < idx.length; i++) buf.set(a.subarray(idx[i] * width, idx[i] * width + keep), i * keep);
  return tf.tensor(buf, shape);
}

function batchInputs(set: ExampleSet, idx: ArrayLike<number>, b: ModelSizes): TfInputs {
  const full = inputDims(set.sizes);
  const cut = inputDims(b);
  const out = {} as TfInputs;
  for (const name of ROW_INPUT_NAMES) out[name] = gatherRows(set.inputs[name], full[name], idx, [idx.length, cut[name]], cut[name]);
  return out;
}

interface BatchLabels {
  provisionTarget: tf.Tensor;
  provisionMask: tf.Tensor;
  provisionWeight: tf.Tensor;
  variantTarget: tf.Tensor;
  variantMask: tf.Tensor;
  variantWeight: tf.Tensor;
  hostTarget: tf.Tensor;
  hostMask: tf.Tensor;
  hostKind: tf.Tensor;
  hostWeight: tf.Tensor;
}

function batchLabels(set: ExampleSet, idx: ArrayLike<number>, b: ModelSizes): BatchLabels {
  const H = set.sizes.hosts;
  const h = b.hosts;
  const B = idx.length;
  return {
    provisionTarget: gatherRows(set.provisionTarget, 1 + 2 * H, idx, [B, 1 + 2 * h], 1 + 2 * h),
    provisionMask: gatherRows(set.provisionMask, 1 + 2 * H, idx, [B, 1 + 2 * h], 1 + 2 * h),
    provisionWeight: gatherRows(set.provisionWeight, 1, idx, [B]),
    variantTarget: gatherRows(set.variantTarget, V + 1, idx, [B, V + 1]),
    variantMask: gatherRows(set.variantMask, V + 1, idx, [B, V + 1]),
    variantWeight: gatherRows(set.variantWeight, 1, idx, [B]),
    hostTarget: gatherRows(set.hostTarget, H, idx, [B, h], h),
    hostMask: gatherRows(set.hostMask, H, idx, [B, h], h),
    hostKind: gatherRows(set.hostKind, V, idx, [B, V]),
    hostWeight: gatherRows(set.hostWeight, 1, idx, [B]),
  };
}

/**
 * Selected logits: a provisioning pass's 1 + 2H options (done, then start / stop per host), the
 * variant head at the current request's slot, the host head under the fragment's variant kind.
 */
function selectedLogits(sizes: ModelSizes, out: TfOutputs, x: TfInputs, y: BatchLabels): { provision: tf.Tensor; variant: tf.Tensor; host: tf.Tensor } {
  const B = x.slot.shape[0]!;
  const provision = tf.concat([out.done.reshape([B, 1]), out.provision.reshape([B, 2 * sizes.hosts])], 1);
  const variant = tf.matMul(x.slot.reshape([B, 1, sizes.requests]), out.variant).reshape([B, V + 1]);
  const host = tf.matMul(y.hostKind.reshape([B, 1, V]), out.place).reshape([B, sizes.hosts]);
  return { provision, variant, host };
}

/** Summed cross-entropies of the three heads and the number of items each sums over. */
function lossSums(sizes: ModelSizes, out: TfOutputs, x: TfInputs, y: BatchLabels, p: Pick<TrainSettings, "startWeight" | "stopWeight">): { sums: tf.Scalar[]; counts: tf.Scalar[] } {
  const ce = (logits: tf.Tensor, mask: tf.Tensor, target: tf.Tensor) => {
    const lp = tf.logSoftmax(tf.add(logits, tf.mul(tf.sub(1, mask), MASKED_LOGIT)), -1);
    return tf.neg(tf.sum(tf.mul(target, lp)));
  };
  const sel = selectedLogits(sizes, out, x, y);
  // class weights of the provisioning options: done 1, then start and stop of each host
  const classes = tf.concat([tf.ones([1, 1]), tf.tile(tf.tensor2d([[p.startWeight, p.stopWeight]]), [1, sizes.hosts])], 1);
  // rows without targets have all-zero targets and add nothing
  return {
    sums: [ce(sel.provision, y.provisionMask, tf.mul(y.provisionTarget, classes)), ce(sel.variant, y.variantMask, y.variantTarget), ce(sel.host, y.hostMask, y.hostTarget)] as tf.Scalar[],
    counts: [tf.sum(y.provisionWeight), tf.sum(y.variantWeight), tf.sum(y.hostWeight)] as tf.Scalar[],
  };
}

function disposeAll(o: object): void {
  for (const v of Object.values(o)) if (v instanceof tf.Tensor) v.dispose();
}

export class Trainer {
  private readonly specs;

  constructor(
    readonly arch: Architecture,
    readonly sizes: ModelSizes,
    readonly settings: TrainSettings,
  ) {
    this.specs = paramSpecs(arch, sizes);
  }

  private tensors(w: Weights): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const s of this.specs) out[s.name] = tf.tensor(w.get(s.name)!, s.shape);
    return out;
  }

  /** Loss and per-head accuracy of weights `w` on a set (no training). */
  evaluate(w: Weights, set: ExampleSet): HeadMetrics {
    const H = this.sizes.hosts;
    const wt = this.tensors(w);
    const sums = [0, 0, 0];
    const counts = [0, 0, 0];
    let hosts = 0; // provisioning passes
    let hostsOk = 0;
    let changes = 0;
    let changesOk = 0;
    let reqs = 0;
    let reqsOk = 0;
    let frags = 0;
    let fragsOk = 0;
    const chunk = 256;
    try {
      for (let s = 0; s < set.n; s += chunk) {
        const idx = Array.from({ length: Math.min(chunk, set.n - s) }, (_, i) => s + i);
        const bs = batchSizes(this.arch, set, idx);
        const x = batchInputs(set, idx, bs);
        const y = batchLabels(set, idx, bs);
        const r = tf.tidy(() => {
          const out = forward(this.arch, bs, wt, x);
          const l = lossSums(bs, out, x, y, this.settings);
          const sel = selectedLogits(bs, out, x, y);
          return { sums: l.sums.map((t) => t.dataSync()[0]), counts: l.counts.map((t) => t.dataSync()[0]), prov: sel.provision.dataSync(), variant: sel.variant.dataSync(), host: sel.host.dataSync() };
        });
        disposeAll(x);
        disposeAll(y);
        for (let k = 0; k < 3; k++) {
          sums[k] += r.sums[k];
          counts[k] += r.counts[k];
        }
        for (let b = 0; b < idx.length; b++) {
          const i = idx[b];
          if (set.provisionWeight[i] === 1) {
            // right if the option chosen is one the label weighs most (several next steps can be)
            const O = 1 + 2 * H;
            const o = i * O;
            const Ob = 1 + 2 * bs.hosts; // the batch's options (the rest are padding hosts)
            const got = maskedArgmax(r.prov, b * Ob, Ob, set.provisionMask, o);
            let top = 0;
            for (let k = 0; k < O; k++) top = Math.max(top, set.provisionTarget[o + k]);
            const ok = got >= 0 && set.provisionTarget[o + got] >= top * (1 - 1e-6);
            hosts++;
            if (ok) hostsOk++;
            if (set.provisionTarget[o] < top) {
              changes++;
              if (ok) changesOk++;
            }
          }
          if (set.variantWeight[i] === 1) {
            const o = i * (V + 1);
            reqs++;
            if (maskedArgmax(r.variant, b * (V + 1), V + 1, set.variantMask, o) === maskedArgmax(set.variantTarget, o, V + 1, set.variantMask, o)) reqsOk++;
          }
          if (set.hostWeight[i] === 1) {
            const o = i * H;
            frags++;
            if (maskedArgmax(r.host, b * bs.hosts, bs.hosts, set.hostMask, o) === maskedArgmax(set.hostTarget, o, H, set.hostMask, o)) fragsOk++;
          }
        }
      }
    } finally {
      disposeAll(wt);
    }
    const mean = (k: number) => (counts[k] > 0 ? sums[k] / counts[k] : 0);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    return {
      loss: mean(0) + mean(1) + mean(2),
      provisionLoss: mean(0),
      variantLoss: mean(1),
      hostLoss: mean(2),
      provisionAccuracy: ratio(hostsOk, hosts),
      provisionChangeAccuracy: ratio(changesOk, changes),
      variantAccuracy: ratio(reqsOk, reqs),
      hostAccuracy: ratio(fragsOk, frags),
      counts: { provisionPasses: hosts, changes, requests: reqs, fragments: frags },
    };
  }

  /**
   * Trains from `state` (a fresh one, or one read back from a checkpoint) until its stage is done;
   * `afterEpoch` runs after every epoch (checkpoint, progress). Returns the final state, whose
   * `weights` are the best validation epoch's.
   */
  async fit(state: TrainerState, train: ExampleSet, val: ExampleSet | null, afterEpoch?: (s: TrainerState, log: EpochLog) => Promise<void> | void): Promise<TrainerState> {
    const p = this.settings;
    if (train.n === 0) throw new Error("learner: no training examples");
    const vars = this.specs.map((s) => tf.variable(tf.tensor(state.weights.get(s.name)!, s.shape), true));
    const ms = this.specs.map((s) => tf.variable(tf.tensor(state.adamM.get(s.name)!, s.shape), false));
    const vs = this.specs.map((s) => tf.variable(tf.tensor(state.adamV.get(s.name)!, s.shape), false));
    const names = this.specs.map((s) => s.name);
    const snapshot = (ts: tf.Variable[]): Weights => new Map(ts.map((t, i) => [names[i], t.dataSync().slice() as Float32Array]));
    let st = state;
    try {
      while (!st.stageDone && st.epoch < p.epochs) {
        const t0 = performance.now();
        const rng = seedrandom.alea(`${p.seed}:${st.stage}:epoch${st.epoch}`);
        const order = Array.from({ length: train.n }, (_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        let lossSum = 0;
        let batches = 0;
        let step = st.step;
        for (let s = 0; s < train.n; s += p.batchSize) {
          const idx = order.slice(s, s + p.batchSize);
          const bs = batchSizes(this.arch, train, idx);
          const x = batchInputs(train, idx, bs);
          const y = batchLabels(train, idx, bs);
          step++;
          const lossValue = tf.tidy(() => {
            const wmap: Record<string, tf.Tensor> = {};
            vars.forEach((v, i) => (wmap[names[i]] = v));
            const { value, grads } = tf.variableGrads(() => {
              const out = forward(this.arch, bs, wmap, x);
              const l = lossSums(bs, out, x, y, this.settings);
              let total: tf.Tensor = tf.scalar(0);
              for (let k = 0; k < 3; k++) total = tf.add(total, tf.div(l.sums[k], tf.maximum(l.counts[k], 1)));
              return total as tf.Scalar;
            }, vars);
            const gs = vars.map((v) => grads[v.name]);
            const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
            const scale = tf.minimum(1, tf.div(p.gradClip, tf.maximum(norm, 1e-12)));
            const c1 = 1 - Math.pow(BETA1, step);
            const c2 = 1 - Math.pow(BETA2, step);
            vars.forEach((v, i) => {
              const g = tf.mul(gs[i], scale);
              ms[i].assign(tf.add(tf.mul(ms[i], BETA1), tf.mul(g, 1 - BETA1)));
              vs[i].assign(tf.add(tf.mul(vs[i], BETA2), tf.mul(tf.square(g), 1 - BETA2)));
              const update = tf.div(tf.div(ms[i], c1), tf.add(tf.sqrt(tf.div(vs[i], c2)), ADAM_EPS));
              v.assign(tf.sub(v, tf.mul(update, p.learningRate)));
            });
            return value.dataSync()[0];
          });
          disposeAll(x);
          disposeAll(y);
          lossSum += lossValue;
          batches++;
        }
        const weights = snapshot(vars);
        const validation = val && val.n > 0 ? this.evaluate(weights, val) : null;
        const score = validation ? validation.loss : lossSum / batches;
        let { bestLoss, bestEpoch, bestWeights, sinceBest } = st;
        const epoch = st.epoch + 1;
        if (score < bestLoss) {
          // always keep the best weights, even when the gain is too small to reset patience
          sinceBest = score < bestLoss * (1 - p.minDelta) || !Number.isFinite(bestLoss) ? 0 : sinceBest + 1;
          bestLoss = score;
          bestEpoch = epoch;
          bestWeights = weights;
        } else sinceBest++;
        const log: EpochLog = { stage: st.stage, epoch, trainLoss: lossSum / batches, validation, ms: performance.now() - t0 };
        const stageDone = sinceBest >= p.patience || epoch >= p.epochs;
        st = {
          ...st,
          weights: stageDone ? bestWeights : weights,
          adamM: snapshot(ms),
          adamV: snapshot(vs),
          step,
          epoch,
          bestLoss,
          bestEpoch,
          bestWeights,
          sinceBest,
          stageDone,
          history: [...st.history, log],
        };
        await afterEpoch?.(st, log);
      }
      if (!st.stageDone) st = { ...st, stageDone: true, weights: st.bestWeights };
      return st;
    } finally {
      for (const t of [...vars, ...ms, ...vs]) t.dispose();
    }
  }
}
