/**
 * The learner's benchmark (`npm run bench -- learner`): decision latency of the shipped model at
 * batch 1 in ONNX Runtime; the time to label and train on a 1,000-interval data set (5 scinet-testbed
 * episodes of 200 intervals labelled by the oracle, then the DAgger rounds, as `cotwin learn` does
 * by default); and the objective of the learner (shipped and freshly trained), the oracle and the
 * baselines on unseen seeds (on the load ladder and bitbrains-50-synthetic every combination of
 * baseline parts, each fleet with its own shipped model); the MLP baseline trained on the same labels. Figures are measured in one run and printed next to their targets;
 * nothing fails for a miss.
 */
import * as fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { allBaselines, BASELINE_POLICIES, PolicyError } from "../../simulator/policies/registry.ts";
import { buildTwinModel, loadTenantScenario } from "../../simulator/scenarios.ts";
import { percentile } from "../../simulator/summary.ts";
import { prepareInputs } from "../../workloads/ready-twin.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import { learn, sizesFor, type LearnConfig } from "../../learner/learn.ts";
import { LABELLING_ORACLE } from "../../learner/data/experts.ts";
import { DEFAULT_ATTENTION, DEFAULT_MLP } from "../../learner/model/architecture.ts";
import { DEFAULT_MODEL_FILE, loadLearnerModel, SHIPPED_MODEL_FILES, shippedModelFor, tokenInputs } from "../../learner/model-file.ts";
import { INPUT_NAMES, inputDims } from "../../learner/encoding/layout.ts";
import { learnerFromModel, scenarioPrior } from "../../learner/policy.ts";
import { DEFAULT_TRAIN } from "../../learner/train/trainer.ts";
import { DEFAULT_TIE_TEMPERATURE } from "../../learner/train/targets.ts";
import { meanCI } from "../commands/run.ts";
import { ensurePolicies } from "../policies.ts";
import { prepareTenantRun, runTenant } from "../runner.ts";

type Log = (line: string) => void;

/** seeds no training run uses (cotwin learn's default episodes are 1..5) */
const UNSEEN = [101, 102, 103, 104, 105];

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** an accuracy in percent, or a dash where the validation set had no choice of that kind */
function pctOf(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "- (no such choice)" : `${(100 * x).toFixed(1)} %`;
}

/** Decision latency of a model: every decision of unseen runs of a scenario, timed around decide(). */
async function latency(log: Log, modelFile: string, label: string, scenarioName = "scinet-testbed"): Promise<void> {
  const m = loadLearnerModel(modelFile);
  const { scenario, source } = loadTenantScenario(scenarioName);
  const trims = tokenInputs(m.session);
  let pending = 0;
  const decisions = (trim: boolean): { ms: number[]; passes: number[] } => {
    const ms: number[] = [];
    const passes: number[] = [];
    pending = 0;
    for (const seed of UNSEEN) {
      const run = prepareTenantRun({ scenario, source, seed, policy: "first-fit", record: false });
      const policy = learnerFromModel(m, scenarioPrior(scenario), trim);
      const stepper = new TwinStepper(run.twin);
      for (let k = 0; k < scenario.intervals; k++) {
        const obs = stepper.observe();
        const t0 = performance.now();
        const d = policy.decide(obs);
        const dt = performance.now() - t0;
        if (seed !== UNSEEN[0] || k >= 20) {
          // the first run's first 20 decisions warm up the JIT and ONNX Runtime
          ms.push(dt);
          passes.push(policy.lastPasses);
          pending += obs.pending.length;
        }
        stepper.apply(d);
      }
    }
    return { ms, passes };
  };
  // as served (trimmed where the graph allows), then padded, same runs
  const { ms, passes } = decisions(trims);
  const padded = trims ? decisions(false).ms : null;
  // one model run alone, at batch 1 (a decision takes one per open choice): padded to the model's
  // sizes, and with the fleet's hosts and one request where the graph takes any number of tokens
  const d = inputDims(m.info.sizes);
  // (at batch > 1: whether batching a decision's runs would pay, the time per row)
  const oneRun = (len: Record<string, number>, batch = 1): number[] => {
    const feeds = Object.fromEntries(INPUT_NAMES.filter((k) => m.session.inputNames.includes(k)).map((k) => [k, { data: new Float32Array(batch * len[k]).fill(k.endsWith("Mask") ? 1 : 0), dims: [batch, len[k]] }]));
    for (let i = 0; i < Math.ceil(200 / batch); i++) m.session.run(feeds);
    const runs: number[] = [];
    for (let i = 0; i < Math.ceil(2000 / batch); i++) {
      const t0 = performance.now();
      m.session.run(feeds);
      runs.push(performance.now() - t0);
    }
    return runs;
  };
  const runs = oneRun({ ...d });
  const BATCH = 16;
  const perRow = percentile(oneRun({ ...d }, BATCH), 50) / BATCH;
  const hosts = buildTwinModel(scenario, source).hostCount;
  const fed = trims ? oneRun({ ...d, hosts: (hosts * d.hosts) / m.info.sizes.hosts, hostMask: hosts, requests: d.requests / m.info.sizes.requests, requestMask: 1, slot: 1 }) : null;
  const p50 = percentile(ms, 50);
  const p99 = percentile(ms, 99);
  const meanPasses = passes.reduce((a, b) => a + b, 0) / passes.length;
  const us = (x: number[]) => `p50 ${fmt(1000 * percentile(x, 50), 0)} us, p99 ${fmt(1000 * percentile(x, 99), 0)} us`;
  log(
    `${label}: decision latency at batch 1 over ${ms.length} ${scenarioName} decisions: p50 ${fmt(p50, 3)} ms (target < 1 ms: ${p50 < 1 ? "met" : "MISSED"}), p99 ${fmt(p99, 3)} ms (target < 5 ms: ${p99 < 5 ? "met" : "MISSED"}), max ${fmt(Math.max(...ms), 3)} ms; ${fmt(meanPasses, 2)} model runs per decision on average (max ${Math.max(...passes)}; ${fmt(pending / ms.length, 1)} requests pending; ${fmt((1000 * ms.reduce((a, b) => a + b, 0)) / Math.max(1, passes.reduce((a, b) => a + b, 0)), 0)} us of decision per run); one run ${fed ? `on the real tokens (${hosts} hosts, 1 request) ${us(fed)}, padded to the model's sizes ` : ""}${us(runs)}; padded at batch ${BATCH}, p50 ${fmt(1000 * perRow, 0)} us per row (${fmt(percentile(runs, 50) / perRow, 2)}x cheaper than a run alone)`,
  );
  if (padded) log(`  the same decisions on padded passes: p50 ${fmt(percentile(padded, 50), 3)} ms, p99 ${fmt(percentile(padded, 99), 3)} ms (feeding only the real tokens: p50 ${fmt(percentile(padded, 50) / p50, 2)}x faster)`);
  m.session.dispose();
}

async function objectives(scenarioName: string, policy: string, intervals: number, options?: Record<string, unknown>): Promise<{ objective: number[]; decisionMs: number[] }> {
  const { scenario, source } = loadTenantScenario(scenarioName);
  await ensurePolicies(policy);
  const objective: number[] = [];
  const decisionMs: number[] = [];
  for (const seed of UNSEEN) {
    const inputs = await prepareInputs({ scenario, source, policy, seed, intervals, record: false, policyOptions: options });
    const r = runTenant(inputs);
    objective.push(r.summary.objective);
    for (const row of r.intervals) decisionMs.push(row.decisionMs);
  }
  return { objective, decisionMs };
}

/** the load ladder on the scinet fleet (the oracle bench's rungs), runs cut as the oracle bench cuts them */
const LADDER = ["scinet-load-35", "scinet-load-70", "scinet-load-90"];
const LADDER_INTERVALS = 100;

/** Every baseline, the oracle and the given learner models on unseen seeds of one scenario, with the targets. */
async function compare(
  log: Log,
  scenarioName: string,
  intervals: number,
  learners: ReadonlyArray<readonly [string, string | null | undefined]>,
  baselinePolicies: readonly string[] = BASELINE_POLICIES,
): Promise<void> {
  const t0 = performance.now();
  const rows: Array<{ policy: string; objective: number[]; decisionMs: number[] }> = [];
  const lines: string[] = [];
  const add = async (label: string, policy: string, options?: Record<string, unknown>) => {
    try {
      const x = await objectives(scenarioName, policy, intervals, options);
      rows.push({ policy: label, ...x });
      const ci = meanCI(x.objective);
      lines.push(`  ${label.padEnd(34)} ${x.objective.length > 0 ? ci.mean.toPrecision(4).padStart(10) : "-"} ± ${ci.ci95.toPrecision(2)}   decision p50 ${fmt(percentile(x.decisionMs, 50), 3)} ms, p99 ${fmt(percentile(x.decisionMs, 99), 3)} ms`);
    } catch (e) {
      if (e instanceof PolicyError) lines.push(`  ${label}: skipped (${e.message})`);
      else throw e;
    }
  };
  for (const b of baselinePolicies) await add(b, b);
  await add("oracle", "oracle");
  for (const [label, model] of learners) if (model !== null) await add(label, "learner", model === undefined ? undefined : { model });
  log(`\n${scenarioName}: ${intervals} intervals x ${UNSEEN.length} unseen seeds, objective mean ± 95 % CI (lower is better); ${fmt((performance.now() - t0) / 1000, 0)} s`);
  for (const l of lines) log(l);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const oracle = rows.find((r) => r.policy === "oracle");
  const baselines = rows.filter((r) => baselinePolicies.includes(r.policy));
  const best = baselines.reduce<(typeof baselines)[number] | null>((a, b) => (a === null || mean(b.objective) < mean(a.objective) ? b : a), null);
  if (best) log(`  best of the ${baselines.length} baselines: ${best.policy}, ${mean(best.objective).toPrecision(4)}`);
  for (const l of rows.filter((r) => r.policy.startsWith("learner"))) {
    const lm = mean(l.objective);
    const om = oracle ? mean(oracle.objective) : NaN;
    const gap = (lm - om) / Math.abs(om);
    const worse = baselines.filter((b) => mean(b.objective) <= lm).map((b) => b.policy);
    log(
      `  ${l.policy}: ${gap >= 0 ? "+" : ""}${fmt(100 * gap, 1)} % against the oracle's objective (target within 5 %: ${gap <= 0.05 ? "met" : "MISSED"}); ` +
        (worse.length === 0 ? "lower than every baseline (met)" : `not lower than ${worse.join(", ")} (MISSED)`),
    );
  }
}

/**
 * Decision latency at batch 1 of each shipped model, on the fleet it was made for: the scinet
 * model on the testbed and on the load ladder (a decision takes a run per open request choice, so
 * its latency grows with the backlog), the Bitbrains model on its synthetic workload.
 */
export async function benchLearnerLatency(log: Log): Promise<void> {
  log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}; unseen seeds ${UNSEEN.join(", ")}`);
  const fleets: Array<[string, string]> = [
    [SHIPPED_MODEL_FILES[0], "scinet-testbed"],
    ...LADDER.map((s): [string, string] => [SHIPPED_MODEL_FILES[0], s]),
    [SHIPPED_MODEL_FILES[1], "bitbrains-50-synthetic"],
  ];
  for (const [file, scenarioName] of fleets) {
    if (fs.existsSync(file)) await latency(log, file, `shipped model ${path.basename(file)}`, scenarioName);
    else log(`shipped model ${file} is missing: latency not measured`);
  }
}

export async function benchLearner(log: Log): Promise<void> {
  // ------------------------------------------------------------ latency of the shipped models
  await benchLearnerLatency(log);

  // ------------------------------------------------------------ a 1,000-interval data set, trained
  const { scenario, source } = loadTenantScenario("scinet-testbed");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-bench-learner-"));
  let trained: string | null = null;
  let mlpModel: string | null = null;
  try {
    const config: LearnConfig = {
      scenarios: [{ scenario, source }],
      dataset: null,
      expert: "oracle",
      oracle: LABELLING_ORACLE,
      seeds: [1, 2, 3, 4, 5],
      intervals: 200,
      validationFraction: 0.2,
      daggerRounds: 2,
      architecture: DEFAULT_ATTENTION,
      sizes: sizesFor([{ scenario, source }]),
      train: DEFAULT_TRAIN,
      tieTemperature: DEFAULT_TIE_TEMPERATURE,
      deploymentPassesPerState: 12,
    };
    const t0 = performance.now();
    const r = await learn(config, out, false, { info: () => undefined, progress: false });
    const wall = (performance.now() - t0) / 1000;
    const r0 = r.rounds[0];
    const trainS = r.rounds.reduce((a, x) => a + x.trainMs, 0) / 1000;
    const labelS = r.rounds.reduce((a, x) => a + x.labelMs, 0) / 1000;
    log(
      `\ncotwin learn on scinet-testbed (oracle labels, 5 x 200 = 1,000 intervals, ${config.daggerRounds} DAgger rounds, backend ${r.backend}): ${fmt(wall, 0)} s in all; ` +
        `labelling ${fmt(labelS, 0)} s, training ${fmt(trainS, 0)} s (behaviour cloning on the 1,000-interval set: ${fmt(r0.trainMs / 1000, 0)} s for ${r0.epochs} epochs; target < 600 s on 2 cores: ${r0.trainMs / 1000 < 600 ? "met" : "MISSED"})`,
    );
    for (const x of r.rounds) {
      const v = x.validation;
      log(
        `  round ${x.round}: ${x.states} states, ${x.examples.examples} examples, ${x.epochs} epochs, ${fmt(x.trainMs / 1000, 0)} s` +
          (x.disagreements !== null ? `, learner != oracle at ${x.disagreements} of ${x.states} states` : "") +
          (v ? `; validation accuracy provisioning ${pctOf(v.provisionAccuracy)} (starts/stops ${pctOf(v.provisionChangeAccuracy)} of ${v.counts.changes}), variant ${pctOf(v.variantAccuracy)}, host ${pctOf(v.hostAccuracy)}` : "") +
          (x.decisionMatch ? `; whole decisions ${x.decisionMatch.equal}/${x.decisionMatch.states}` : ""),
      );
    }
    trained = r.modelFile;
    await latency(log, trained, "  freshly trained model");

    // the MLP baseline, behaviour cloning on the same round-0 labels
    const mlpOut = path.join(out, "mlp");
    const t1 = performance.now();
    const mr = await learn({ ...config, dataset: path.join(out, "data", "round0.jsonl"), daggerRounds: 0, architecture: DEFAULT_MLP }, mlpOut, false, { info: () => undefined, progress: false });
    const mv = mr.rounds[0].validation;
    const av = r0.validation;
    const acc = (v: typeof mv) => (v ? `provisioning ${pctOf(v.provisionAccuracy)}, variant ${pctOf(v.variantAccuracy)}, host ${pctOf(v.hostAccuracy)}` : "-");
    log(`  MLP baseline (${mr.parameters} parameters against ${r.parameters}), behaviour cloning on the same labels: ${fmt((performance.now() - t1) / 1000, 0)} s; validation accuracy ${acc(mv)} (attention after behaviour cloning: ${acc(av)})`);
    mlpModel = mr.modelFile;

    // ------------------------------------------------------------ objective on unseen seeds
    await compare(log, "scinet-testbed", 200, [
      ...(fs.existsSync(DEFAULT_MODEL_FILE) ? [["learner (shipped model)", undefined] as const] : []),
      ["learner (trained above)", trained],
      ["learner, MLP baseline (BC only)", mlpModel],
    ]);
    if (fs.existsSync(DEFAULT_MODEL_FILE)) {
      for (const rung of LADDER) {
        const r = loadTenantScenario(rung);
        await compare(log, rung, LADDER_INTERVALS, [["learner (shipped model)", undefined]], allBaselines(buildTwinModel(r.scenario, r.source)));
      }
    }
    // another fleet (50 hosts) and catalogue, with its own shipped model; every combination of baseline parts, run as the oracle bench runs it
    const bb = loadTenantScenario("bitbrains-50-synthetic");
    const bbTwin = buildTwinModel(bb.scenario, bb.source);
    if (shippedModelFor(bbTwin) !== null) await compare(log, "bitbrains-50-synthetic", 48, [["learner (shipped model)", undefined]], allBaselines(bbTwin));
    else log("  not measured: bitbrains-50-synthetic (its shipped model is missing)");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
