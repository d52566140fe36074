import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSpace, hyperbandBrackets, parseSpace, proposeTpe, sampleRandom, tune, type SearchSpace, type Trial } from "../../workloads/forecast/tune.ts";
import seedrandom from "seedrandom";

const space: SearchSpace = {
  x: { type: "float", min: -5, max: 5 },
  k: { type: "choice", values: ["a", "b", "c"] },
};
// minimum 0 at x = 1, k = "b"; more epochs lower the noise-free floor a little
const objective = async (c: Record<string, unknown>, budget: number) => (Number(c.x) - 1) ** 2 + (c.k === "b" ? 0 : 1) + 1 / budget;

test("Hyperband brackets for R = 9, eta = 3 (Li et al.): 9 configs at 1 epoch, 5 at 3, 3 at 9", () => {
  assert.deepEqual(hyperbandBrackets(9, 1, 3), [
    { s: 2, n: 9, r: 1 },
    { s: 1, n: 5, r: 3 },
    { s: 0, n: 3, r: 9 },
  ]);
});

test("random search is reproducible with its seed and uses the whole trial budget", async () => {
  const a = await tune({ space, objective, method: "random", maxTrials: 12, maxBudget: 3, seed: 7 });
  const b = await tune({ space, objective, method: "random", maxTrials: 12, maxBudget: 3, seed: 7 });
  assert.equal(a.trials.length, 12);
  assert.deepEqual(a.trials.map((t) => t.config), b.trials.map((t) => t.config));
  assert.equal(a.epochsUsed, 36);
});

test("Hyperband halves: each rung keeps the best third at three times the epochs", async () => {
  const r = await tune({ space, objective, method: "hyperband", maxTrials: 13, maxBudget: 9, seed: 1 });
  // bracket s=2: 9 trials at 1 epoch, then the best 3 at 3 epochs, then the best 1 at 9 epochs
  assert.deepEqual(r.trials.map((t) => t.budget), [1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9]);
  const rung0 = r.trials.slice(0, 9).sort((p, q) => p.score - q.score).slice(0, 3).map((t) => JSON.stringify(t.config));
  assert.deepEqual(r.trials.slice(9, 12).map((t) => JSON.stringify(t.config)).sort(), rung0.sort());
  assert.equal(r.best.budget, 9);
});

test("BOHB proposes from the good/bad density ratio once a budget has enough results", () => {
  const rng = seedrandom.alea("t");
  const trials: Trial[] = [];
  for (let i = 0; i < 12; i++) {
    const x = -5 + (10 * i) / 11;
    trials.push({ id: i + 1, config: { x, k: "b" }, budget: 3, score: (x - 1) ** 2, ms: 0, sampler: "random" });
  }
  const c = proposeTpe(space, trials, rng);
  assert.ok(c, "a proposal");
  // the good configurations sit near x = 1, so the proposal does too
  assert.ok(Math.abs(Number(c.x) - 1) < 2, `x = ${c.x}`);
  assert.equal(proposeTpe(space, trials.slice(0, 3), rng), null);
});

test("BOHB runs Hyperband with model-based proposals and finds a good configuration", async () => {
  const r = await tune({ space, objective, method: "bohb", maxTrials: 40, maxBudget: 9, seed: 3 });
  assert.equal(r.trials.length, 40);
  assert.ok(r.trials.some((t) => t.sampler === "model"), "some proposals come from the model");
  assert.ok(r.best.score < 1.5, `best ${r.best.score}`);
});

test("BOHB never proposes a configuration twice and does not pile values at the bounds", async () => {
  // the ConvFormer study's space: filters, heads, feed-forward size (choices) and dropout (float)
  const cf: SearchSpace = {
    filters: { type: "choice", values: [8, 16, 32] },
    heads: { type: "choice", values: [1, 2, 4] },
    ffUnits: { type: "choice", values: [16, 32, 64] },
    dropout: { type: "float", min: 0, max: 0.4 },
  };
  // best at the upper bound of dropout: a clamping sampler would return exactly 0.4 again and again
  const obj = async (c: Record<string, unknown>) => Math.abs(Number(c.dropout) - 0.4) + (c.filters === 32 ? 0 : 0.1);
  const r = await tune({ space: cf, objective: obj, method: "bohb", maxTrials: 60, maxBudget: 9, seed: 11 });
  const fresh = r.trials.filter((t) => t.rung === 0);
  const keys = fresh.map((t) => JSON.stringify(t.config));
  assert.equal(new Set(keys).size, keys.length, "a rung-0 configuration was proposed twice");
  const atBound = fresh.filter((t) => t.config.dropout === 0 || t.config.dropout === 0.4).length;
  assert.equal(atBound, 0, "dropout values sit exactly on a bound");
  // choices only: 27 configurations, and 20 new ones are asked for
  const choices: SearchSpace = { filters: cf.filters, heads: cf.heads, ffUnits: cf.ffUnits };
  const objC = async (x: Record<string, unknown>) => (x.filters === 32 ? 0 : 1) + (x.heads === 2 ? 0 : 0.5) + Number(x.ffUnits) / 100;
  const c = await tune({ space: choices, objective: objC, method: "bohb", maxTrials: 30, maxBudget: 9, seed: 5 });
  const proposed = c.trials.filter((t) => t.rung === 0).map((t) => JSON.stringify(t.config));
  assert.ok(proposed.length >= 20);
  assert.equal(new Set(proposed).size, proposed.length, "a choice configuration was proposed twice");
});

test("integer dimensions draw their bounds as often as inner values", async () => {
  const s: SearchSpace = { w: { type: "int", min: 1, max: 4 } };
  const counts = new Map<number, number>();
  const rng = seedrandom.alea("ints");
  for (let i = 0; i < 4000; i++) {
    const v = Number(sampleRandom(s, rng).w);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  // 4 equal bins: 1000 each, binomial sd about 27
  for (const v of [1, 2, 3, 4]) assert.ok(Math.abs((counts.get(v) ?? 0) - 1000) < 120, `value ${v}: ${counts.get(v)}`);
});

test("parseSpace refuses min > max, unknown types and a log scale from 0", () => {
  assert.throws(() => parseSpace({ l2: { type: "float", min: 5, max: 1 } }), /--space: "l2": min 5 is greater than max 1/);
  assert.throws(() => parseSpace({ l2: { type: "real", min: 0, max: 1 } }), /--space: "l2"/);
  assert.throws(() => parseSpace({ l2: { type: "float", min: 0, max: 1, log: true } }), /log scale needs min > 0/);
  assert.throws(() => checkSpace("ridge", { depth: { type: "int", min: 1, max: 3 } }), /--space: \{"depth":1\} is not a valid ridge setting/);
  assert.throws(() => checkSpace("ridge", { window: { type: "float", min: 1.5, max: 3 } }), /--space: .*window/);
});

test("a search whose every trial fails is an error, not a best score of Infinity", async () => {
  await assert.rejects(
    tune({ space, objective: async () => { throw new Error("boom"); }, method: "random", maxTrials: 3, maxBudget: 1 }),
    /every one of the 3 trials failed \(first: boom\)/,
  );
});
