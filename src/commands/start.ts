/**
 * `npm start` / `cotwin start`: the main job, end to end on the scinet fleet.
 *
 *   1. the learner: `cotwin learn` on a small oracle data set (the oracle labels episodes of the
 *      training seeds on two load levels, then one DAgger round), exported to ONNX;
 *   2. the evaluation: a `cotwin bench` matrix of the practitioner baselines, the oracle and the
 *      learner just trained, on seeds no training episode used, at the same two load levels;
 *   3. the report (report.html with charts and intervals) and a short table.
 *
 * Everything lands in one directory (default runs/start): `learner/` (model, curves, metrics,
 * checkpoint), `matrix/` (runs, tables, report) and `start.json` (settings, seed, version, the
 * command, what was produced). Both steps checkpoint: a second `npm start` reuses the trained
 * model and every finished run (learner runs are keyed by the model file's contents, so a
 * retrained model is evaluated again), and Ctrl-C leaves a directory that resumes.
 */
import * as fs from "node:fs";
import path from "node:path";
import { io } from "../io.ts";
import { BASELINE_POLICIES } from "../../simulator/policies/registry.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { VERSION } from "../../simulator/version.ts";
import { writeFileAtomicSync } from "../../workloads/output/atomic.ts";
import { checkOutputDirectory, makeDirectories } from "../../workloads/output/out-path.ts";
import { parseOracleSettings } from "../../oracle/settings.ts";
import { CONFIG_FILE, learn, sizesFor, type LearnConfig, type LearnResult } from "../../learner/learn.ts";
import { LABELLING_ORACLE } from "../../learner/data/experts.ts";
import { DEFAULT_ATTENTION } from "../../learner/model/architecture.ts";
import { DEFAULT_TRAIN } from "../../learner/train/trainer.ts";
import { DEFAULT_TIE_TEMPERATURE } from "../../learner/train/targets.ts";
import { runSweep, type SweepOutcome } from "../matrix/sweep.ts";
import { formatSweep, interruptible } from "./bench.ts";
import { summaryText, writeCurves } from "./learn.ts";

export interface StartSettings {
  learn: {
    scenarios: string[];
    seeds: number[];
    intervals: number;
    daggerRounds: number;
    epochs: number;
    /** who labels: "oracle" (the main job) or a baseline (tests) */
    expert: string;
  };
  evaluate: {
    scenarios: string[];
    /** seeds no training episode used */
    seeds: number[];
    intervals: number;
    baselines: string[];
    /** the policy the others are compared with, paired by seed */
    reference: string;
  };
}

/** The main job's defaults: about 5 minutes on 2 cores. */
export const START_SETTINGS: StartSettings = {
  learn: { scenarios: ["scinet-load-35", "scinet-load-70"], seeds: [1, 2, 3], intervals: 30, daggerRounds: 1, epochs: DEFAULT_TRAIN.epochs, expert: "oracle" },
  evaluate: {
    scenarios: ["scinet-load-35", "scinet-load-70"],
    seeds: [101, 102, 103],
    intervals: 60,
    baselines: [...BASELINE_POLICIES],
    reference: "target+compressed+least-loaded",
  },
};

export interface StartArgs {
  out: string;
  json: boolean;
  force?: boolean;
  workers?: number;
  command: string[];
  /** the job's sizes (tests run a small one) */
  settings?: StartSettings;
}

const START_FILE = "start.json";
const START_FORMAT = "cotwin-start/1";

function learnConfig(s: StartSettings["learn"]): LearnConfig {
  const scenarios = s.scenarios.map((x) => loadTenantScenario(x));
  return {
    scenarios,
    dataset: null,
    expert: s.expert,
    oracle: parseOracleSettings({ ...LABELLING_ORACLE }),
    seeds: s.seeds,
    intervals: s.intervals,
    validationFraction: 0.2,
    daggerRounds: s.daggerRounds,
    architecture: DEFAULT_ATTENTION,
    sizes: sizesFor(scenarios),
    train: { ...DEFAULT_TRAIN, epochs: s.epochs },
    tieTemperature: DEFAULT_TIE_TEMPERATURE,
    deploymentPassesPerState: 12,
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${(100 * x).toFixed(1)} %`);

export async function runStart(a: StartArgs): Promise<number> {
  const s = a.settings ?? START_SETTINGS;
  const t0 = performance.now();
  const note = (line: string) => {
    if (!a.json) io.err(`cotwin start: ${line}\n`);
  };
  checkOutputDirectory(a.out, { what: "--out", force: a.force, owned: (_d, entries) => entries.includes(START_FILE), kind: `the output of cotwin start (one with ${START_FILE})` });
  makeDirectories(a.out);
  const startFile = path.join(a.out, START_FILE);
  const record = (extra: Record<string, unknown>) =>
    writeFileAtomicSync(startFile, JSON.stringify({ format: START_FORMAT, version: VERSION, command: a.command, settings: s, ...extra }, null, 2) + "\n");
  record({ state: "running" });

  // ------------------------------------------------------------ 1. the learner
  const learnDir = path.join(a.out, "learner");
  const resume = fs.existsSync(path.join(learnDir, CONFIG_FILE));
  note(
    `1/2 learner: ${s.learn.expert} labels ${s.learn.scenarios.length * s.learn.seeds.length} episodes of ${s.learn.intervals} intervals ` +
      `(${s.learn.scenarios.join(", ")}; seeds ${s.learn.seeds.join(",")}), behaviour cloning, ${s.learn.daggerRounds} DAgger round(s)` +
      (resume ? `; resuming ${learnDir}` : ""),
  );
  const lr: LearnResult = await learn(learnConfig(s.learn), learnDir, resume, {
    info: (line) => note(line.replace(/^cotwin learn: /, "")),
    progress: !a.json && Boolean(process.stderr.isTTY),
    force: false,
    command: a.command,
  });
  const charts = await writeCurves(learnDir, lr);
  if (!a.json) io.err(summaryText(lr, charts).trimEnd().replace(/^/gm, "  ") + "\n");

  // ------------------------------------------------------------ 2. the evaluation
  const matrixDir = path.join(a.out, "matrix");
  const policies = [...s.evaluate.baselines, "oracle", "learner"];
  note(
    `2/2 evaluation: ${policies.length} policies x ${s.evaluate.scenarios.length} scenarios x ${s.evaluate.seeds.length} unseen seeds (${s.evaluate.seeds.join(",")}), ` +
      `${s.evaluate.intervals} intervals each; the learner is ${lr.modelFile}`,
  );
  const { signal, release } = interruptible();
  let outcome: SweepOutcome;
  try {
    outcome = await runSweep({
      scenarios: s.evaluate.scenarios,
      policies,
      seeds: s.evaluate.seeds,
      intervals: s.evaluate.intervals,
      policyOptions: { model: lr.modelFile },
      out: matrixDir,
      reference: s.evaluate.reference,
      workers: a.workers,
      command: a.command,
      progress: !a.json,
      signal,
      note,
    });
  } finally {
    release();
  }
  if (outcome.interrupted) {
    io.err(`cotwin start: interrupted: ${outcome.reused + outcome.executed} of ${outcome.plan.runs.length} runs done and kept in ${matrixDir}; run it again to resume\n`);
    return 130;
  }
  for (const f of outcome.failures) io.err(`cotwin start: run failed: ${f.run.scenario} · ${f.run.policy} · seed ${f.run.seed}: ${f.reason}\n`);
  const an = outcome.analysis!;
  const wallMs = performance.now() - t0;
  const v = lr.final.validation;
  const learner = {
    model: lr.modelFile,
    parameters: lr.parameters,
    backend: lr.backend,
    states: lr.rounds.reduce((n, r) => n + r.states, 0),
    validation: v,
    decisionMatch: lr.final.decisionMatch,
    resumed: lr.resumed,
    wallMs: lr.wallMs,
  };
  const objective = an.cells
    .filter((c) => c.metric === "objective")
    .map((c) => ({ scenario: c.scenario, policy: c.policy, mean: c.mean, ci95: c.ci95, n: c.n }));
  record({ state: outcome.failures.length > 0 ? "failed runs" : "done", learner, matrix: matrixDir, report: outcome.files!.report ?? null, objective, runs: outcome.plan.runs.length, failures: outcome.failures.length, wallMs });
  if (a.json) {
    io.out(JSON.stringify({ out: a.out, report: outcome.files!.report ?? null, learner, runs: outcome.plan.runs.length, executed: outcome.executed, reused: outcome.reused, failures: outcome.failures.length, reference: an.reference, objective, versus: an.versus.filter((x) => x.metric === "objective"), version: VERSION, wallMs }) + "\n");
  } else {
    io.out(formatSweep(an, outcome));
    io.out(
      `\nlearner ${lr.modelFile}: ${lr.parameters} parameters, trained on ${learner.states} oracle-labelled states; validation accuracy provisioning ${pct(v?.provisionAccuracy)}, variant ${pct(v?.variantAccuracy)}, host ${pct(v?.hostAccuracy)}\n` +
        `report: ${outcome.files!.report ?? "(not written)"}\n` +
        `the main job took ${(wallMs / 1000).toFixed(0)} s; everything is in ${a.out} (${START_FILE}: settings, version, results)\n`,
    );
  }
  return outcome.failures.length > 0 ? 1 : 0;
}
