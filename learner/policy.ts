/**
 * The learner as a Policy: each decision is built pass by pass (decode/walk.ts), every pass one
 * batch-1 run of the ONNX model in ONNX Runtime, every choice the best-scored one the feasibility
 * masks allow (decode/pick.ts), so the twin never rejects a learner decision. The only state is
 * the boot-time estimate and the work account (encoding/boot.ts, work-tracker.ts), copied by clone().
 *
 * Provisioning is decoded one of two ways (`ProvisionDecode`): "argmax", the best-scored allowed
 * option (what the shipped model serves with), or "kind", the kind of action (done, start some
 * host, stop some host) with the most probability in total, then its best host. `cotwin learn`
 * may drive its DAgger rollouts with "kind" so that the learner visits the states it reaches when
 * it stops hosts, and the oracle labels those too.
 */
import * as fs from "node:fs";
import type { PolicyContext } from "../simulator/policies/registry.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import type { Decision, Observation, Policy } from "../simulator/types.ts";
import { expectedArrivals } from "../workloads/scenario-workload.ts";
import { BootTracker } from "./encoding/boot.ts";
import { WorkTracker } from "../simulator/policies/work-tracker.ts";
import { DH, ENCODER_INPUT_NAMES, FORECAST_STEPS, INPUT_NAMES, inputDims, layoutIsChunked, layoutReadsPrior, requestDim, V, type ModelSizes } from "./encoding/layout.ts";
import { maskedArgmax, provisionChoice } from "./decode/pick.ts";
import { ChunkHead, type ChunkScores } from "./decode/step.ts";
import { walkDecision, type Chooser, type Pass } from "./decode/walk.ts";
import { LearnerModelError, loadLearnerModel, modelMismatch, noShippedModelMessage, shippedModelFor, tokenInputs, type LoadedModel } from "./model-file.ts";
import type { Feeds, OnnxSession, Outputs } from "./onnx/runtime.ts";

/**
 * The heads' scores for one pass, as flat arrays (done [1], provision [H, 2], variant [R, V + 1],
 * place [V, H]); from a chunk-decoded model, the encoder run's outputs instead of `place`
 * (decode/step.ts ChunkScores).
 */
export interface PassScores {
  done: ArrayLike<number>;
  provision: ArrayLike<number>;
  variant: ArrayLike<number>;
  place?: ArrayLike<number>;
  placeQuery?: ArrayLike<number>;
  placeKey?: ArrayLike<number>;
}

export type Scorer = (pass: Pass) => PassScores;

/** How the provisioning pass turns scores into a choice (see the header). */
export type ProvisionDecode = "argmax" | "kind";
export const PROVISION_DECODES: readonly ProvisionDecode[] = ["argmax", "kind"];

/** 1 + the last index of `mask` that is 1 (at least 1: a graph needs a token to slice) */
function tokenCount(mask: Float32Array): number {
  for (let i = mask.length - 1; i > 0; i--) if (mask[i] === 1) return i + 1;
  return 1;
}

/**
 * Scores a pass with an ONNX Runtime session at batch 1. A graph that takes any number of tokens
 * (`trim`, model-file.ts tokenInputs) is fed only the pass's real host and request tokens (encode.ts
 * writes them first), which gives their padded outputs to float rounding with less work; its host
 * scores come back [V, hosts fed] and are laid out again as [V, H] for the decoders (in one buffer
 * per scorer, valid until its next call: a decision reads each pass's scores before the next pass).
 */
export function onnxScorer(session: OnnxSession, sizes: ModelSizes, trim = false, chunked = false): Scorer {
  const d = inputDims(sizes);
  const H = sizes.hosts;
  const DR = requestDim(sizes);
  const place = new Float32Array(V * H);
  return (pass) => {
    const feeds: Feeds = {};
    const inp = pass.inputs;
    if (chunked) {
      // the encoder run alone: step rows come in `pass.inputs` too, but only the step reads them
      const h = trim ? tokenCount(inp.hostMask) : sizes.hosts;
      const r = trim ? tokenCount(inp.requestMask) : sizes.requests;
      const len: Record<string, number> = { hosts: h * DH, hostMask: h, requests: r * DR, requestMask: r, global: d.global };
      for (const n of ENCODER_INPUT_NAMES) feeds[n] = { data: inp[n].subarray(0, len[n]), dims: [1, len[n]] };
      const out: Outputs = session.run(feeds);
      return { done: out.done.data, provision: out.provision.data, variant: out.variant.data, placeQuery: out.placeQuery.data, placeKey: out.placeKey.data };
    }
    if (!trim) {
      for (const n of INPUT_NAMES) feeds[n] = { data: inp[n], dims: [1, d[n]] };
      const out: Outputs = session.run(feeds);
      return { done: out.done.data, provision: out.provision.data, variant: out.variant.data, place: out.place.data };
    }
    const h = tokenCount(inp.hostMask);
    const r = tokenCount(inp.requestMask);
    const cut = (n: keyof typeof inp, len: number) => (feeds[n] = { data: inp[n].subarray(0, len), dims: [1, len] });
    cut("hosts", h * DH);
    cut("hostMask", h);
    cut("requests", r * DR);
    cut("requestMask", r);
    cut("slot", r);
    feeds.global = { data: inp.global, dims: [1, d.global] };
    feeds.fragment = { data: inp.fragment, dims: [1, d.fragment] };
    const out: Outputs = session.run(feeds);
    const p = out.place.data;
    for (let k = 0; k < V; k++) place.set(p.subarray(k * h, (k + 1) * h), k * H);
    return { done: out.done.data, provision: out.provision.data, variant: out.variant.data, place };
  };
}

/**
 * Chooses the best-scored allowed option of each pass; scores each pass once (a chunk's steps
 * share their encoder run, scored by `head`, decode/step.ts).
 */
export class ScoreChooser implements Chooser {
  /** reads each pass only within the call (walk.ts Chooser.transient) */
  readonly transient = true;
  private last: { pass: Pass; scores: PassScores } | null = null;
  passes = 0;
  private readonly vbuf = new Float64Array(V + 1);
  private hbuf = new Float64Array(0);

  constructor(
    private readonly scorer: Scorer,
    private readonly sizes: ModelSizes,
    private readonly decode: ProvisionDecode = "argmax",
    private readonly head: ChunkHead | null = null,
  ) {}

  private scores(pass: Pass): PassScores {
    const run = pass.encoder ?? pass;
    if (this.last?.pass !== run) {
      this.last = { pass: run, scores: this.scorer(run) };
      this.passes++;
    }
    return this.last.scores;
  }

  provision(pass: Pass, mask: Uint8Array): number {
    const s = this.scores(pass);
    // options: done, then start / stop of each host (the first H of the model's host rows)
    const flat = new Float64Array(mask.length);
    flat[0] = s.done[0];
    for (let i = 1; i < mask.length; i++) flat[i] = s.provision[i - 1];
    return this.decode === "kind" ? provisionChoice(flat, 0, mask.length, mask) : maskedArgmax(flat, 0, mask.length, mask);
  }

  variant(pass: Pass, mask: Uint8Array): number {
    const s = this.scores(pass);
    const slot = pass.ctx.current!.slot;
    if (this.head) return maskedArgmax(this.head.variant(s as ChunkScores, slot, pass.inputs.progress, 0, this.vbuf), 0, V + 1, mask);
    return maskedArgmax(s.variant, slot * (V + 1), V + 1, mask);
  }

  host(pass: Pass, kind: number, mask: Uint8Array): number {
    const s = this.scores(pass);
    if (this.head) {
      if (this.hbuf.length < mask.length) this.hbuf = new Float64Array(mask.length);
      const x = this.head.hosts(s as ChunkScores, pass.ctx.current!.slot, kind, pass.inputs.fragment, 0, pass.inputs.delta, 0, pass.inputs.hosts, 0, mask.length, this.hbuf, mask);
      return maskedArgmax(x, 0, mask.length, mask);
    }
    return maskedArgmax(s.place!, kind * this.sizes.hosts, mask.length, mask);
  }
}

/** The workload model's expected arrivals in the intervals after an observation (an input of layout-4 models). */
export type PriorFn = (obs: Observation) => ArrayLike<number> | null;

/** The prior of a scenario's workload model (null without a scenario, or for a trace). */
export function scenarioPrior(scenario: TenantScenario | undefined): PriorFn | null {
  if (!scenario || scenario.workload.kind === "trace") return null;
  return (obs) => expectedArrivals(scenario, obs.time, FORECAST_STEPS);
}

/** The prior a run's learner reads: its scenario's (`ctx.options.scenario`). */
export function contextPrior(ctx: PolicyContext): PriorFn | null {
  return scenarioPrior(ctx.options?.scenario as TenantScenario | undefined);
}

export class LearnerPolicy implements Policy {
  readonly name = "learner";
  /** passes (model runs) of the last decision */
  lastPasses = 0;

  constructor(
    /** `head`: the step of a chunk-decoded model (null: decoded pass by pass) */
    readonly model: { sizes: ModelSizes; scorer: Scorer; head?: ChunkHead | null },
    private readonly boot: BootTracker = new BootTracker(),
    /** its own account of the work it placed on each host (an input of the host tokens) */
    private readonly work: WorkTracker = new WorkTracker(),
    readonly decode: ProvisionDecode = "argmax",
    /** the workload model's expected arrivals, for a model that reads them (layout 4) */
    readonly prior: PriorFn | null = null,
  ) {}

  decide(obs: Observation): Decision {
    const head = this.model.head ?? null;
    const chooser = new ScoreChooser(this.model.scorer, this.model.sizes, this.decode, head);
    this.work.observe(obs);
    const d = walkDecision(obs, this.boot.observe(obs), this.model.sizes, chooser, this.work.remainingMI, this.prior?.(obs) ?? null, head !== null);
    this.work.redo(obs, d);
    this.lastPasses = chooser.passes;
    return d;
  }

  clone(): LearnerPolicy {
    return new LearnerPolicy(this.model, this.boot.clone(), this.work.clone(), this.decode, this.prior);
  }
}

/**
 * A learner policy on a loaded model file; `prior` is read if the model's layout has it; `trim`
 * (default: where the graph allows) feeds each pass only its real tokens (onnxScorer).
 */
export function learnerFromModel(m: LoadedModel, prior: PriorFn | null = null, trim = tokenInputs(m.session)): LearnerPolicy {
  const chunked = layoutIsChunked(m.info.featureLayout);
  const model = { sizes: m.info.sizes, scorer: onnxScorer(m.session, m.info.sizes, trim, chunked), head: m.head };
  return new LearnerPolicy(model, undefined, undefined, "argmax", layoutReadsPrior(m.info.featureLayout) ? prior : null);
}

const loaded = new Map<string, LoadedModel>();

/**
 * The learner for a run: `ctx.options.model` names the model file (default: the shipped model
 * made for the scenario's fleet, see shippedModelFor). Refuses, naming the file, a model that
 * cannot serve the scenario.
 */
export function createLearner(ctx: PolicyContext): LearnerPolicy {
  const opt = ctx.options?.model;
  if (opt !== undefined && (typeof opt !== "string" || opt === "")) throw new LearnerModelError(`learner: option "model" must be a file name, got ${JSON.stringify(opt)}`);
  const file = opt ?? shippedModelFor(ctx.model);
  if (file === null) throw new LearnerModelError(noShippedModelMessage(ctx.model.name));
  // one session per file version (a retrained file is read again)
  let key = file;
  try {
    const st = fs.statSync(file);
    key = `${file}:${st.mtimeMs}:${st.size}`;
  } catch {
    // loadLearnerModel names the problem
  }
  let m = loaded.get(key);
  if (!m) {
    m = loadLearnerModel(file);
    loaded.set(key, m);
  }
  const why = modelMismatch(m.info, ctx.model);
  if (why) throw new LearnerModelError(`learner model ${file} is made for other sizes: scenario ${ctx.model.name} has ${why}`);
  return learnerFromModel(m, contextPrior(ctx));
}
