/**
 * The run plan: seed lists, one run per scenario x policy x seed, and keys that change exactly
 * when something that decides a run's outcome changes (config, policy file contents, options,
 * seed, version).
 */
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { canonicalJson, makePlan, parseSeeds } from "../../src/matrix/plan.ts";
import { repoRoot } from "../helpers/data.ts";

test("seed lists: ranges, lists and single seeds; errors name the flag and the part", () => {
  assert.deepEqual(parseSeeds("1..5"), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseSeeds("3"), [3]);
  assert.deepEqual(parseSeeds("1..3, 8,10..11"), [1, 2, 3, 8, 10, 11]);
  assert.throws(() => parseSeeds("5..1"), /--seeds: range "5..1" runs backwards/);
  assert.throws(() => parseSeeds("1,x"), /--seeds: "x" is not a seed/);
  assert.throws(() => parseSeeds("1..3,2"), /seed 2 is listed twice/);
  assert.throws(() => parseSeeds("-1"), /not a seed/);
});

test("canonical JSON does not depend on key order", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 3 } }), canonicalJson({ a: { c: 3, d: [1, { x: 1, y: 2 }] }, b: 1 }));
});

test("one run per scenario x policy x seed, each with its own key; the same plan gives the same keys", async () => {
  const o = { scenarios: ["scinet-testbed", path.join(repoRoot, "test/fixtures/tiny.yaml")], policies: ["first-fit", "least-loaded", "oracle"], seeds: [1, 2, 3, 4], intervals: 10 };
  const p = await makePlan(o);
  assert.equal(p.runs.length, 2 * 3 * 4);
  assert.equal(new Set(p.runs.map((r) => r.key)).size, 24);
  const q = await makePlan(o);
  assert.deepEqual(q.runs.map((r) => r.key), p.runs.map((r) => r.key));
  // the run length is part of the resolved config
  assert.equal((p.scenarios[0].config as { intervals: number }).intervals, 10);
});

test("keys change with the config, the version, the seed and policy options, and only the run concerned", async () => {
  const base = { scenarios: ["scinet-testbed"], policies: ["first-fit"], seeds: [1, 2] };
  const a = await makePlan({ ...base, intervals: 20 });
  const longer = await makePlan({ ...base, intervals: 21 });
  assert.notEqual(longer.scenarios[0].configHash, a.scenarios[0].configHash);
  assert.equal(longer.runs.filter((r) => a.runs.some((x) => x.key === r.key)).length, 0);
  const newer = await makePlan({ ...base, intervals: 20, version: "99.0.0" });
  assert.equal(newer.scenarios[0].configHash, a.scenarios[0].configHash, "the config is the same");
  assert.equal(newer.runs.filter((r) => a.runs.some((x) => x.key === r.key)).length, 0, "but no key is");
  const optioned = await makePlan({ ...base, intervals: 20, policyOptions: { budgetMs: 5 } });
  assert.equal(optioned.runs.filter((r) => a.runs.some((x) => x.key === r.key)).length, 0);
  // adding a seed keeps the keys of the seeds already planned
  const more = await makePlan({ ...base, intervals: 20, seeds: [1, 2, 3] });
  assert.deepEqual(more.runs.slice(0, 2).map((r) => r.key), a.runs.map((r) => r.key));
});

test("a scenario file's contents and a policy file's contents are part of the key", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-plan-"));
  const scenario = path.join(dir, "s.yaml");
  copyFileSync(path.join(repoRoot, "test/fixtures/tiny.yaml"), scenario);
  const policy = path.join(dir, "mine.ts");
  copyFileSync(path.join(repoRoot, "test/fixtures/policies/my-policy.ts"), policy);
  const plan = () => makePlan({ scenarios: [scenario], policies: [policy, "first-fit"], seeds: [1] });
  const a = await plan();
  appendFileSync(policy, "\n// a comment changes the file, so the key\n");
  const b = await plan();
  assert.notEqual(b.runs[0].key, a.runs[0].key, "edited policy file");
  assert.equal(b.runs[1].key, a.runs[1].key, "the baseline's run is untouched");
  writeFileSync(scenario, readFileSync(scenario, "utf8").replace("ratePerInterval: 1", "ratePerInterval: 2"));
  const c = await plan();
  assert.notEqual(c.runs[1].key, b.runs[1].key, "edited scenario");
});

test("unknown policies, variants a scenario lacks and duplicates fail before any run", async () => {
  await assert.rejects(makePlan({ scenarios: ["scinet-testbed"], policies: ["first-fit", "nope"], seeds: [1] }), /unknown policy "nope"/);
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-plan-"));
  const fullOnly = path.join(dir, "full-only.yaml");
  writeFileSync(fullOnly, readFileSync(path.join(repoRoot, "test/fixtures/tiny.yaml"), "utf8") + "applications:\n  variants: [full]\n");
  await assert.rejects(makePlan({ scenarios: [fullOnly], policies: ["compressed+first-fit"], seeds: [1] }), /does not offer/);
  await assert.rejects(makePlan({ scenarios: ["scinet-testbed"], policies: ["first-fit", "first-fit"], seeds: [1] }), /"first-fit" is listed twice/);
  await assert.rejects(makePlan({ scenarios: ["no-such-scenario.yaml"], policies: ["first-fit"], seeds: [1] }), /no-such-scenario/);
});
