import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend } from "../../workloads/forecast/backend.ts";
import type { LabelledState } from "../../oracle/labels.ts";
import { sameDecision } from "../../learner/decode/compare.ts";
import { buildExamples, byEpisode, subset } from "../../learner/train/examples.ts";
import { DEFAULT_TRAIN, freshState, Trainer } from "../../learner/train/trainer.ts";
import { ComposedPolicy } from "../../simulator/policies/compose.ts";
import { FixedVariant } from "../../simulator/policies/fixed-variant.ts";
import type { PlacementPart, PlacementState } from "../../simulator/policies/parts.ts";
import { registerPolicy } from "../../simulator/policies/registry.ts";
import { StaticProvisioning } from "../../simulator/policies/static-provisioning.ts";
import { expertEpisodes, fleet, policyOn, randomWeights, SMALL_SIZES, TINY_ATTENTION, TINY_PASS_ATTENTION } from "../helpers/learner.ts";
import type { Architecture } from "../../learner/model/architecture.ts";

/**
 * The expert: compressed variants on least-loaded placement, its ties in load broken by the work
 * the hosts hold (the policy's own account, which host tokens carry) instead of CPU credits and
 * host number. Host tokens have no number, so a rule that breaks ties by number is a function of
 * the tokens only while the tied hosts look alike; with the work account in the tokens, tied
 * hosts rarely do, and plain least-loaded could not be reproduced exactly by any order-free model.
 */
class LeastLoadedByWork implements PlacementPart {
  readonly name = "least-loaded-by-work";
  pick(s: PlacementState, ramMB: number): number {
    const x = s.obs.hosts;
    for (let pass = 0; pass < 2; pass++) {
      let best = -1;
      let bestLoad = Infinity;
      let bestWork = Infinity;
      for (let h = 0; h < x.count; h++) {
        if (s.usable[h] !== 1 || s.ramFree[h] < ramMB) continue;
        if (pass === 0 && s.placed[h] >= x.vcpus[h]) continue;
        const load = s.placed[h] / x.vcpus[h];
        const work = s.remainingMI![h] / (x.vcpus[h] * x.mipsPerVcpu[h]);
        if (best < 0 || load < bestLoad || (load === bestLoad && work < bestWork)) {
          best = h;
          bestLoad = load;
          bestWork = work;
        }
      }
      if (best >= 0) return best;
    }
    return -1;
  }
  clone(): LeastLoadedByWork {
    return this;
  }
}
const EXPERT = "test:compressed+least-loaded-by-work";
registerPolicy(EXPERT, "compressed, least-loaded with ties by outstanding work", () => new ComposedPolicy(new StaticProvisioning(), new FixedVariant("compressed"), new LeastLoadedByWork()));

/** Decisions of a policy on `weights` equal to the expert's, decoding each episode in step order. */
function matches(weights: ReturnType<typeof randomWeights>, states: LabelledState[], arch: Architecture = TINY_PASS_ATTENTION): { equal: number; total: number } {
  const p = policyOn(arch, SMALL_SIZES, weights);
  let equal = 0;
  try {
    for (const idx of byEpisode(states).values()) {
      // each state read with the prior it was labelled with, as in training
      let prior: number[] | null = null;
      const pol = p.policy(() => prior);
      for (const i of idx) {
        prior = states[i].prior ?? null;
        if (sameDecision(pol.decide(states[i].observation), states[i].decision)) equal++;
      }
    }
  } finally {
    p.session.dispose();
  }
  return { equal, total: states.length };
}

test("a learner trained on least-loaded placement (ties by outstanding work) with a fixed variant reproduces it exactly on held-out states and on other fleet sizes (decoded pass by pass)", async () => {
  await initBackend();
  const states = await expertEpisodes(fleet(), EXPERT, [1, 2, 3, 4, 5], 16);
  const { set, stats } = buildExamples(states, SMALL_SIZES);
  assert.deepEqual(stats.dropped, { provision: 0, variant: 0, host: 0 });
  const train = subset(set, (e) => e !== "seed5");
  const val = subset(set, (e) => e === "seed5");
  const trainer = new Trainer(TINY_PASS_ATTENTION, SMALL_SIZES, { ...DEFAULT_TRAIN, epochs: 6, patience: 6, batchSize: 32, learningRate: 3e-3, seed: 1 });
  const init = randomWeights(TINY_PASS_ATTENTION, SMALL_SIZES, 1);
  const st = await trainer.fit(freshState(init, "bc"), train, val);

  const heldOut = states.filter((s) => s.episode === "seed5");
  const deployments = heldOut.reduce((n, s) => n + (s.decision.deploy?.length ?? 0), 0);
  const waits = heldOut.reduce((n, s) => n + s.observation.pending.length - (s.decision.deploy?.length ?? 0), 0);
  assert.ok(deployments > 80, `${deployments} deployments held out`);
  assert.ok(waits > 0, "some requests must wait for RAM");
  // untrained, the same network does not get there: the match below is learnt
  assert.ok(matches(init, heldOut).equal < heldOut.length / 2);
  assert.deepEqual(matches(st.weights, heldOut), { equal: heldOut.length, total: heldOut.length });
  const m = trainer.evaluate(st.weights, val);
  assert.equal(m.variantAccuracy, 1);
  assert.equal(m.hostAccuracy, 1);
  assert.equal(m.provisionAccuracy, 1);

  // the same model on fleets of 3 and 8 hosts (trained on 6): order-free tokens, padded
  for (const hosts of [3, 8]) {
    const other = await expertEpisodes(fleet(hosts), EXPERT, [21], 16, `fleet${hosts}:`);
    assert.deepEqual(matches(st.weights, other), { equal: other.length, total: other.length }, `${hosts} hosts`);
  }
});

/**
 * Decoded by chunk, the encoder sees a chunk's state once and the step adds the placements made
 * since through linear terms, so the rule is learnt but its finest ties are not: on this fleet a
 * tie in load is broken by work differences of about 3e-3 of the feature's scale (one host's
 * old work against another's new fragment), which the pass decode's layer norms resolve and a
 * linear term with weights of order 1 does not. Measured: 126 of 132 held-out fragments (95.5 %),
 * every variant and provisioning choice; whole decisions 10 of 16 (untrained: 95 fragments).
 */
test("decoded by chunk, the same training learns the rule: every variant, over 90 % of held-out fragments, most whole decisions", async () => {
  await initBackend();
  const states = await expertEpisodes(fleet(), EXPERT, [1, 2, 3, 4, 5], 16);
  const { set, stats } = buildExamples(states, SMALL_SIZES, { chunked: true });
  assert.deepEqual(stats.dropped, { provision: 0, variant: 0, host: 0 });
  assert.equal(stats.statesReproduced, states.length, "the teacher-forced chunk walk rebuilds every expert decision");
  const train = subset(set, (e) => e !== "seed5");
  const val = subset(set, (e) => e === "seed5");
  const trainer = new Trainer(TINY_ATTENTION, SMALL_SIZES, { ...DEFAULT_TRAIN, epochs: 6, patience: 6, batchSize: 32, learningRate: 3e-3, seed: 1 });
  const init = randomWeights(TINY_ATTENTION, SMALL_SIZES, 1);
  const before = trainer.evaluate(init, val);
  const st = await trainer.fit(freshState(init, "bc"), train, val);
  const m = trainer.evaluate(st.weights, val);
  assert.equal(m.variantAccuracy, 1);
  assert.equal(m.provisionAccuracy, 1);
  assert.ok(m.hostAccuracy! > 0.9, `host accuracy ${m.hostAccuracy}`);
  // untrained, the same network places 95 of the 132 (72 %): the gain is learnt
  assert.ok(before.hostAccuracy! < m.hostAccuracy! - 0.15, `untrained ${before.hostAccuracy}, trained ${m.hostAccuracy}`);
  const heldOut = states.filter((s) => s.episode === "seed5");
  const got = matches(st.weights, heldOut, TINY_ATTENTION);
  assert.ok(got.equal >= heldOut.length / 2 && got.equal > matches(init, heldOut, TINY_ATTENTION).equal, `${got.equal} of ${got.total} whole decisions`);
});

test("same seed, same weights; another seed, other weights", async () => {
  await initBackend();
  const states = await expertEpisodes(fleet(), EXPERT, [1, 2], 8);
  const { set } = buildExamples(states, SMALL_SIZES, { chunked: true });
  const train = subset(set, (e) => e === "seed1");
  const val = subset(set, (e) => e === "seed2");
  const fit = async (seed: number) => {
    const t = new Trainer(TINY_ATTENTION, SMALL_SIZES, { ...DEFAULT_TRAIN, epochs: 2, batchSize: 16, seed });
    return (await t.fit(freshState(randomWeights(TINY_ATTENTION, SMALL_SIZES, seed), "bc"), train, val)).weights;
  };
  const a = await fit(3);
  const b = await fit(3);
  const c = await fit(4);
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [k, v] of a) assert.deepEqual(b.get(k), v, k);
  const init = randomWeights(TINY_ATTENTION, SMALL_SIZES, 3);
  assert.ok([...a].some(([k, v]) => v.some((x, i) => x !== init.get(k)![i])), "training changed the weights");
  assert.ok([...a].some(([k, v]) => v.some((x, i) => x !== c.get(k)![i])), "another seed gives other weights");
});

test("decoded by chunk, a decision costs one encoder run per chunk of requests (the provisioning pass that chose done is the first chunk's), pass by pass one per open choice", async () => {
  const { TwinStepper } = await import("../../oracle/replay.ts");
  const { prepareTenantRun } = await import("../../src/runner.ts");
  const run = prepareTenantRun({ scenario: fleet(), source: "learner-fleet.yaml", seed: 3, policy: "first-fit", record: false });
  const base = new TwinStepper(run.twin).observe();
  const FOUR = { ...SMALL_SIZES, requests: 4 };
  const runs = (arch: Architecture, pending: number): number => {
    const w = randomWeights(arch, FOUR, 5);
    // "done" at once (no provisioning change), and every request deployed: variant "wait" scored low
    w.get("head.done.out.b")![0] = 100;
    w.get("head.variant.out.b")![0] = -100;
    const p = policyOn(arch, FOUR, w);
    try {
      const obs = { ...base, pending: Array.from({ length: pending }, (_, k) => ({ id: 500 + k, app: 0, arrival: base.time, deadline: 600, size: 1 })) };
      const policy = p.policy();
      const d = policy.decide(obs);
      assert.equal(d.provision, undefined);
      assert.equal(d.deploy?.length ?? 0, pending, "every request deployed");
      return policy.lastPasses;
    } finally {
      p.session.dispose();
    }
  };
  // 4 request tokens per chunk: ceil(P / 4) runs, at least the provisioning pass
  assert.deepEqual([0, 1, 4, 5, 8, 9].map((n) => runs(TINY_ATTENTION, n)), [1, 1, 1, 2, 2, 3]);
  // pass by pass: the provisioning pass, then one per request (one fragment each here: several hosts fit)
  assert.deepEqual([0, 1, 4, 5, 8, 9].map((n) => runs(TINY_PASS_ATTENTION, n)), [1, 2, 5, 6, 9, 10]);
});
