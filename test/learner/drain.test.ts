import assert from "node:assert/strict";
import { test } from "node:test";
import { expertFactory } from "../../learner/data/experts.ts";
import { runEpisode } from "../../learner/data/rollout.ts";
import { runTenant } from "../../src/runner.ts";
import { ensurePolicies } from "../../src/policies.ts";
import { fleet } from "../helpers/learner.ts";

const EXPERT = "compressed+least-loaded";
const INTERVALS = 10;

test("a training episode with drain labels the states of the run's drain, as many intervals as the runner drains", async () => {
  const scenario = fleet();
  const source = "learner-fleet.yaml";
  await ensurePolicies(EXPERT);
  // the runner, independently: the same policy, seed and intervals, then its drain
  const run = runTenant({ scenario, source, seed: 1, policy: EXPERT, intervals: INTERVALS, record: false });
  assert.ok(run.summary.drainIntervals > 0, "the test fleet is busy: requests are in flight at the end");

  const plain = await runEpisode({ scenario, source, seed: 1, intervals: INTERVALS, episode: "plain", expert: expertFactory(EXPERT) });
  // one decision per interval (decisions at interval starts)
  assert.equal(plain.states.length, INTERVALS);
  assert.equal(plain.drainIntervals, 0);

  const drained = await runEpisode({ scenario, source, seed: 1, intervals: INTERVALS, drain: true, episode: "drain", expert: expertFactory(EXPERT) });
  assert.equal(drained.drainIntervals, run.summary.drainIntervals);
  assert.equal(drained.states.length, INTERVALS + run.summary.drainIntervals);
  // the first states are the plain episode's; in the drain nothing arrives any more
  for (let i = 0; i < INTERVALS; i++) assert.deepEqual(drained.states[i].decision, plain.states[i].decision);
  for (const st of drained.states.slice(INTERVALS + 1)) {
    const ra = st.observation.recentArrivals;
    assert.equal(ra[ra.length - 1], 0, `step ${st.step}: an arrival during the drain`);
  }
  // the last drain state still had work in flight (the drain ends once none is left)
  const last = drained.states[drained.states.length - 1].observation;
  assert.ok(last.pending.length + last.runningRequests > 0);
});
