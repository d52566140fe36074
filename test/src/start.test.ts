/**
 * The main job (`cotwin start`), run small: the learner trained and exported, the matrix of the
 * baselines, the oracle and that learner on unseen seeds, the report; its numbers are the ones a
 * plain `simulate` of the same run gives, and a second start reuses everything.
 */
import test from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "../../src/io.ts";
import { runStart, type StartSettings } from "../../src/commands/start.ts";
import { simulateOnce } from "../../src/commands/run.ts";
import { makePlan } from "../../src/matrix/plan.ts";
import { ensurePolicies } from "../../src/policies.ts";
import { OutputPathError } from "../../workloads/output/out-path.ts";
import { DEFAULT_MODEL_FILE, SHIPPED_MODEL_FILES } from "../../learner/model-file.ts";

const SMALL: StartSettings = {
  learn: { scenarios: ["scinet-testbed"], seeds: [1, 2], intervals: 3, daggerRounds: 0, epochs: 1, expert: "compressed+least-loaded" },
  evaluate: { scenarios: ["scinet-testbed"], seeds: [101, 102], intervals: 4, baselines: ["least-loaded", "target+compressed+least-loaded"], reference: "target+compressed+least-loaded" },
};

async function captured(f: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const { out, err } = io;
  io.out = (s) => void (stdout += s);
  io.err = (s) => void (stderr += s);
  try {
    return { code: await f(), stdout, stderr };
  } finally {
    io.out = out;
    io.err = err;
  }
}

test("the main job trains the learner, evaluates it with the baselines and the oracle on unseen seeds, and resumes", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-start-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, "start");
  const r = await captured(() => runStart({ out, json: true, command: ["start"], workers: 1, settings: SMALL }));
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // 1 scenario x (2 baselines + oracle + learner) x 2 seeds
  assert.equal(j.runs, 8);
  assert.equal(j.executed, 8);
  assert.equal(j.failures, 0);
  assert.equal(j.reference, "target+compressed+least-loaded");
  assert.equal(j.learner.model, path.join(out, "learner", "model.onnx"));
  assert.ok(existsSync(j.learner.model));
  assert.ok(existsSync(path.join(out, "matrix", "report.html")));
  assert.equal(j.report, path.join(out, "matrix", "report.html"));
  // the learner saw only training seeds 1 and 2 (two episodes of 3 intervals)
  assert.equal(j.learner.states, 6);

  // every objective is the mean of the same runs made by `simulate` (an independent path)
  await ensurePolicies("oracle", "learner");
  for (const policy of ["least-loaded", "target+compressed+least-loaded", "oracle", "learner"]) {
    const cell = j.objective.find((c: { policy: string }) => c.policy === policy);
    assert.ok(cell, policy);
    assert.equal(cell.n, 2);
    const values: number[] = [];
    for (const seed of SMALL.evaluate.seeds) {
      const rec = await simulateOnce({ scenario: "scinet-testbed", policy, seed, intervals: 4, policyOptions: policy === "learner" ? { model: j.learner.model } : undefined });
      values.push(rec.summary.objective);
    }
    assert.ok(Math.abs(cell.mean - (values[0] + values[1]) / 2) <= 1e-12 * Math.max(1, Math.abs(cell.mean)), `${policy}: ${cell.mean} vs ${values}`);
  }
  const recorded = JSON.parse(readFileSync(path.join(out, "start.json"), "utf8"));
  assert.equal(recorded.format, "cotwin-start/1");
  assert.equal(recorded.state, "done");
  assert.deepEqual(recorded.settings, SMALL);
  assert.equal(typeof recorded.version, "string");

  // a second start reuses the model and every run
  const again = await captured(() => runStart({ out, json: true, command: ["start"], workers: 1, settings: SMALL }));
  assert.equal(again.code, 0, again.stderr);
  const j2 = JSON.parse(again.stdout);
  assert.equal(j2.executed, 0);
  assert.equal(j2.reused, 8);
  assert.equal(j2.learner.resumed, true);
  assert.deepEqual(j2.objective, j.objective);
});

test("the main job refuses a non-empty directory it did not write, and changes nothing", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-start-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "notes.txt"), "mine\n");
  await assert.rejects(
    () => runStart({ out: dir, json: true, command: ["start"], settings: SMALL }),
    (e: unknown) => e instanceof OutputPathError && /is not empty and is not the output of cotwin start \(one with start\.json\)/.test((e as Error).message),
  );
  assert.equal(readFileSync(path.join(dir, "notes.txt"), "utf8"), "mine\n");
  assert.ok(!existsSync(path.join(dir, "start.json")));
});

test("a matrix keys learner runs by the model file's contents: another model is run again, the other policies are not", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-start-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = path.join(dir, "model.onnx");
  copyFileSync(DEFAULT_MODEL_FILE, model);
  const plan = (m: string) => makePlan({ scenarios: ["scinet-testbed"], policies: ["least-loaded", "learner"], seeds: [1], intervals: 2, policyOptions: { model: m } });
  const a = await plan(model);
  const same = await plan(model);
  assert.deepEqual(same.runs.map((r) => r.key), a.runs.map((r) => r.key));
  const bytes = readFileSync(model);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(model, bytes);
  const b = await plan(model);
  const key = (p: typeof a, policy: string) => p.runs.find((r) => r.policy === policy)!.key;
  assert.equal(key(b, "least-loaded"), key(a, "least-loaded"));
  assert.notEqual(key(b, "learner"), key(a, "learner"));
});

test("without --model a matrix keys each scenario's learner runs by the shipped model made for its fleet", async () => {
  const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  const p = await makePlan({ scenarios: ["scinet-testbed", "bitbrains-50-synthetic"], policies: ["learner"], seeds: [1], intervals: 2 });
  const hash = (scenario: string) => p.runs.find((r) => r.scenario === scenario)!.policyHash;
  assert.equal(hash("scinet-testbed"), sha(SHIPPED_MODEL_FILES[0]));
  assert.equal(hash("bitbrains-50-synthetic"), sha(SHIPPED_MODEL_FILES[1]));
});
