import assert from "node:assert/strict";
import { test } from "node:test";
import { hyperbandBrackets, proposeTpe, tune, type SearchSpace, type Trial } from "../../workloads/forecast/tune.ts";
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
