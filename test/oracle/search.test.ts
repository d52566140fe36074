import assert from "node:assert/strict";
import { test } from "node:test";
import { SearchSpace } from "../../oracle/candidate.ts";
import { enumerate, exhaustive, spaceSizeBound } from "../../oracle/search/exhaustive.ts";
import { runSearch } from "../../oracle/search/index.ts";
import { tinyContext, tinyPoint, tinyPointAt } from "../../oracle/tiny.ts";

test("exhaustive enumeration: 28 decisions for one two-variant request on 2 on hosts + 1 off host (counted by hand)", () => {
  const p = tinyPoint();
  // Keep only request 1 (app b: compressed 700 MB x1, semantic 1,900 MB x2; hosts have 4,096 MB).
  const obs = { ...p.obs, pending: [p.obs.pending[1]] };
  const space = new SearchSpace(obs, p.model);
  // Hosts 0 and 1 on: defer + compressed on 2 hosts + semantic on 2 x 2 host pairs = 7;
  // one of them on (2 ways): 1 + 1 + 1 = 3 each; none on: 1. Total 14, times host 2's bit = 28.
  const keys = new Set<string>();
  enumerate(space, (c) => {
    assert.equal(space.check(c), null);
    keys.add(space.key(c));
  });
  assert.equal(keys.size, 28);
  assert.ok(spaceSizeBound(space) >= 28);
});

test("RAM is respected in enumeration: two semantic splits (4 x 1,900 MB) never share a 4,096 MB host pair beyond capacity", () => {
  const p = tinyPoint();
  const obs = { ...p.obs, pending: [p.obs.pending[1], p.obs.pending[2]] };
  const space = new SearchSpace(obs, p.model);
  let both = 0;
  enumerate(space, (c) => {
    if (c.variant[0] === 1 && c.variant[1] === 1) both++;
  });
  // Each host holds at most two 1,900 MB fragments, so the 4 fragments must be 2 + 2 on hosts 0
  // and 1: choose which 2 of the 4 fragment slots go to host 0: C(4,2) = 6 (host 2 bit: x2).
  assert.equal(both, 12);
});

test("annealer and GA reach the exhaustive optimum (within 1 %) at several decision points, 12 seeds each", () => {
  for (const k of [1, 2, 4]) {
    const p = tinyPointAt(k);
    const ex = tinyContext(p, "exhaustive", { evals: Infinity });
    runSearch("exhaustive", ex);
    const exact = ex.best!.score;
    for (const method of ["anneal", "ga"] as const) {
      let hits = 0;
      for (let s = 0; s < 12; s++) {
        const c = tinyContext(p, `${method}/${s}`, { evals: 150 });
        runSearch(method, c);
        const gap = (c.best!.score - exact) / Math.abs(exact);
        assert.ok(gap >= -1e-12, `${method} beat exhaustive search at point ${k}: ${c.best!.score} < ${exact}`);
        assert.ok(gap <= 0.01, `${method}, point ${k}, seed ${s}: ${c.best!.score} is ${(100 * gap).toFixed(2)} % above the optimum ${exact}`);
        if (gap <= 1e-12) hits++;
      }
      assert.ok(hits >= 6, `${method} found the exact optimum at point ${k} in only ${hits} of 12 seeds`);
    }
  }
});

test("same seed, same search: best candidate and evaluation count repeat exactly", () => {
  const p = tinyPoint();
  for (const method of ["anneal", "ga", "greedy"] as const) {
    const a = tinyContext(p, "same", { evals: 120 });
    const b = tinyContext(p, "same", { evals: 120 });
    runSearch(method, a);
    runSearch(method, b);
    assert.equal(a.best!.key, b.best!.key);
    assert.equal(a.best!.score, b.best!.score);
    assert.equal(a.evaluations, b.evaluations);
  }
});

test("budgets: evaluations are capped, and the runner-up is a different decision no better than the best", () => {
  const p = tinyPoint();
  const c = tinyContext(p, "budget", { evals: 40 });
  runSearch("anneal", c);
  assert.ok(c.evaluations <= 40 + 8, `${c.evaluations} evaluations for a budget of 40`);
  assert.notEqual(c.runnerUp!.key, c.best!.key);
  assert.ok(c.runnerUp!.score >= c.best!.score);
  const t = tinyContext(p, "patience", { evals: 10_000, patience: 25 });
  runSearch("anneal", t);
  assert.ok(t.evaluations < 10_000, "patience stops a search that no longer improves");
});

test("exhaustive search refuses a space above its limit, naming the size", () => {
  const p = tinyPoint();
  // 3 switchable hosts: 2^3; 4 requests, each pending or one of 2 single-fragment placements or
  // 2 x 2 two-fragment ones on the 2 hosts that are on: 7^4. Bound 8 x 2,401 = 19,208.
  const ctx = tinyContext(p, "x", { evals: 1 });
  assert.equal(spaceSizeBound(ctx.space), 19_208);
  assert.throws(() => exhaustive(ctx, 10_000), {
    message: "exhaustive search: up to 19208 candidates (3 switchable hosts, 4 pending requests), above the limit of 10000; use method anneal or ga",
  });
});
