/**
 * The learner's training pipeline (`cotwin learn`): labelled states -> behaviour cloning ->
 * DAgger rounds -> ONNX model, with checkpoints that resume after an interruption.
 *
 *   round 0  the states of an oracle data set (--dataset), or episodes run with the expert
 *            deciding, one per seed; behaviour cloning on them
 *   round k  episodes run with the learner of round k-1 deciding and the expert labelling every
 *            state it reaches; all rounds' states together; training continues from round k-1
 *
 * Validation is by episode: a seeded choice of the round-0 episodes (a single episode is cut in
 * time, its last part validating) is never trained on and gives early stopping, the per-head
 * accuracy and the share of states where the decoded decision equals the expert's. DAgger runs only
 * the training seeds.
 *
 * Output directory: learn.json (the resolved configuration, seed and version, written first and
 * checked on --resume), data/round<k>.jsonl (each round's states, states-file.ts), checkpoint.bin
 * (after every epoch), model.onnx and metrics.json (at the end). Every file is written atomically.
 * A resumed run reads the finished rounds' states back, relabels at most the round it was in, and
 * continues training from the last epoch; with reproducible labelling (the default) it ends with
 * the same weights as an uninterrupted run.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import seedrandom from "seedrandom";
import type { LabelledState } from "../oracle/labels.ts";
import { configHash } from "../oracle/dataset.ts";
import type { OracleSettings } from "../oracle/settings.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import { buildTwinModel } from "../simulator/scenarios.ts";
import { VERSION } from "../simulator/version.ts";
import { initBackend } from "../workloads/forecast/backend.ts";
import { writeFileAtomicSync } from "../workloads/output/atomic.ts";
import { createProgress } from "../workloads/output/progress.ts";
import { sameDecision } from "./decode/compare.ts";
import { DEFAULT_SIZES, FEATURE_LAYOUT, PASS_LAYOUT, type ModelSizes } from "./encoding/layout.ts";
import { ChunkHead } from "./decode/step.ts";
import { expertFactory } from "./data/experts.ts";
import { createPolicy } from "../simulator/policies/registry.ts";
import { runEpisode } from "./data/rollout.ts";
import { readLabelledDataset, readStates, writeStates, type DatasetSource } from "./data/states-file.ts";
import { countParams, initWeights, isChunked, paramSpecs, type Architecture, type Weights } from "./model/architecture.ts";
import { exportOnnx } from "./model/onnx-export.ts";
import { METADATA_KEY, MODEL_FORMAT, tokenInputs, type LearnerModelInfo } from "./model-file.ts";
import { OnnxSession } from "./onnx/runtime.ts";
import { contextPrior, LearnerPolicy, onnxScorer, scenarioPrior, type PriorFn, type ProvisionDecode } from "./policy.ts";
import { readCheckpoint, writeCheckpoint } from "./train/checkpoint.ts";
import { buildExamples, byEpisode, concat, subset, type ExampleSet, type ExampleStats } from "./train/examples.ts";
import { DEFAULT_TIE_RULE, DEFAULT_TIE_TEMPERATURE, type TieRule } from "./train/targets.ts";
import { freshState, Trainer, type EpochLog, type HeadMetrics, type TrainerState, type TrainSettings } from "./train/trainer.ts";

export const LEARN_FORMAT = "cotwin-learner-run/1";
export const METRICS_FORMAT = "cotwin-learner-metrics/1";
export const MODEL_FILE = "model.onnx";
export const METRICS_FILE = "metrics.json";
export const CONFIG_FILE = "learn.json";
export const CHECKPOINT_FILE = "checkpoint.bin";

export interface LearnScenario {
  scenario: TenantScenario;
  /** built-in name or file */
  source: string;
}

export interface LearnConfig {
  /** the scenarios episodes are run on (one fleet and application catalogue; e.g. a load ladder) */
  scenarios: LearnScenario[];
  /** an oracle data set directory for round 0 (else episodes run with the expert) */
  dataset: string | null;
  /** "oracle" or a baseline policy name */
  expert: string;
  /**
   * who drives the round-0 episodes: null, the expert itself; a baseline policy name, the expert
   * labels the states that baseline reaches (states the expert would not visit on its own)
   */
  behaviour?: string | null;
  /** the oracle's settings when it labels (reproducible: an evaluation budget, no wall clock) */
  oracle: Partial<OracleSettings>;
  /** episode seeds, on every scenario (round 0 without a data set; DAgger rounds use the training ones) */
  seeds: number[];
  /** intervals per episode */
  intervals: number;
  /**
   * episodes then drain as runs do (arrivals stop; the drain's states are labelled too, see
   * data/rollout.ts). Absent: false.
   */
  drain?: boolean;
  /** share of round-0 episodes held out for validation */
  validationFraction: number;
  daggerRounds: number;
  /**
   * how the learner decodes provisioning while it drives DAgger rollouts (policy.ts); the model
   * is served with "argmax" whatever this is. Absent: "argmax".
   */
  rolloutDecode?: ProvisionDecode;
  architecture: Architecture;
  sizes: ModelSizes;
  train: TrainSettings;
  tieTemperature: number;
  /** how alternatives the search scored better than the decision are weighed (train/targets.ts); absent: its default */
  tieRule?: TieRule;
  /** deployment passes trained on per state at most (heavy states are sampled; null: all) */
  deploymentPassesPerState: number | null;
}

export class LearnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LearnError";
  }
}

export interface RoundReport {
  round: number;
  /** states added by this round */
  states: number;
  episodes: string[];
  examples: ExampleStats;
  /** DAgger: states where the learner's decision differed from the expert's label */
  disagreements: number | null;
  labelMs: number;
  epochs: number;
  bestEpoch: number;
  trainMs: number;
  validation: HeadMetrics | null;
  /** validation states whose decoded decision equals the expert's */
  decisionMatch: { states: number; equal: number } | null;
}

export interface LearnResult {
  out: string;
  backend: string;
  modelFile: string;
  modelBytes: number;
  parameters: number;
  rounds: RoundReport[];
  history: EpochLog[];
  trainEpisodes: string[];
  validationEpisodes: string[];
  final: { validation: HeadMetrics | null; decisionMatch: { states: number; equal: number } | null };
  resumed: boolean;
  wallMs: number;
}

export interface LearnIo {
  /** a line of stage information (stderr) */
  info: (line: string) => void;
  /** progress bars and per-epoch lines (stderr, terminals only) */
  progress: boolean;
  /** write into a non-empty directory that holds no learner run (the caller checked the place) */
  force?: boolean;
  /** stop after this many epochs in this session (tests: an interruption) */
  stopAfterEpochs?: number;
  /** the command line, recorded in learn.json and metrics.json */
  command?: string[];
}

/** The sizes a model for these scenarios needs: the defaults, or more where a scenario has more. */
export function sizesFor(scenarios: LearnScenario[], want: Partial<ModelSizes> = {}): ModelSizes {
  const ms = scenarios.map((x) => buildTwinModel(x.scenario, x.source));
  return {
    hosts: want.hosts ?? Math.max(DEFAULT_SIZES.hosts, ...ms.map((m) => m.hostCount)),
    requests: want.requests ?? DEFAULT_SIZES.requests,
    apps: want.apps ?? Math.max(DEFAULT_SIZES.apps, ...ms.map((m) => m.apps.length)),
    fragments: want.fragments ?? Math.max(DEFAULT_SIZES.fragments, ...ms.map((m) => m.maxFragments)),
  };
}

/** The applications of the scenarios (their one-hot order), which must be the same for all. */
function appNames(scenarios: LearnScenario[]): string[] {
  const lists = scenarios.map((x) => buildTwinModel(x.scenario, x.source).apps.map((a) => a.name));
  const differ = lists.findIndex((l) => l.join(",") !== lists[0].join(","));
  if (differ > 0) {
    throw new LearnError(`scenarios ${scenarios[0].scenario.name} and ${scenarios[differ].scenario.name} have different applications (${lists[0].join(", ")} / ${lists[differ].join(", ")}); one model learns one catalogue`);
  }
  return lists[0];
}

/** Episode names: "<scenario>:seed<n>" (DAgger rounds prefix "dagger<k>:"). */
export function episodeName(scenario: string, seed: number, round = 0): string {
  return `${round > 0 ? `dagger${round}:` : ""}${scenario}:seed${seed}`;
}

/** What is recorded in learn.json and compared on --resume. */
function recordedConfig(c: LearnConfig): Record<string, unknown> {
  return {
    scenarios: c.scenarios.map((x) => ({ name: x.scenario.name, source: x.source, configSha256: configHash(x.scenario) })),
    dataset: c.dataset,
    expert: c.expert,
    behaviour: c.behaviour ?? null,
    oracle: c.expert === "oracle" ? c.oracle : null,
    seeds: c.seeds,
    intervals: c.intervals,
    drain: c.drain ?? false,
    validationFraction: c.validationFraction,
    daggerRounds: c.daggerRounds,
    rolloutDecode: c.rolloutDecode ?? "argmax",
    architecture: c.architecture,
    sizes: c.sizes,
    train: c.train,
    tieTemperature: c.tieTemperature,
    tieRule: c.tieRule ?? DEFAULT_TIE_RULE,
    deploymentPassesPerState: c.deploymentPassesPerState,
    featureLayout: layoutOf(c.architecture),
    version: VERSION,
  };
}

function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)).map((k) => `${k}: recorded ${JSON.stringify(a[k] ?? null)}, asked ${JSON.stringify(b[k] ?? null)}`);
}

/** Splits round-0 episodes into training and validation ones (seeded); a single episode is cut in time. */
export function splitEpisodes(states: LabelledState[], fraction: number, seed: number): { states: LabelledState[]; train: string[]; validation: string[] } {
  const names = [...byEpisode(states).keys()].sort();
  if (names.length === 1) {
    const steps = states.map((s) => s.step);
    const cut = Math.min(...steps) + Math.ceil((Math.max(...steps) - Math.min(...steps) + 1) * (1 - fraction));
    const tail = `${names[0]}#validation`;
    const out = states.map((s) => (s.step >= cut ? { ...s, episode: tail } : s));
    return { states: out, train: [names[0]], validation: out.some((s) => s.episode === tail) ? [tail] : [] };
  }
  const rng = seedrandom.alea(`${seed}:validation`);
  const order = [...names];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nVal = Math.min(names.length - 1, Math.max(1, Math.round(names.length * fraction)));
  const validation = order.slice(0, nVal).sort();
  return { states, train: names.filter((n) => !validation.includes(n)), validation };
}


/** The feature layout a network is trained and served with: 5 decoded by chunk, else 4. */
export function layoutOf(arch: Architecture): string {
  return isChunked(arch) ? FEATURE_LAYOUT : PASS_LAYOUT;
}

function modelBytes(c: LearnConfig, weights: Weights, training: Record<string, unknown>): Uint8Array {
  const specs = paramSpecs(c.architecture, c.sizes);
  const info: LearnerModelInfo = {
    format: MODEL_FORMAT,
    featureLayout: layoutOf(c.architecture),
    sizes: c.sizes,
    apps: appNames(c.scenarios),
    architecture: c.architecture,
    parameters: countParams(specs),
    training,
  };
  return exportOnnx(c.architecture, c.sizes, weights, { [METADATA_KEY]: JSON.stringify(info) });
}

/** A learner policy on in-memory weights (exported to ONNX and run in ONNX Runtime, as deployed). */
function policyOf(c: LearnConfig, weights: Weights, decode: ProvisionDecode = "argmax"): { policy: (prior?: PriorFn | null) => LearnerPolicy; dispose: () => void } {
  const session = new OnnxSession(exportOnnx(c.architecture, c.sizes, weights));
  const chunked = isChunked(c.architecture);
  const head = chunked && c.architecture.kind === "attention" ? new ChunkHead(weights, c.architecture.dModel) : null;
  const model = { sizes: c.sizes, scorer: onnxScorer(session, c.sizes, tokenInputs(session), chunked), head };
  return { policy: (prior: PriorFn | null = null) => new LearnerPolicy(model, undefined, undefined, decode, prior), dispose: () => session.dispose() };
}

/**
 * States read from a data set made before priors were recorded get their scenario's (by the
 * episode's scenario name, "<scenario>:seed<n>"); a state of no scenario given keeps none.
 */
function attachPriors(states: LabelledState[], scenarios: readonly LearnScenario[]): LabelledState[] {
  const byName = new Map(scenarios.map((a) => [a.scenario.name, a.scenario]));
  for (const s of states) {
    if (s.prior) continue;
    const name = s.episode.replace(/^dagger\d+:/, "").replace(/:seed\d+(#validation)?$/, "");
    const prior = scenarioPrior(byName.get(name))?.(s.observation);
    if (prior) s.prior = Array.from(prior);
  }
  return states;
}

/** Validation states whose decoded decision equals the expert's (each episode decoded in step order). */
export function decisionMatch(c: LearnConfig, weights: Weights, states: LabelledState[]): { states: number; equal: number } {
  const p = policyOf(c, weights);
  let equal = 0;
  try {
    for (const idx of byEpisode(states).values()) {
      // each state's own prior (recorded when it was labelled)
      let prior: number[] | null = null;
      const pol = p.policy(() => prior);
      for (const i of idx) {
        prior = states[i].prior ?? null;
        if (sameDecision(pol.decide(states[i].observation), states[i].decision)) equal++;
      }
    }
  } finally {
    p.dispose();
  }
  return { states: states.length, equal };
}

export async function learn(c: LearnConfig, out: string, resume: boolean, io: LearnIo): Promise<LearnResult> {
  const wall0 = performance.now();
  const backend = await initBackend();
  io.info(`cotwin learn: TensorFlow.js backend ${backend}`);
  if (c.dataset === null && c.seeds.length === 0) throw new LearnError("no data: give --dataset or --seeds");
  appNames(c.scenarios); // one catalogue, or a clear error before any work
  // the output directory: new, or a run to resume with the same settings
  const configFile = path.join(out, CONFIG_FILE);
  const recorded = recordedConfig(c);
  let resumed = false;
  if (fs.existsSync(configFile)) {
    if (!resume) throw new LearnError(`${out} already holds a learner run; pass --resume to continue it, or choose another --out`);
    let old: { format?: string; config?: Record<string, unknown> };
    try {
      old = JSON.parse(fs.readFileSync(configFile, "utf8"));
    } catch (e) {
      throw new LearnError(`${configFile}: unreadable (${(e as Error).message})`);
    }
    if (old.format !== LEARN_FORMAT || !old.config) throw new LearnError(`${configFile}: not a cotwin learn run (format "${String(old.format)}")`);
    const diffs = differences(old.config, recorded);
    if (diffs.length > 0) throw new LearnError(`${out} holds a learner run with other settings (${diffs.join("; ")}); resume with the same settings, or choose another --out`);
    resumed = true;
  } else {
    if (!io.force && fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new LearnError(`${out} exists and is not a learner run; choose another --out`);
    fs.mkdirSync(path.join(out, "data"), { recursive: true });
    writeFileAtomicSync(configFile, JSON.stringify({ format: LEARN_FORMAT, config: recorded, seed: c.train.seed, version: VERSION, command: io.command ?? null }, null, 2) + "\n");
  }
  fs.mkdirSync(path.join(out, "data"), { recursive: true });

  const checkpointFile = path.join(out, CHECKPOINT_FILE);
  let state: TrainerState | null = null;
  let ckRound = -1;
  let reports: RoundReport[] = [];
  if (resumed && fs.existsSync(checkpointFile)) {
    const ck = readCheckpoint(checkpointFile);
    state = ck.state;
    ckRound = ck.extra.round as number;
    reports = (ck.extra.reports as RoundReport[]) ?? [];
    io.info(`cotwin learn: resuming ${out} at round ${ckRound}, epoch ${state.epoch}${state.stageDone ? " (round trained)" : ""}`);
  }

  const trainer = new Trainer(c.architecture, c.sizes, c.train);
  const specs = paramSpecs(c.architecture, c.sizes);
  const expert = expertFactory(c.expert, c.oracle);
  let source: DatasetSource | null = null;
  let allStates: LabelledState[] = [];
  let split: { train: string[]; validation: string[] } = { train: [], validation: [] };
  let trainSet: ExampleSet | null = null;
  let valSet: ExampleSet | null = null;
  let valStates: LabelledState[] = [];
  let epochsThisSession = 0;

  const label = async (round: number, episodes: Array<{ at: LearnScenario; seed: number }>, weights: Weights | null): Promise<{ states: LabelledState[]; disagreements: number; ms: number }> => {
    const t0 = performance.now();
    const bar = createProgress({ total: episodes.length * c.intervals, label: round === 0 ? `labelling (${c.expert})` : `DAgger round ${round}`, enabled: io.progress });
    const p = weights ? policyOf(c, weights, c.rolloutDecode ?? "argmax") : null;
    const states: LabelledState[] = [];
    let disagreements = 0;
    try {
      for (const [i, e] of episodes.entries()) {
        let done = 0;
        const r = await runEpisode({
          scenario: e.at.scenario,
          source: e.at.source,
          seed: e.seed,
          intervals: c.intervals,
          drain: c.drain ?? false,
          episode: episodeName(e.at.scenario.name, e.seed, round),
          expert,
          actor: p ? (ctx) => p.policy(contextPrior(ctx)) : c.behaviour ? (ctx) => createPolicy(c.behaviour!, ctx) : undefined,
          // the learner never emits what the twin rejects; a baseline may (a part that no longer fits)
          strictActor: p !== null,
          onStep: () => bar.update(i * c.intervals + Math.min(c.intervals, ++done)),
        });
        states.push(...r.states);
        disagreements += r.disagreements;
      }
    } finally {
      bar.stop();
      p?.dispose();
    }
    return { states, disagreements, ms: performance.now() - t0 };
  };

  const examplesOf = (states: LabelledState[]) => {
    try {
      return buildExamples(states, c.sizes, { tieTemperature: c.tieTemperature, tieRule: c.tieRule, deploymentPassesPerState: c.deploymentPassesPerState ?? undefined, seed: c.train.seed, chunked: isChunked(c.architecture) });
    } catch (e) {
      if ((e as Error).name === "SizeError") throw new LearnError(`the states do not fit the model's sizes: ${(e as Error).message} (raise --max-hosts or --max-requests)`);
      throw e;
    }
  };

  for (let round = 0; round <= c.daggerRounds; round++) {
    const roundFile = path.join(out, "data", `round${round}.jsonl`);
    let fresh: LabelledState[];
    let disagreements: number | null = null;
    let labelMs = 0;
    const sourceFile = path.join(out, "data", "dataset.json");
    if (fs.existsSync(roundFile)) {
      fresh = attachPriors(readStates(roundFile), c.scenarios);
      if (round === 0 && fs.existsSync(sourceFile)) source = JSON.parse(fs.readFileSync(sourceFile, "utf8")) as DatasetSource;
    } else if (round === 0 && c.dataset !== null) {
      const r = readLabelledDataset(c.dataset);
      fresh = attachPriors(r.states, c.scenarios);
      source = r.source;
      writeFileAtomicSync(sourceFile, JSON.stringify(source, null, 2) + "\n");
      writeStates(roundFile, fresh);
    } else {
      // every scenario x seed; DAgger runs only those of no validation episode
      const held = new Set(split.validation.map((e) => e.replace(/#validation$/, "")));
      const episodes = c.scenarios.flatMap((at) => c.seeds.map((seed) => ({ at, seed }))).filter((e) => round === 0 || !held.has(episodeName(e.at.scenario.name, e.seed)));
      if (round > 0 && !state) throw new Error("learn: a DAgger round before any training");
      if (episodes.length === 0) throw new LearnError(`DAgger round ${round}: no training episodes left (the validation episodes hold all of --seeds ${c.seeds.join(",")})`);
      io.info(round === 0 ? `cotwin learn: labelling ${episodes.length} episode(s) of ${c.intervals} intervals${c.drain ? " and their drains" : ""} with ${c.expert}${c.behaviour ? ` on the states ${c.behaviour} reaches` : ""}` : `cotwin learn: DAgger round ${round}: the learner decides, ${c.expert} labels (${episodes.length} episode(s))`);
      const r = await label(round, episodes, round === 0 ? null : state!.weights);
      fresh = r.states;
      disagreements = round === 0 ? null : r.disagreements;
      labelMs = r.ms;
      writeStates(roundFile, fresh);
    }
    if (round === 0) {
      const s = splitEpisodes(fresh, c.validationFraction, c.train.seed);
      fresh = s.states;
      split = { train: s.train, validation: s.validation };
      valStates = fresh.filter((x) => split.validation.includes(x.episode));
    }
    allStates = allStates.concat(fresh);
    const built = examplesOf(fresh);
    if (round === 0) {
      trainSet = subset(built.set, (e) => !split.validation.includes(e));
      valSet = subset(built.set, (e) => split.validation.includes(e));
    } else trainSet = concat(trainSet!, built.set);

    const stage = `round${round}`;
    const doneBefore = ckRound > round || (ckRound === round && state!.stageDone);
    let report: RoundReport = reports.find((r) => r.round === round) ?? {
      round,
      states: fresh.length,
      episodes: [...new Set(fresh.map((s) => s.episode))],
      examples: built.stats,
      disagreements,
      labelMs,
      epochs: 0,
      bestEpoch: 0,
      trainMs: 0,
      validation: null,
      decisionMatch: null,
    };
    if (!doneBefore) {
      if (!(ckRound === round && state)) {
        // a new stage: from the seeded initial weights (round 0) or the previous round's
        state = freshState(state ? state.weights : initWeights(specs, c.train.seed), stage, state?.history ?? []);
      }
      io.info(`cotwin learn: ${stage}: training on ${trainSet!.n} examples (${split.train.length} episode(s) + DAgger), validating on ${valSet!.n}`);
      const t0 = performance.now();
      const bar = createProgress({ total: c.train.epochs, label: `training ${stage}`, enabled: io.progress });
      bar.update(state.epoch);
      try {
        state = await trainer.fit(state, trainSet!, valSet!.n > 0 ? valSet! : null, (s, log) => {
          bar.update(s.epoch);
          writeCheckpoint(checkpointFile, s, { round, reports, config: createHash("sha256").update(JSON.stringify(recorded)).digest("hex") });
          epochsThisSession++;
          if (io.stopAfterEpochs !== undefined && epochsThisSession >= io.stopAfterEpochs && !s.stageDone) throw new InterruptedLearning(log);
        });
      } finally {
        bar.stop();
      }
      const validation = valSet!.n > 0 ? trainer.evaluate(state.weights, valSet!) : null;
      report = {
        ...report,
        epochs: state.epoch,
        bestEpoch: state.bestEpoch,
        trainMs: report.trainMs + (performance.now() - t0),
        validation,
        decisionMatch: valStates.length > 0 ? decisionMatch(c, state.weights, valStates) : null,
      };
      reports = [...reports.filter((r) => r.round !== round), report];
      ckRound = round;
      writeCheckpoint(checkpointFile, state, { round, reports, config: createHash("sha256").update(JSON.stringify(recorded)).digest("hex") });
      const v = report.validation;
      io.info(
        `cotwin learn: ${stage}: ${state.epoch} epochs (best ${state.bestEpoch})` +
          (v ? `; validation loss ${v.loss.toFixed(4)}, accuracy provisioning ${pct(v.provisionAccuracy)}, variant ${pct(v.variantAccuracy)}, host ${pct(v.hostAccuracy)}` : "") +
          (report.decisionMatch ? `; decisions equal to the expert's ${report.decisionMatch.equal}/${report.decisionMatch.states}` : ""),
      );
    }
  }

  const final = state!;
  const last = reports[reports.length - 1];
  const bytes = modelBytes(c, final.weights, {
    scenarios: c.scenarios.map((x) => x.scenario.name),
    scenarioSha256: c.scenarios.map((x) => configHash(x.scenario)),
    expert: c.expert,
    dataset: source ?? c.dataset,
    seeds: c.seeds,
    intervals: c.intervals,
    drain: c.drain ?? false,
    daggerRounds: c.daggerRounds,
    rolloutDecode: c.rolloutDecode ?? "argmax",
    seed: c.train.seed,
    version: VERSION,
    states: allStates.length,
  });
  const modelFile = path.join(out, MODEL_FILE);
  writeFileAtomicSync(modelFile, bytes);
  const result: LearnResult = {
    out,
    backend,
    modelFile,
    modelBytes: bytes.length,
    parameters: countParams(specs),
    rounds: reports,
    history: final.history,
    trainEpisodes: split.train,
    validationEpisodes: split.validation,
    final: { validation: last?.validation ?? null, decisionMatch: last?.decisionMatch ?? null },
    resumed,
    wallMs: performance.now() - wall0,
  };
  writeFileAtomicSync(
    path.join(out, METRICS_FILE),
    JSON.stringify({ format: METRICS_FORMAT, version: VERSION, seed: c.train.seed, command: io.command ?? null, config: recorded, dataset: source, ...result }, null, 2) + "\n",
  );
  return result;
}

/** Thrown by the epoch hook when a test asks for an interruption. */
export class InterruptedLearning extends Error {
  constructor(readonly log: EpochLog) {
    super(`interrupted after epoch ${log.epoch} of ${log.stage}`);
    this.name = "InterruptedLearning";
  }
}

function pct(x: number | null): string {
  return x === null ? "-" : `${(100 * x).toFixed(1)} %`;
}
