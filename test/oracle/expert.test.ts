import assert from "node:assert/strict";
import { test } from "node:test";
import { createOracle, OracleExpert } from "../../oracle/policy.ts";
import { fingerprint, TwinStepper } from "../../oracle/replay.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";
import { createPolicy } from "../../simulator/policies/registry.ts";
import { ComposedPolicy } from "../../simulator/policies/compose.ts";
import { WorkTracker } from "../../simulator/policies/work-tracker.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";

const FAST = { budgetMs: null, budgetEvals: 30, patience: 15, validationForks: 4 };

/** A scinet-load-35 twin driven 6 intervals by a baseline (a state the oracle did not reach itself). */
function stateOfABaseline() {
  const { scenario, source } = loadTenantScenario("scinet-load-35");
  const ready = buildReadyTwin({ scenario, source, seed: 7, record: false });
  const ctx = { model: ready.model, seed: 7, streams: new RandomStreams(7), options: { scenario, source } };
  const behaviour = createPolicy("threshold+full+first-fit", ctx);
  const stepper = new TwinStepper(ready.twin);
  const make = () => new OracleExpert(() => createOracle(ctx, () => ready.twin, FAST));
  return { ready, stepper, behaviour, make };
}

test("the oracle labels a baseline's states: feasible decision first, then the best alternatives by score; the twin is untouched", () => {
  const { ready, stepper, behaviour, make } = stateOfABaseline();
  const expert = make();
  let withRivals = 0;
  for (let k = 0; k < 6; k++) {
    const obs = stepper.observe();
    const before = fingerprint(ready.twin);
    const l = expert.label(ready.twin, obs, "ep", k);
    assert.deepEqual(fingerprint(ready.twin), before, "labelling changed the twin");
    assert.equal(l.episode, "ep");
    assert.equal(l.step, k);
    assert.deepEqual(ready.twin.fork().apply(l.decision), [], "the label is a decision the twin accepts");
    if (obs.pending.length > 0) {
      // distinct decisions only: where every candidate scored comes to the same decision (the
      // hosts are off, so every request can only wait) that decision is the one alternative
      assert.ok(l.alternatives.length >= 1, "the decision with its score");
      const keys = l.alternatives.map((a) => JSON.stringify(a.decision));
      assert.equal(new Set(keys).size, keys.length, "an alternative repeats another");
      if (l.alternatives.length >= 2) withRivals++;
      assert.deepEqual(l.alternatives[0].decision, l.decision);
      const rest = l.alternatives.slice(1).map((a) => a.score);
      for (let i = 1; i < rest.length; i++) assert.ok(rest[i] >= rest[i - 1], "alternatives best first");
      for (const a of l.alternatives) assert.ok(Number.isFinite(a.score) && a.score >= 0);
    }
    stepper.apply(behaviour.decide(obs)); // the baseline drives, the oracle only labels
  }
  assert.ok(withRivals >= 1, `states with scored rivals: ${withRivals}`);
});

test("the same states get the same labels (the samples are named by episode and step)", () => {
  const a = stateOfABaseline();
  const b = stateOfABaseline();
  const ea = a.make();
  const eb = b.make();
  for (let k = 0; k < 3; k++) {
    const la = ea.label(a.ready.twin, a.stepper.observe(), "ep", k);
    const lb = eb.label(b.ready.twin, b.stepper.observe(), "ep", k);
    assert.deepEqual(lb.decision, la.decision);
    assert.deepEqual(lb.alternatives, la.alternatives);
    a.stepper.apply(a.behaviour.decide(a.ready.twin.observe()));
    b.stepper.apply(b.behaviour.decide(b.ready.twin.observe()));
  }
});

test("an oracle that only labels keeps its account of the hosts' work by the decisions applied, not by its own", () => {
  const { ready, stepper, behaviour, make } = stateOfABaseline();
  const expert = make();
  // the baseline places full models with first-fit; the account must hold exactly their work
  const account = new WorkTracker();
  for (let k = 0; k < 6; k++) {
    const obs = stepper.observe();
    account.observe(obs);
    expert.label(ready.twin, obs, "ep", k);
    const d = behaviour.decide(obs);
    expert.applied(obs, d, "ep");
    account.redo(obs, d);
    stepper.apply(d);
  }
  const oracle = (expert as unknown as { byEpisode: Map<string, { lookAhead: { continuation: ComposedPolicy } }> }).byEpisode.get("ep")!;
  const kept = oracle.lookAhead.continuation.tracker.remainingMI;
  assert.ok(account.remainingMI.some((w) => w > 0), "the baseline left work on the hosts");
  assert.deepEqual(Array.from(kept), Array.from(account.remainingMI));
});
