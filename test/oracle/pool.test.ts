import assert from "node:assert/strict";
import { test } from "node:test";
import { RandomStream } from "../../simulator/engine/random.ts";
import type { Decision } from "../../simulator/types.ts";
import { SearchSpace } from "../../oracle/candidate.ts";
import { defaultContinuation } from "../../oracle/continuation.ts";
import { TwinPool } from "../../oracle/pool.ts";
import { ensurePolicies } from "../../src/policies.ts";
await ensurePolicies("oracle");
import { TwinStepper } from "../../oracle/replay.ts";
import { DEFAULT_LOOKAHEAD, LookAhead } from "../../oracle/score.ts";

import { prepareTenantRun } from "../../src/runner.ts";
import { loadTenantScenario, scenarioObjective } from "../../simulator/scenarios.ts";

const { scenario, source } = loadTenantScenario("scinet-testbed");

function randomDecisions(space: SearchSpace, n: number): Decision[] {
  const rng = new RandomStream("pool-test");
  return Array.from({ length: n }, () => {
    const c = space.empty();
    for (let r = 0; r < space.requests.length; r++) space.place(c, r, rng.int(0, space.requests[r].options.length - 1), rng);
    for (let k = 0; k < 3; k++) space.mutate(c, rng);
    return space.toDecision(c);
  });
}

test("a worker replays the decision log and scores exactly as this thread does, batch after batch", () => {
  const run = prepareTenantRun({ scenario, source, policy: "threshold+least-loaded", seed: 4, record: false });
  const stepper = new TwinStepper(run.twin);
  const history: Decision[] = [];
  const lookAhead = new LookAhead(run.model, scenarioObjective(scenario, "test"), defaultContinuation(run.model), DEFAULT_LOOKAHEAD);
  const pool = new TwinPool({ scenario, source, seed: 4, workers: 1, lookAhead: DEFAULT_LOOKAHEAD, continuation: "default" });
  // the continuation keeps state: like the oracle, show it each decision point's observation once
  let observedAt = -1;
  const see = (obs: ReturnType<typeof stepper.observe>) => {
    if (observedAt === history.length) return;
    observedAt = history.length;
    lookAhead.observe(obs);
  };
  try {
    for (const advance of [10, 3, 0, 7]) {
      for (let k = 0; k < advance; k++) {
        const o = stepper.observe();
        see(o);
        const d = run.policy.decide(o);
        history.push(d);
        stepper.apply(d);
      }
      const obs = stepper.observe();
      see(obs);
      const ds = randomDecisions(new SearchSpace(obs, run.model), 12);
      const salt = `4:${history.length}`;
      const local = ds.map((d) => lookAhead.scoreForks(run.twin, d, salt));
      const pooled = Array.from(pool.evaluator(run.twin, history, salt, lookAhead).evaluate(ds.map((decision) => ({ decision }))));
      assert.deepEqual(pooled, local);
    }
    // A log that does not lead to the live twin is refused, not scored.
    const wrong = new TwinPool({ scenario, source, seed: 4, workers: 1, lookAhead: DEFAULT_LOOKAHEAD, continuation: "default" });
    try {
      const ds = randomDecisions(new SearchSpace(run.twin.observe(), run.model), 4);
      assert.throws(() => wrong.evaluator(run.twin, history.slice(0, -1), "x", lookAhead).evaluate(ds.map((decision) => ({ decision }))), /^Error: oracle worker 0: replayed twin differs from the live twin at decision 19: /);
    } finally {
      wrong.close();
    }
  } finally {
    pool.close();
  }
});

test("the oracle decides the same with a worker thread as without (same batch, evaluation budget)", () => {
  const decide = (workers: number): Decision[] => {
    const run = prepareTenantRun({ scenario, source, policy: "oracle", seed: 6, record: false, policyOptions: { workers, batch: 6, budgetMs: null, budgetEvals: 90, patience: 0 } });
    const stepper = new TwinStepper(run.twin);
    const out: Decision[] = [];
    try {
      for (let k = 0; k < 6; k++) {
        const d = run.policy.decide(stepper.observe());
        out.push(d);
        assert.deepEqual(stepper.apply(d).rejections, []);
      }
    } finally {
      (run.policy as { close?: () => void }).close?.();
    }
    return out;
  };
  assert.deepEqual(decide(1), decide(0));
});
