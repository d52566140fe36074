import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { buildOnnxModel, readOnnxInitializers } from "../../learner/onnx/model-proto.ts";
import { exportOnnx } from "../../learner/model/onnx-export.ts";
import { DEFAULT_MODEL_FILE, LearnerModelError, loadLearnerModel, METADATA_KEY, MODEL_FORMAT, modelMismatch, SHIPPED_MODEL_FILES, shippedModelFor, tokenInputs, type LearnerModelInfo } from "../../learner/model-file.ts";
import { learnerFromModel, scenarioPrior } from "../../learner/policy.ts";
import { prepareTenantRun } from "../../src/runner.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import { FEATURE_LAYOUT, PASS_LAYOUT } from "../../learner/encoding/layout.ts";
import { countParams, paramSpecs, type Architecture } from "../../learner/model/architecture.ts";
import { buildTwinModel, loadTenantScenario } from "../../simulator/scenarios.ts";
import { cli } from "../helpers/cli.ts";
import { FLEET_FILE, randomWeights, SMALL_SIZES, TINY_ATTENTION } from "../helpers/learner.ts";

function modelFile(dir: string, info: Partial<LearnerModelInfo> = {}, graphSizes = SMALL_SIZES, arch: Architecture = TINY_ATTENTION): string {
  const full: LearnerModelInfo = {
    format: MODEL_FORMAT,
    featureLayout: FEATURE_LAYOUT,
    sizes: SMALL_SIZES,
    apps: ["classifier"],
    architecture: arch,
    parameters: countParams(paramSpecs(arch, SMALL_SIZES)),
    training: { seed: 1 },
    ...info,
  };
  const file = path.join(dir, `m${fs.readdirSync(dir).length}.onnx`);
  fs.writeFileSync(file, exportOnnx(arch, graphSizes, randomWeights(arch, graphSizes), { [METADATA_KEY]: JSON.stringify(full) }));
  return file;
}

test("a model file that is missing, corrupt, not cotwin's or of another layout is a clear error naming the file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-model-"));
  try {
    const expect = (file: string, msg: RegExp) =>
      assert.throws(
        () => loadLearnerModel(file),
        (e: Error) => e instanceof LearnerModelError && e.message.startsWith(`learner model ${file}: `) && msg.test(e.message) && !e.message.includes("\n"),
      );
    expect(path.join(dir, "none.onnx"), /no such file$/);
    const corrupt = path.join(dir, "corrupt.onnx");
    fs.writeFileSync(corrupt, "this is not protobuf at all");
    expect(corrupt, /not an ONNX model/);
    const foreign = path.join(dir, "foreign.onnx");
    fs.writeFileSync(
      foreign,
      buildOnnxModel({ name: "id", inputs: [{ name: "x", dims: [1] }], outputs: [{ name: "y", dims: [1] }], initializers: [], nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }] }),
    );
    expect(foreign, /without cotwin's "cotwin.learner" metadata/);
    expect(modelFile(dir, { featureLayout: "cotwin-learner-features/0" }), /feature layout "cotwin-learner-features\/0", this version encodes/);
    expect(modelFile(dir, { format: "cotwin-learner-model/9" }), /format "cotwin-learner-model\/9"/);
    // metadata that claims 2 applications on a graph built for 4: the request embedding's weights tell
    expect(modelFile(dir, {}, { ...SMALL_SIZES, apps: 4 }), /its weights do not match its metadata's architecture and sizes \(weight embed\.request\.w has \d+ values, expected \d+\)$/);
    // the MLP sees hosts by position: 8 host tokens claimed on a graph built for 12
    const mlp: Architecture = { kind: "mlp", hidden: [8] };
    expect(modelFile(dir, { featureLayout: PASS_LAYOUT }, { ...SMALL_SIZES, hosts: 12 }, mlp), /its weights do not match .*weight mlp\.h0\.w has/);
    // layout 5 is decoded by chunk: metadata that pairs it with a pass-decoded network (or the reverse) is refused
    expect(modelFile(dir, {}, SMALL_SIZES, mlp), /feature layout "cotwin-learner-features\/5" with a pass-decoded architecture \(layout 5 and decode "chunk" go together\)$/);
    expect(modelFile(dir, { featureLayout: PASS_LAYOUT }), /feature layout "cotwin-learner-features\/4" with a chunk-decoded architecture/);
    // an attention graph takes any number of tokens up to its sizes: claiming fewer host tokens is harmless
    const fewer = loadLearnerModel(modelFile(dir, {}, { ...SMALL_SIZES, hosts: 12 }));
    assert.equal(fewer.info.sizes.hosts, 8);
    fewer.session.dispose();
    const ok = loadLearnerModel(modelFile(dir));
    assert.deepEqual(ok.info.sizes, SMALL_SIZES);
    ok.session.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a model made for other sizes or applications is refused for the scenario, and simulate says so in one line", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-model-"));
  try {
    const file = modelFile(dir);
    const info = loadLearnerModel(file).info;
    const fleet = loadTenantScenario(FLEET_FILE);
    assert.equal(modelMismatch(info, buildTwinModel(fleet.scenario, fleet.source)), null);
    const scinet = loadTenantScenario("scinet-testbed");
    assert.equal(modelMismatch(info, buildTwinModel(scinet.scenario, scinet.source)), '16 hosts (the model takes at most 8), 7 applications (the model takes at most 2), variants of 4 fragments (the model takes at most 2), application 0 "resnet18" where the model was trained on "classifier"');
    const r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", "learner", "--model", file, "--intervals", "3"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `cotwin: learner model ${file} is made for other sizes: scenario scinet-testbed has 16 hosts (the model takes at most 8), 7 applications (the model takes at most 2), variants of 4 fragments (the model takes at most 2), application 0 "resnet18" where the model was trained on "classifier"\n`);
    const missing = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", "learner", "--model", path.join(dir, "gone.onnx")]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `cotwin: learner model ${path.join(dir, "gone.onnx")}: no such file\n`);
    const wrong = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", "least-loaded", "--model", file]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--model is for --policy learner/);
    // on its own fleet the model runs (random weights: any decision, never a rejected one)
    const run = await cli(["simulate", "--scenario", FLEET_FILE, "--policy", "learner", "--model", file, "--intervals", "5", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    // requests may wait too long (counted with the rejections), but no decision is rejected
    assert.deepEqual(Object.keys(JSON.parse(run.stdout).decisionRejections).filter((k) => k !== "waited too long"), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `simulate --policy learner` without --model completes requests and no decision of it is rejected. */
async function learnerServes(scenario: string, intervals: number): Promise<void> {
  const r = await cli(["simulate", "--scenario", scenario, "--policy", "learner", "--intervals", String(intervals), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.policy, "learner");
  assert.deepEqual(Object.keys(s.decisionRejections).filter((k) => k !== "waited too long"), []);
  assert.ok(s.requests.completed > 0);
}

test("the shipped default model serves scinet-testbed: --policy learner works out of the box", async () => {
  const m = loadLearnerModel(DEFAULT_MODEL_FILE);
  assert.ok(fs.statSync(DEFAULT_MODEL_FILE).size < 1024 * 1024, "small: under 1 MB");
  const scinet = loadTenantScenario("scinet-testbed");
  assert.equal(modelMismatch(m.info, buildTwinModel(scinet.scenario, scinet.source)), null);
  assert.ok((m.info.training.scenarios as string[]).includes("scinet-testbed"));
  m.session.dispose();
  await learnerServes("scinet-testbed", 20);
});

test("each shipped model serves its own fleet and no other; without --model the learner reads the one made for the scenario, and a fleet none serves is a clear error", async () => {
  const [scinetFile, bitbrainsFile] = SHIPPED_MODEL_FILES;
  assert.equal(scinetFile, DEFAULT_MODEL_FILE);
  for (const file of SHIPPED_MODEL_FILES) assert.ok(fs.statSync(file).size < 1024 * 1024, `${file}: small, under 1 MB`);
  const twin = (name: string) => {
    const s = loadTenantScenario(name);
    return buildTwinModel(s.scenario, s.source);
  };
  for (const name of ["scinet-testbed", "scinet-load-35", "scinet-load-90"]) assert.equal(shippedModelFor(twin(name)), scinetFile, name);
  assert.equal(shippedModelFor(twin("bitbrains-50-synthetic")), bitbrainsFile);
  // 50 hosts exceed the scinet model's 32 host tokens; the scinet catalogue is not the one the Bitbrains model saw
  const bitbrainsInfo = loadLearnerModel(bitbrainsFile);
  assert.ok((bitbrainsInfo.info.training.scenarios as string[]).includes("bitbrains-50-synthetic"));
  assert.match(modelMismatch(bitbrainsInfo.info, twin("scinet-testbed")) ?? "", /^application 0 "resnet18" where the model was trained on/);
  bitbrainsInfo.session.dispose();
  const scinetInfo = loadLearnerModel(scinetFile);
  assert.match(modelMismatch(scinetInfo.info, twin("bitbrains-50-synthetic")) ?? "", /^50 hosts \(the model takes at most 32\)/);
  scinetInfo.session.dispose();
  // the small test fleet's catalogue ("classifier") is neither model's
  assert.equal(shippedModelFor(twin(FLEET_FILE)), null);
  const none = await cli(["simulate", "--scenario", FLEET_FILE, "--policy", "learner", "--intervals", "3"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^cotwin: learner: no shipped model serves scenario .+ \(shipped: scinet-default\.onnx \(trained on scinet-testbed, scinet-load-35, scinet-load-70, scinet-load-90\); bitbrains-50-default\.onnx \(trained on bitbrains-50-synthetic\)\); train one for it with `cotwin learn --scenario <name\\|file> --out <dir>` and pass --model <dir>\/model\.onnx\n$/);
  await learnerServes("bitbrains-50-synthetic", 4);
});

test("the shipped model served on its real tokens only decides exactly as on the padded passes, over whole episodes", async () => {
  const m = loadLearnerModel(DEFAULT_MODEL_FILE);
  assert.ok(tokenInputs(m.session), "the shipped model's graph takes any number of tokens");
  const { scenario, source } = loadTenantScenario("scinet-load-70");
  const prior = scenarioPrior(scenario);
  let decisions = 0;
  let passes = 0;
  for (const seed of [101, 102]) {
    const run = prepareTenantRun({ scenario, source, seed, policy: "first-fit", record: false });
    const trimmed = learnerFromModel(m, prior, true);
    const padded = learnerFromModel(m, prior, false);
    const stepper = new TwinStepper(run.twin);
    for (let k = 0; k < 25; k++) {
      const obs = stepper.observe();
      const d = trimmed.decide(obs);
      assert.deepEqual(padded.decide(obs), d, `seed ${seed}, interval ${k}`);
      decisions++;
      passes += trimmed.lastPasses;
      stepper.apply(d);
    }
  }
  assert.equal(decisions, 50);
  assert.ok(passes > decisions, `${passes} model runs`);
  m.session.dispose();
});

test("cotwin learn --reexport writes a model's weights and metadata unchanged in this version's graph, and names a bad file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-reexport-"));
  try {
    const out = path.join(dir, "m");
    const r = await cli(["learn", "--reexport", DEFAULT_MODEL_FILE, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /model .*model\.onnx: the weights and metadata of .*scinet-default\.onnx \(28425 parameters/);
    const before = readOnnxInitializers(fs.readFileSync(DEFAULT_MODEL_FILE));
    const after = readOnnxInitializers(fs.readFileSync(path.join(out, "model.onnx")));
    const a = loadLearnerModel(DEFAULT_MODEL_FILE).info;
    const b = loadLearnerModel(path.join(out, "model.onnx")).info;
    for (const s of paramSpecs(a.architecture, a.sizes)) assert.deepEqual(after.get(s.name), before.get(s.name), s.name);
    const { reexports, ...training } = b.training;
    assert.equal((reexports as unknown[]).length, ((a.training.reexports as unknown[] | undefined)?.length ?? 0) + 1);
    const { reexports: _, ...trainingBefore } = a.training;
    assert.deepEqual(training, trainingBefore);
    assert.deepEqual({ ...b, training: null }, { ...a, training: null });
    const bad = path.join(dir, "bad.onnx");
    fs.writeFileSync(bad, "not a model");
    const e = await cli(["learn", "--reexport", bad, "--out", path.join(dir, "n")]);
    assert.equal(e.code, 2);
    assert.ok(e.stderr.startsWith(`cotwin learn: learner model ${bad}: not an ONNX model (`), e.stderr);
    assert.equal(e.stderr.trimEnd().split("\n").length, 1);
    const none = await cli(["learn", "--reexport", path.join(dir, "none.onnx"), "--out", path.join(dir, "n")]);
    assert.deepEqual([none.code, none.stderr], [2, `cotwin learn: learner model ${path.join(dir, "none.onnx")}: no such file\n`]);
    // without --reexport, --scenario is still required
    const bare = await cli(["learn", "--out", path.join(dir, "n")]);
    assert.deepEqual([bare.code, bare.stderr], [2, "cotwin learn: Missing required argument: scenario\n"]);
    assert.ok(!fs.existsSync(path.join(dir, "n")), "nothing written on bad input");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
