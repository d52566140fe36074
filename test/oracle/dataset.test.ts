import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { validateTenantScenario } from "../../simulator/scenario.ts";
import { runOracleCommand } from "../../src/commands/oracle.ts";
import { buildDataset, configHash, decodeObservation, encodeObservation, readDatasetLines, staticObservation, type DatasetManifest } from "../../oracle/dataset.ts";
import { parseOracleSettings } from "../../oracle/settings.ts";
import { TINY_RAW, tinyPoint, tinyScenario } from "../../oracle/tiny.ts";
import { VERSION } from "../../simulator/version.ts";

const SETTINGS = parseOracleSettings({ budgetMs: null, budgetEvals: 80, patience: 40 });
const N = 12;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-oracle-"));
}

function build(out: string, extra: { stopAfter?: number; resume?: boolean } = {}) {
  return buildDataset({ scenario: tinyScenario(), source: "tiny.yaml", seed: 7, intervals: N, out, oracle: SETTINGS, resume: extra.resume ?? false, progress: false, stopAfter: extra.stopAfter });
}

function capture() {
  let out = "";
  let err = "";
  return { io: { out: (t: string) => (out += t), err: (t: string) => (err += t), interactive: false }, out: () => out, err: () => err };
}

test("an interrupted data set, resumed, is byte-identical to an uninterrupted one (also after a torn last line)", async () => {
  const root = tempDir();
  try {
    const whole = path.join(root, "whole");
    const r = await build(whole);
    assert.equal(r.intervalsDone, N);
    assert.equal(r.decisions, N); // one decision per interval: the scenario decides at interval starts
    const expected = fs.readFileSync(path.join(whole, "data.jsonl"));

    const cut = path.join(root, "cut");
    await build(cut, { stopAfter: 5 });
    assert.equal(readDatasetLines(cut).length, 5);
    const resumed = await build(cut, { resume: true });
    assert.equal(resumed.resumedFrom, 5);
    assert.ok(fs.readFileSync(path.join(cut, "data.jsonl")).equals(expected), "resumed data.jsonl differs");

    // A cut while the oracle follows a course (it serves an application with another variant than
    // the continuation's): the resume goes on from the recorded course.
    const lines = readDatasetLines(whole) as Array<{ course?: unknown }>;
    const onCourse = lines.findIndex((l) => l.course !== null && l.course !== undefined);
    assert.ok(onCourse >= 0 && onCourse < N - 1, "the tiny run should set a course (the test needs one)");
    const cut2 = path.join(root, "cut-on-course");
    await build(cut2, { stopAfter: onCourse + 1 });
    await build(cut2, { resume: true });
    assert.ok(fs.readFileSync(path.join(cut2, "data.jsonl")).equals(expected), "data.jsonl resumed on a course differs");

    // A crash in the middle of writing line 5: the torn line is dropped and decided again.
    const torn = path.join(root, "torn");
    await build(torn, { stopAfter: 4 });
    fs.appendFileSync(path.join(torn, "data.jsonl"), '{"step":4,"interval":4,"time":2');
    const again = await build(torn, { resume: true });
    assert.equal(again.resumedFrom, 4);
    assert.ok(fs.readFileSync(path.join(torn, "data.jsonl")).equals(expected), "data.jsonl after a torn line differs");

    const m = JSON.parse(fs.readFileSync(path.join(whole, "manifest.json"), "utf8")) as DatasetManifest;
    assert.equal(m.format, "cotwin-oracle-dataset/2");
    assert.equal(m.scenario.name, "tiny");
    assert.equal(m.scenario.configSha256, configHash(tinyScenario()));
    assert.equal(m.seed, 7);
    assert.equal(m.version, VERSION);
    assert.equal(m.reproducible, true);
    assert.equal(m.intervalsDone, N);
    assert.equal(m.oracle.budgetEvals, 80);
    assert.equal(m.static.hosts.count, 3);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("each line holds the observation, the decision and the scores; decisions were all accepted", async () => {
  const root = tempDir();
  try {
    await build(root);
    const lines = readDatasetLines(root);
    lines.forEach((l, i) => {
      assert.equal(l.step, i);
      assert.equal(l.interval, i);
      assert.equal(l.time, 5 * i);
      assert.equal(l.observation.hosts.state.length, 3);
      assert.ok(l.score.evaluations > 0 && l.score.evaluations <= 80 + 16);
      if (l.score.runnerUp !== null) assert.ok(l.score.runnerUp >= l.score.best!);
      // the alternatives: the decision taken first, then at most 4 others, distinct, best first
      if (l.alternatives.length > 0) {
        assert.deepEqual(l.alternatives[0].decision, l.decision);
        assert.ok(l.alternatives.length <= 5);
        const keys = l.alternatives.map((a) => JSON.stringify(a.decision));
        assert.equal(new Set(keys).size, keys.length, `step ${i}: an alternative is repeated`);
        const others = l.alternatives.slice(1).map((a) => a.score!);
        for (let k = 1; k < others.length; k++) assert.ok(others[k] >= others[k - 1], `step ${i}: alternatives not best first`);
        // the runner-up the search reports is the best other it scored
        if (others.length > 0 && l.score.runnerUp !== null) assert.ok(others[0] >= l.score.best! - 1e-12);
      } else assert.deepEqual(l.decision, {});
    });
    assert.ok(lines.filter((l) => l.alternatives.length > 1).length >= lines.length / 2, "most decision points record rivals");
    assert.ok(lines.some((l) => (l.decision.deploy ?? []).length > 0), "some requests were deployed");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("observations survive the JSON encoding: decode(encode(obs)) equals obs", () => {
  const { obs } = tinyPoint();
  const line = JSON.parse(JSON.stringify({ time: obs.time, interval: obs.interval, observation: encodeObservation(obs) }));
  const st = JSON.parse(JSON.stringify(staticObservation(obs)));
  assert.deepEqual(decodeObservation(line, st), { ...obs, hosts: { ...obs.hosts } });
});

test("cotwin oracle refuses to mix data: another scenario, an existing directory without --resume", async () => {
  const root = tempDir();
  try {
    const fileA = path.join(root, "tiny.yaml");
    const fileB = path.join(root, "tiny-two.yaml");
    fs.writeFileSync(fileA, YAML.stringify(TINY_RAW));
    fs.writeFileSync(fileB, YAML.stringify({ ...TINY_RAW, name: "tiny-two", intervalS: 10 }));
    const out = path.join(root, "data");
    const flags = ["--intervals", "3", "--seed", "2", "--budget-evals", "40", "--patience", "20", "--out", out];
    const first = capture();
    assert.equal(await runOracleCommand(["--scenario", fileA, ...flags], first.io), 0);
    assert.match(first.out(), /^data set .*: 3 intervals, 3 decisions; 3 decided in /);

    const again = capture();
    assert.equal(await runOracleCommand(["--scenario", fileA, ...flags], again.io), 2);
    assert.equal(again.err(), `cotwin oracle: ${out} already holds a data set; pass --resume to continue it, --force to start it over, or choose another --out\n`);

    const other = capture();
    assert.equal(await runOracleCommand(["--scenario", fileB, ...flags, "--resume"], other.io), 2);
    const hA = configHash(validateTenantScenario(YAML.parse(fs.readFileSync(fileA, "utf8")), fileA)).slice(0, 12);
    const hB = configHash(validateTenantScenario(YAML.parse(fs.readFileSync(fileB, "utf8")), fileB)).slice(0, 12);
    assert.equal(
      other.err(),
      `cotwin oracle: ${out} holds a data set of a different run (scenario: recorded "tiny" (config sha256 ${hA}), asked "tiny-two" (config sha256 ${hB})); resume with the same settings, or choose another --out\n`,
    );

    const seed = capture();
    assert.equal(await runOracleCommand(["--scenario", fileA, ...flags.slice(0, 2), "--seed", "3", ...flags.slice(4), "--horizon", "3", "--resume"], seed.io), 2);
    assert.equal(
      seed.err(),
      `cotwin oracle: ${out} holds a data set of a different run (seed: recorded 2, asked 3; oracle horizon: recorded null, asked 3); resume with the same settings, or choose another --out\n`,
    );

    // The same settings resume (nothing left to do at 3 intervals; 5 adds two).
    const more = capture();
    assert.equal(await runOracleCommand(["--scenario", fileA, ...flags.slice(0, 1), "5", ...flags.slice(2), "--resume"], more.io), 0);
    assert.match(more.out(), /: 5 intervals, 5 decisions \(3 replayed from the previous session\)/);

    const bad = capture();
    assert.equal(await runOracleCommand(["--scenario", fileA, "--out", path.join(root, "x"), "--horizon", "0"], bad.io), 2);
    assert.equal(bad.err(), "cotwin oracle: --horizon: Too small: expected number to be >0\n");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
