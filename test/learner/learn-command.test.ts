import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { runLearnCommand, parseSeeds } from "../../src/commands/learn.ts";
import { buildDataset } from "../../oracle/dataset.ts";
import { parseOracleSettings } from "../../oracle/settings.ts";
import { tinyScenario } from "../../oracle/tiny.ts";
import { VERSION } from "../../simulator/version.ts";
import { loadLearnerModel } from "../../learner/model-file.ts";
import { cli } from "../helpers/cli.ts";
import { fleet, FLEET_FILE } from "../helpers/learner.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-learn-"));
}

function capture() {
  let out = "";
  let err = "";
  return { io: { out: (t: string) => (out += t), err: (t: string) => (err += t), interactive: false }, out: () => out, err: () => err };
}

const SMALL = ["--expert", "compressed+least-loaded", "--seeds", "1..3", "--intervals", "6", "--no-drain", "--epochs", "3", "--dagger-rounds", "1", "--width", "8", "--heads", "2", "--layers", "1", "--max-hosts", "8", "--max-requests", "6", "--batch-size", "32"];

test("cotwin learn on two scenarios writes the model, the metrics (config, seed, version, per-head accuracy) and the curves; an interrupted run resumes to the same model", async () => {
  const root = tempDir();
  try {
    // the test fleet at its own load and at half of it: one model for both
    const half = path.join(root, "half.json");
    const f = fleet();
    fs.writeFileSync(half, JSON.stringify({ ...f, name: "learner-fleet-half", workload: { ...f.workload, ratePerInterval: 6 } }));
    const SCENARIOS = `${FLEET_FILE},${half}`;
    const whole = path.join(root, "whole");
    const c = capture();
    assert.equal(await runLearnCommand(["--scenario", SCENARIOS, "--out", whole, ...SMALL, "--json"], c.io), 0, c.err());
    const r = JSON.parse(c.out());
    assert.equal(r.backend === "wasm" || r.backend === "cpu" || r.backend === "tensorflow", true);
    for (const f of ["model.onnx", "metrics.json", "learn.json", "loss.svg", "loss.png", "accuracy.svg", "accuracy.png", "data/round0.jsonl", "data/round1.jsonl"]) {
      assert.ok(fs.existsSync(path.join(whole, f)), f);
    }
    const png = fs.readFileSync(path.join(whole, "loss.png"));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const metrics = JSON.parse(fs.readFileSync(path.join(whole, "metrics.json"), "utf8"));
    assert.equal(metrics.version, VERSION);
    assert.equal(metrics.seed, 1);
    assert.equal(metrics.config.expert, "compressed+least-loaded");
    // the defaults are recorded: DAgger rollouts decode as the model is served, better-scored alternatives tie
    assert.equal(metrics.config.rolloutDecode, "argmax");
    assert.equal(metrics.config.tieRule, "one-sided");
    // --no-drain: the episodes are their intervals only (the counts below)
    assert.equal(metrics.config.drain, false);
    assert.equal(metrics.rounds.length, 2);
    // 2 scenarios x 3 seeds: one episode of the six validates, five train and run the DAgger round (6 intervals each)
    assert.equal(metrics.validationEpisodes.length, 1);
    assert.match(metrics.validationEpisodes[0], /^learner-fleet(-half)?:seed[123]$/);
    assert.equal(metrics.rounds[0].states, 36);
    assert.equal(metrics.rounds[1].states, 30);
    assert.deepEqual(metrics.config.scenarios.map((x: { name: string }) => x.name), ["learner-fleet", "learner-fleet-half"]);
    for (const k of ["provisionAccuracy", "variantAccuracy", "hostAccuracy"]) assert.equal(typeof metrics.final.validation[k], "number", k);
    assert.ok(metrics.history.length >= 2);
    const model = loadLearnerModel(path.join(whole, "model.onnx"));
    assert.deepEqual(model.info.sizes, { hosts: 8, requests: 6, apps: 8, fragments: 4 });
    assert.deepEqual(model.info.apps, ["classifier"]);
    assert.equal(model.info.training.seed, 1);
    assert.deepEqual(model.info.training.scenarios, ["learner-fleet", "learner-fleet-half"]);
    model.session.dispose();

    // interrupted after 2 epochs, then resumed: the same model, byte for byte
    const cut = path.join(root, "cut");
    await assert.rejects(runLearnCommand(["--scenario", SCENARIOS, "--out", cut, ...SMALL], capture().io, { stopAfterEpochs: 2 }), /interrupted after epoch 2/);
    assert.ok(fs.existsSync(path.join(cut, "checkpoint.bin")));
    assert.ok(!fs.existsSync(path.join(cut, "model.onnx")));
    const again = capture();
    assert.equal(await runLearnCommand(["--scenario", SCENARIOS, "--out", cut, ...SMALL, "--resume"], again.io), 0, again.err());
    assert.match(again.err(), /resuming .* at round 0, epoch 2/);
    assert.deepEqual(fs.readFileSync(path.join(cut, "model.onnx")), fs.readFileSync(path.join(whole, "model.onnx")));

    // the same directory without --resume, or with other settings, is refused
    const no = capture();
    assert.equal(await runLearnCommand(["--scenario", SCENARIOS, "--out", whole, ...SMALL], no.io), 2);
    assert.match(no.err(), /already holds a learner run; pass --resume/);
    const other = capture();
    assert.equal(await runLearnCommand(["--scenario", SCENARIOS, "--out", whole, ...SMALL.map((x) => (x === "3" ? "4" : x)), "--resume"], other.io), 2);
    assert.match(other.err(), /other settings \(.*train: recorded .*"epochs":3.*asked .*"epochs":4/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("cotwin learn reads the oracle's data set; a data set of another format is refused naming the file", async () => {
  const root = tempDir();
  try {
    const data = path.join(root, "oracle");
    await buildDataset({ scenario: tinyScenario(), source: "tiny.yaml", seed: 7, intervals: 10, out: data, oracle: parseOracleSettings({ budgetMs: null, budgetEvals: 40, patience: 20 }), resume: false, progress: false });
    const scenarioFile = path.join(root, "tiny.json");
    fs.writeFileSync(scenarioFile, JSON.stringify(tinyScenario()));
    const c = capture();
    const args = ["--scenario", scenarioFile, "--dataset", data, "--dagger-rounds", "0", "--epochs", "2", "--width", "8", "--heads", "2", "--layers", "1", "--json"];
    assert.equal(await runLearnCommand([...args, "--out", path.join(root, "l1")], c.io), 0, c.err());
    const r = JSON.parse(c.out());
    // one episode of 10 decisions, cut in time: the last 2 validate
    assert.equal(r.rounds[0].states, 10);
    assert.equal(r.final.decisionMatch.states, 2);

    const manifest = path.join(data, "manifest.json");
    const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
    fs.writeFileSync(manifest, JSON.stringify({ ...m, format: "cotwin-oracle-dataset/0" }));
    const bad = capture();
    assert.equal(await runLearnCommand([...args, "--out", path.join(root, "l2")], bad.io), 2);
    assert.equal(bad.err().trim(), `cotwin learn: ${manifest}: data set format "cotwin-oracle-dataset/0", this learner reads "cotwin-oracle-dataset/2"`);
    const missing = capture();
    assert.equal(await runLearnCommand([...args.map((x) => (x === data ? path.join(root, "none") : x)), "--out", path.join(root, "l3")], missing.io), 2);
    assert.match(missing.err(), /data set .*none: no such directory/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("bad flags of cotwin learn are one-line errors naming the flag (exit code 2)", async () => {
  assert.deepEqual(parseSeeds("3..5"), [3, 4, 5]);
  assert.deepEqual(parseSeeds("1,4,9"), [1, 4, 9]);
  for (const [flag, value, msg] of [
    ["--seeds", "5..3", /--seeds 5\.\.3: the range ends before it starts/],
    ["--seeds", "x", /--seeds must be a range a\.\.b or a list/],
    ["--epochs", "0", /--epochs must be an integer >= 1, got 0/],
    ["--expert", "nonsense", /unknown policy "nonsense"/],
    ["--validation", "1", /--validation must be between 0 and 1/],
    ["--rollout-decode", "sample", /Argument: rollout-decode, Given: "sample", Choices: "argmax", "kind"/],
    ["--tie-rule", "both", /Argument: tie-rule, Given: "both", Choices: "one-sided", "two-sided"/],
  ] as const) {
    const r = await cli(["learn", "--scenario", FLEET_FILE, "--out", path.join(os.tmpdir(), "never-written"), flag, value]);
    assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
  const mixed = await cli(["learn", "--scenario", `${FLEET_FILE},scinet-testbed`, "--out", path.join(os.tmpdir(), "never-written")]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /scenarios learner-fleet and scinet-testbed have different applications \(classifier \/ resnet18, .*\); one model learns one catalogue/);
  const mlp = await cli(["learn", "--scenario", FLEET_FILE, "--out", path.join(os.tmpdir(), "never-written"), "--architecture", "mlp", "--decode", "chunk"]);
  assert.equal(mlp.code, 2, mlp.stderr);
  assert.match(mlp.stderr, /--decode chunk applies to --architecture attention only/);
  assert.ok(!fs.existsSync(path.join(os.tmpdir(), "never-written")));
});

test("--behaviour: a baseline drives the round-0 episodes and the expert labels the states it reaches", async () => {
  const { readStates } = await import("../../learner/data/states-file.ts");
  const { buildReadyTwin } = await import("../../workloads/ready-twin.ts");
  const { TwinStepper } = await import("../../oracle/replay.ts");
  const { createPolicy } = await import("../../simulator/policies/registry.ts");
  const { RandomStreams } = await import("../../simulator/engine/random.ts");
  const root = tempDir();
  try {
    const out = path.join(root, "l");
    const args = ["--scenario", FLEET_FILE, "--expert", "compressed+least-loaded", "--behaviour", "full+first-fit", "--seeds", "1", "--intervals", "5", "--dagger-rounds", "0", "--epochs", "1", "--width", "8", "--heads", "2", "--layers", "1", "--max-hosts", "8", "--max-requests", "6", "--json"];
    const c = capture();
    assert.equal(await runLearnCommand([...args, "--out", out], c.io), 0, c.err());
    const states = readStates(path.join(out, "data", "round0.jsonl"));
    // the same episode made independently: full+first-fit decides, compressed+least-loaded would have decided
    const ready = buildReadyTwin({ scenario: fleet(), source: FLEET_FILE, seed: 1, record: false });
    const ctx = { model: ready.model, seed: 1, streams: ready.streams, options: {} };
    const behaviour = createPolicy("full+first-fit", ctx);
    const expert = createPolicy("compressed+least-loaded", { model: ready.model, seed: 1, streams: new RandomStreams(1) });
    const stepper = new TwinStepper(ready.twin);
    // by default an episode drains as a run does: as many more states as the runner's drain of
    // the behaviour (one decision per interval)
    const { runTenant } = await import("../../src/runner.ts");
    const run = runTenant({ scenario: fleet(), source: FLEET_FILE, seed: 1, policy: "full+first-fit", intervals: 5, record: false });
    assert.ok(run.summary.drainIntervals > 0);
    assert.equal(states.length, 5 + run.summary.drainIntervals);
    let full = 0;
    for (const [k, s] of states.entries()) {
      if (k === 5) ready.twin.closeArrivals();
      const obs = stepper.observe();
      assert.equal(s.observation.time, obs.time, `step ${k}`);
      assert.deepEqual([...s.observation.hosts.placed], [...obs.hosts.placed], `step ${k}: the state is the one full+first-fit reached`);
      assert.deepEqual(s.observation.pending.map((p) => p.id), obs.pending.map((p) => p.id));
      assert.deepEqual(s.decision, expert.decide(obs), `step ${k}: the label is the expert's decision there`);
      for (const d of s.decision.deploy ?? []) assert.equal(d.variant, "compressed");
      const applied = behaviour.decide(obs);
      full += (applied.deploy ?? []).filter((d) => d.variant === "full").length;
      stepper.apply(applied);
    }
    assert.ok(full > 0, "the behaviour deployed the full variant: the trajectory is not the expert's");
    const recorded = JSON.parse(fs.readFileSync(path.join(out, "learn.json"), "utf8"));
    assert.equal(recorded.config.behaviour, "full+first-fit");
    assert.equal(recorded.config.drain, true);
    // a behaviour that is not a baseline, or with a data set, is refused
    for (const [extra, re] of [[["--behaviour", "oracle"], /--behaviour oracle: give a baseline/], [["--behaviour", "nosuch"], /unknown policy "nosuch"/]] as const) {
      const bad = capture();
      const argv = args.map((x, i) => (args[i - 1] === "--behaviour" ? extra[1] : x));
      assert.equal(await runLearnCommand([...argv, "--out", path.join(root, "bad")], bad.io), 2, bad.err());
      assert.match(bad.err(), re);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
