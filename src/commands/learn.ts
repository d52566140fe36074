/**
 * `cotwin learn`: trains the imitation learner on a scenario and exports it to ONNX.
 *
 *   cotwin learn --scenario scinet-testbed --out runs/learner                  oracle episodes, seeds 1..5, 2 DAgger rounds
 *   cotwin learn --scenario scinet-testbed --dataset data/oracle --out runs/l  behaviour cloning on an oracle data set
 *   cotwin learn ... --resume                                                  continue an interrupted run (same settings)
 *   cotwin learn --reexport model.onnx --out runs/m                            a model's weights in this version's graph
 *
 * Writes (atomically) model.onnx, metrics.json, learn.json, the training curves (loss.svg/png,
 * accuracy.svg/png), each round's labelled states and the checkpoint; see learner/learn.ts.
 */
import * as fs from "node:fs";
import path from "node:path";
import yargs from "yargs";
import { io } from "../io.ts";
import { ScenarioError } from "../../simulator/scenario.ts";
import { ObjectiveError } from "../../simulator/objective.ts";
import { PolicyError } from "../../simulator/policies/registry.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { writeFileAtomicSync } from "../../workloads/output/atomic.ts";
import { DEFAULT_ORACLE_SETTINGS, OracleSettingsError, parseOracleSettings } from "../../oracle/settings.ts";
import { DEFAULT_ATTENTION, DEFAULT_MLP, type Architecture } from "../../learner/model/architecture.ts";
import { CONFIG_FILE, LearnError, learn, sizesFor, type LearnConfig, type LearnResult } from "../../learner/learn.ts";
import type { ProvisionDecode } from "../../learner/policy.ts";
import { LearnerModelError, reexportModel } from "../../learner/model-file.ts";
import { checkOutputDirectory, OutputPathError } from "../../workloads/output/out-path.ts";
import { LABELLING_ORACLE } from "../../learner/data/experts.ts";
import { LearnerDataError } from "../../learner/data/states-file.ts";
import { CheckpointError } from "../../learner/train/checkpoint.ts";
import { DEFAULT_TRAIN } from "../../learner/train/trainer.ts";
import { DEFAULT_TIE_RULE, DEFAULT_TIE_TEMPERATURE, TIE_RULES, type TieRule } from "../../learner/train/targets.ts";
import { lineChart, standaloneSvg } from "../output/svg-chart.ts";

export interface LearnCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** progress bars and epoch lines on stderr (default: when stderr is a terminal) */
  interactive: boolean;
}

// through src/io.ts, so tests of the whole command line capture it
const processIo = (): LearnCommandIo => ({
  out: (t) => io.out(t),
  err: (t) => io.err(t),
  interactive: Boolean(process.stderr.isTTY),
});

export class LearnUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LearnUsageError";
  }
}

const KNOWN = [LearnerModelError, OutputPathError, LearnUsageError, LearnError, LearnerDataError, CheckpointError, OracleSettingsError, ScenarioError, ObjectiveError, PolicyError];

/** "3", "1..5" or "1,4,9" -> seeds */
export function parseSeeds(v: string): number[] {
  const t = v.trim();
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(t);
  let out: number[];
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw new LearnUsageError(`--seeds ${v}: the range ends before it starts`);
    if (b - a >= 10_000) throw new LearnUsageError(`--seeds ${v}: more than 10,000 seeds`);
    out = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else if (/^\d+(\s*,\s*\d+)*$/.test(t)) out = t.split(",").map((x) => Number(x.trim()));
  else throw new LearnUsageError(`--seeds must be a range a..b or a list a,b,c of non-negative integers, got "${v}"`);
  if (new Set(out).size !== out.length) throw new LearnUsageError(`--seeds ${v}: a seed is given twice`);
  return out;
}

/** Runs `cotwin learn <argv>`; returns the exit code (2 for bad input). */
export async function runLearnCommand(argv: string[], io: LearnCommandIo = processIo(), hooks: { stopAfterEpochs?: number } = {}): Promise<number> {
  const parser = yargs(argv)
    .scriptName("cotwin learn")
    .usage(
      "cotwin learn --scenario <name|file> --out <dir> [options]\ncotwin learn --reexport <model.onnx> --out <dir>\n\nTrains the imitation learner (behaviour cloning, then DAgger rounds) on the oracle's decisions and exports it to ONNX for `cotwin simulate --policy learner --model <dir>/model.onnx`.",
    )
    .option("scenario", { type: "string", describe: "built-in tenant scenario or a YAML/JSON file; several, comma-separated, share one model (e.g. a load ladder on one fleet)" })
    .option("out", { type: "string", demandOption: true, describe: "output directory (model.onnx, metrics.json, curves, checkpoint)" })
    .option("dataset", { type: "string", describe: "an oracle data set directory (cotwin oracle --out), or the data/round0.jsonl of an earlier cotwin learn run, for behaviour cloning instead of running episodes" })
    .option("expert", { type: "string", default: "oracle", describe: 'who labels the states: "oracle" or a baseline policy, e.g. compressed+least-loaded' })
    .option("behaviour", { type: "string", describe: "who drives the episodes the expert labels in round 0 (default: the expert itself); a baseline, e.g. threshold+full+first-fit, gives states the expert would not reach" })
    .option("seeds", { type: "string", default: "1..5", describe: "episode seeds, a..b or a,b,c (round 0 without --dataset, and DAgger rounds)" })
    .option("intervals", { type: "number", describe: "intervals per episode (default: the first scenario's)" })
    .option("dagger-rounds", { type: "number", default: 2, describe: "DAgger rounds after behaviour cloning" })
    .option("drain", { type: "boolean", default: true, describe: "each episode then drains as a run does (arrivals stop; the oracle labels the states until every request has ended), so the learner learns to shed hosts when work runs out; --no-drain: the intervals only" })
    .option("rollout-decode", { type: "string", default: "argmax", choices: ["argmax", "kind"], describe: 'how the learner decodes provisioning while it drives the DAgger rollouts: "argmax" (as served) or "kind" (the most probable kind of action - done, start or stop some host - then its best host), which visits states where hosts are stopped' })
    .option("epochs", { type: "number", default: DEFAULT_TRAIN.epochs, describe: "training epochs per round at most (early stopping may end sooner)" })
    .option("patience", { type: "number", default: DEFAULT_TRAIN.patience, describe: "epochs without a better validation loss before a round stops" })
    .option("batch-size", { type: "number", default: DEFAULT_TRAIN.batchSize })
    .option("learning-rate", { type: "number", default: DEFAULT_TRAIN.learningRate })
    .option("start-weight", { type: "number", default: DEFAULT_TRAIN.startWeight, describe: 'weight of a host start in the provisioning loss, "done" weighing 1 (starts are rare labels)' })
    .option("stop-weight", { type: "number", default: DEFAULT_TRAIN.stopWeight, describe: 'weight of a host stop in the provisioning loss, "done" weighing 1' })
    .option("seed", { type: "number", default: 1, describe: "seed of the initial weights, the batches and the validation split" })
    .option("validation", { type: "number", default: 0.2, describe: "share of the round-0 episodes held out for validation" })
    .option("architecture", { type: "string", default: "attention", choices: ["attention", "mlp"], describe: "the attention encoder or the MLP baseline" })
    .option("decode", { type: "string", choices: ["chunk", "pass"], describe: 'attention: "chunk" (the default) runs the encoder once per chunk of requests and places each fragment with a light step on that run (feature layout 5); "pass" runs it once per choice (layout 4)' })
    .option("width", { type: "number", describe: `attention: token width (default ${(DEFAULT_ATTENTION as { dModel: number }).dModel}); mlp: hidden units per layer (default ${(DEFAULT_MLP as { hidden: number[] }).hidden[0]})` })
    .option("layers", { type: "number", describe: "attention blocks, or MLP hidden layers (default 2)" })
    .option("heads", { type: "number", default: 4, describe: "attention heads" })
    .option("max-hosts", { type: "number", describe: "host tokens (default 32, or the scenario's host count if larger)" })
    .option("max-requests", { type: "number", describe: "request tokens per chunk (default 16)" })
    .option("budget-evals", { type: "number", describe: `the oracle's candidates scored per label (default ${DEFAULT_ORACLE_SETTINGS.budgetEvals})` })
    .option("horizon", { type: "number", describe: "the oracle's look-ahead intervals" })
    .option("tie-temperature", { type: "number", default: DEFAULT_TIE_TEMPERATURE, describe: "soft-target temperature, a share of |best score|: alternatives within it share the label" })
    .option("tie-rule", { type: "string", default: DEFAULT_TIE_RULE, choices: [...TIE_RULES], describe: 'an alternative the oracle\'s search scored better than its decision (refused on fresh samples): "one-sided" shares the label as a tie, "two-sided" is weighed by its distance like any other' })
    .option("passes-per-state", { type: "number", default: 12, describe: "deployment passes (a request's variant, a fragment's host) trained on per state at most; heavier states are sampled (0: all)" })
    .option("resume", { type: "boolean", default: false, describe: "continue the run in --out (refused if its settings differ)" })
    .option("force", { type: "boolean", default: false, describe: "write into a non-empty --out that holds no learner run" })
    .option("reexport", { type: "string", describe: "instead of training: write a model file's weights and metadata, unchanged, in the graph this version exports as <out>/model.onnx (an attention model made before its graph took any number of tokens then serves with less work)" })
    .option("json", { type: "boolean", default: false, describe: "print the result as JSON" })
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      // one line: yargs words some messages over two ("Invalid values:\n  Argument: ...")
      throw err ?? new LearnUsageError(msg.replace(/:?\s*\n\s*/g, ": "));
    });
  try {
    const a = await parser.parseAsync();
    if (a.help) return 0;
    if (a.reexport !== undefined) return await reexport(a.reexport, a.out, a.force, a.json, io);
    if (a.scenario === undefined) throw new LearnUsageError("Missing required argument: scenario");
    const int = (flag: string, v: number | undefined, min: number): void => {
      if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new LearnUsageError(`--${flag} must be an integer >= ${min}, got ${String(v)}`);
    };
    int("intervals", a.intervals, 1);
    int("dagger-rounds", a.daggerRounds, 0);
    int("epochs", a.epochs, 1);
    int("patience", a.patience, 1);
    int("batch-size", a.batchSize, 1);
    int("seed", a.seed, 0);
    int("width", a.width, 1);
    int("layers", a.layers, a.architecture === "mlp" ? 1 : 0);
    int("heads", a.heads, 1);
    int("max-hosts", a.maxHosts, 1);
    int("max-requests", a.maxRequests, 1);
    int("passes-per-state", a.passesPerState, 0);
    if (!(a.startWeight > 0)) throw new LearnUsageError(`--start-weight must be positive, got ${a.startWeight}`);
    if (!(a.stopWeight > 0)) throw new LearnUsageError(`--stop-weight must be positive, got ${a.stopWeight}`);
    if (!(a.learningRate > 0)) throw new LearnUsageError(`--learning-rate must be positive, got ${a.learningRate}`);
    if (!(a.validation > 0 && a.validation < 1)) throw new LearnUsageError(`--validation must be between 0 and 1, got ${a.validation}`);
    if (!(a.tieTemperature > 0)) throw new LearnUsageError(`--tie-temperature must be positive, got ${a.tieTemperature}`);
    checkOutputDirectory(a.out, { what: "--out", force: a.force, owned: (_d, entries) => entries.includes(CONFIG_FILE), kind: `a cotwin learn run (one with ${CONFIG_FILE})` });
    const seeds = parseSeeds(a.seeds);
    const scenarios = a.scenario
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x) => loadTenantScenario(x));
    if (scenarios.length === 0) throw new LearnUsageError("--scenario: give a scenario name or file");
    const { scenario, source } = scenarios[0];
    let architecture: Architecture;
    if (a.architecture === "mlp") {
      if (a.decode !== undefined) throw new LearnUsageError(`--decode ${a.decode} applies to --architecture attention only (the MLP baseline decodes every choice with its own pass)`);
      const width = a.width ?? (DEFAULT_MLP as { hidden: number[] }).hidden[0];
      architecture = { kind: "mlp", hidden: Array.from({ length: a.layers ?? 2 }, () => width) };
    } else {
      const base = DEFAULT_ATTENTION as Extract<Architecture, { kind: "attention" }>;
      const dModel = a.width ?? base.dModel;
      if (dModel % a.heads !== 0) throw new LearnUsageError(`--width ${dModel} must be a multiple of --heads ${a.heads}`);
      architecture = { kind: "attention", dModel, heads: a.heads, layers: a.layers ?? base.layers, ffn: 2 * dModel, ...((a.decode ?? "chunk") === "chunk" ? { decode: "chunk" as const } : {}) };
    }
    for (const [flag, name] of [["--expert", a.expert], ["--behaviour", a.behaviour]] as const) {
      if (name === undefined || (flag === "--expert" && name === "oracle")) continue;
      // fails early, with the registry's message, on an unknown baseline
      const { createPolicy, isRegistered } = await import("../../simulator/policies/registry.ts");
      const { buildTwinModel } = await import("../../simulator/scenarios.ts");
      const { RandomStreams } = await import("../../simulator/engine/random.ts");
      if (flag === "--behaviour" && (isRegistered(name) || name === "oracle" || name === "learner" || name.includes("/") || /\.(ts|mts|js|mjs)$/.test(name))) throw new LearnUsageError(`--behaviour ${name}: give a baseline (a combination like threshold+full+first-fit)`);
      if (flag === "--behaviour" && a.dataset !== undefined) throw new LearnUsageError("--behaviour drives the episodes the expert labels; with --dataset there are none");
      for (const sc of scenarios) createPolicy(name, { model: buildTwinModel(sc.scenario, sc.source), seed: 0, streams: new RandomStreams(0) });
    }
    const oracle = parseOracleSettings({ ...LABELLING_ORACLE, ...(a.budgetEvals !== undefined ? { budgetEvals: a.budgetEvals } : {}), ...(a.horizon !== undefined ? { horizon: a.horizon } : {}) }, (k) => `--${k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`);
    const config: LearnConfig = {
      scenarios,
      dataset: a.dataset ?? null,
      expert: a.expert,
      behaviour: a.behaviour ?? null,
      oracle,
      seeds,
      intervals: a.intervals ?? scenario.intervals,
      drain: a.drain,
      validationFraction: a.validation,
      daggerRounds: a.daggerRounds,
      rolloutDecode: a.rolloutDecode as ProvisionDecode,
      architecture,
      sizes: sizesFor(scenarios, { hosts: a.maxHosts, requests: a.maxRequests }),
      train: { ...DEFAULT_TRAIN, epochs: a.epochs, patience: a.patience, batchSize: a.batchSize, learningRate: a.learningRate, startWeight: a.startWeight, stopWeight: a.stopWeight, seed: a.seed },
      tieTemperature: a.tieTemperature,
      tieRule: a.tieRule as TieRule,
      deploymentPassesPerState: a.passesPerState === 0 ? null : a.passesPerState,
    };
    const progress = io.interactive && !a.json;
    const r = await learn(config, a.out, a.resume, {
      info: (line) => {
        if (!a.json) io.err(line + "\n");
      },
      progress,
      force: a.force,
      stopAfterEpochs: hooks.stopAfterEpochs,
      command: ["cotwin", "learn", ...argv],
    });
    const charts = await writeCurves(a.out, r);
    if (a.json) {
      io.out(JSON.stringify({ out: r.out, model: r.modelFile, modelBytes: r.modelBytes, parameters: r.parameters, backend: r.backend, charts, final: r.final, rounds: r.rounds.map(roundSummary), wallMs: r.wallMs }) + "\n");
    } else io.out(summaryText(r, charts));
    return 0;
  } catch (e) {
    if (KNOWN.some((k) => e instanceof k) || (e instanceof Error && (e.name === "YError" || e.name === "SizeError"))) {
      io.err(`cotwin learn: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

async function reexport(file: string, out: string, force: boolean, json: boolean, io: LearnCommandIo): Promise<number> {
  checkOutputDirectory(out, { what: "--out", force, owned: (_d, entries) => entries.includes(CONFIG_FILE) || entries.includes("model.onnx"), kind: "a cotwin learn run or a model" });
  const { bytes, info } = await reexportModel(file);
  const target = path.join(out, "model.onnx");
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomicSync(target, bytes);
  if (json) io.out(JSON.stringify({ from: file, model: target, modelBytes: bytes.byteLength, parameters: info.parameters }) + "\n");
  else io.out(`model ${target}: the weights and metadata of ${file} (${info.parameters} parameters, ${(bytes.byteLength / 1024).toFixed(0)} KiB) in this version's graph\n`);
  return 0;
}

function roundSummary(r: LearnResult["rounds"][number]) {
  return { round: r.round, states: r.states, epochs: r.epochs, bestEpoch: r.bestEpoch, validation: r.validation, decisionMatch: r.decisionMatch, disagreements: r.disagreements };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${(100 * x).toFixed(1)} %`);

export function summaryText(r: LearnResult, charts: string[]): string {
  const lines = [`model ${r.modelFile}: ${r.parameters} parameters, ${(r.modelBytes / 1024).toFixed(0)} KiB (backend ${r.backend}, ${(r.wallMs / 1000).toFixed(1)} s${r.resumed ? ", resumed" : ""})`];
  lines.push(`episodes: ${r.trainEpisodes.length} training, ${r.validationEpisodes.length} validation (${r.validationEpisodes.join(", ")})`);
  for (const x of r.rounds) {
    const v = x.validation;
    lines.push(
      `round ${x.round}: ${x.states} states, ${x.epochs} epochs (best ${x.bestEpoch})` +
        (x.disagreements !== null ? `, learner differed from the expert at ${x.disagreements} states` : "") +
        (v ? `; validation accuracy provisioning ${pct(v.provisionAccuracy)} (changes ${pct(v.provisionChangeAccuracy)}), variant ${pct(v.variantAccuracy)}, host ${pct(v.hostAccuracy)}` : "") +
        (x.decisionMatch ? `; whole decisions equal ${x.decisionMatch.equal}/${x.decisionMatch.states}` : ""),
    );
  }
  lines.push(`curves: ${charts.join(", ")}; metrics: ${path.join(r.out, "metrics.json")}`);
  return lines.join("\n") + "\n";
}

/** Loss and accuracy per epoch (all rounds one after the other) as SVG and PNG. */
export async function writeCurves(out: string, r: LearnResult): Promise<string[]> {
  const h = r.history;
  const x = h.map((_, i) => i + 1);
  const rounds = [...new Set(h.map((e) => e.stage))];
  const loss = lineChart({
    title: `Training loss per epoch (${rounds.join(", ")})`,
    x,
    xLabel: "epoch (all rounds)",
    yLabel: "cross-entropy",
    series: [
      { name: "training", values: h.map((e) => e.trainLoss) },
      { name: "validation", values: h.map((e) => e.validation?.loss ?? NaN) },
    ],
  });
  const acc = lineChart({
    title: "Validation accuracy per head",
    x,
    xLabel: "epoch (all rounds)",
    yLabel: "%",
    yDomain: [0, 100],
    series: [
      { name: "provisioning", values: h.map((e) => 100 * (e.validation?.provisionAccuracy ?? NaN)) },
      { name: "provisioning changes", values: h.map((e) => 100 * (e.validation?.provisionChangeAccuracy ?? NaN)) },
      { name: "variant", values: h.map((e) => 100 * (e.validation?.variantAccuracy ?? NaN)) },
      { name: "host", values: h.map((e) => 100 * (e.validation?.hostAccuracy ?? NaN)) },
    ],
  });
  const { Resvg } = await import("@resvg/resvg-js");
  const files: string[] = [];
  for (const [name, svg] of [["loss", loss], ["accuracy", acc]] as const) {
    const doc = standaloneSvg(svg);
    const svgFile = path.join(out, `${name}.svg`);
    const pngFile = path.join(out, `${name}.png`);
    writeFileAtomicSync(svgFile, doc);
    writeFileAtomicSync(pngFile, new Resvg(doc, { font: { loadSystemFonts: true }, background: "white" }).render().asPng());
    files.push(svgFile, pngFile);
  }
  return files;
}
