import assert from "node:assert/strict";
import { test } from "node:test";
import { RandomStream } from "../../simulator/engine/random.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { HOST_BOOTING, HOST_DRAINING, HOST_FAILED, HOST_OFF, HOST_ON, type Decision, type Observation } from "../../simulator/types.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { V, type ModelSizes } from "../../learner/encoding/layout.ts";
import { walkDecision } from "../../learner/decode/walk.ts";
import { LearnerPolicy, ScoreChooser, type Scorer } from "../../learner/policy.ts";
import { ChunkHead } from "../../learner/decode/step.ts";
import { initWeights, paramSpecs } from "../../learner/model/architecture.ts";

const SIZES: ModelSizes = { hosts: 16, requests: 4, apps: 8, fragments: 4 };

/** Scores drawn at random for every pass: the decoder then explores every kind of choice. */
function randomScorer(seed: string, doneLift = 0): Scorer {
  const rng = new RandomStream(seed);
  const fill = (n: number) => Float64Array.from({ length: n }, () => rng.uniform(-3, 3));
  return () => ({ done: fill(1).map((x) => x + doneLift), provision: fill(SIZES.hosts * 2), variant: fill(SIZES.requests * (V + 1)), place: fill(V * SIZES.hosts) });
}

/**
 * What Twin.apply would reject in a decision, by the twin's own rules written out again here:
 * provisioning first (start: off or draining; stop: on or booting), then deployments in order
 * (pending, offered variant, one host per fragment, every host on, the RAM of all the request's
 * fragments on a host free within 1e-9 MB).
 */
function rejections(obs: Observation, d: Decision): string[] {
  const h = obs.hosts;
  const state = Array.from(h.state);
  const out: string[] = [];
  const seen = new Set<number>();
  for (const p of d.provision ?? []) {
    if (seen.has(p.host)) out.push(`host ${p.host} twice`);
    seen.add(p.host);
    const st = state[p.host];
    if (p.action === "start") {
      if (st === HOST_OFF) state[p.host] = HOST_BOOTING;
      else if (st === HOST_DRAINING) state[p.host] = HOST_ON;
      else out.push(`start host ${p.host} in state ${st}`);
    } else {
      if (st === HOST_ON) state[p.host] = h.placed[p.host] === 0 ? HOST_OFF : HOST_DRAINING;
      else if (st === HOST_BOOTING) state[p.host] = HOST_OFF;
      else out.push(`stop host ${p.host} in state ${st}`);
    }
  }
  const ram = Array.from(h.ramFreeMB);
  const pending = new Map(obs.pending.map((p) => [p.id, p]));
  for (const dep of d.deploy ?? []) {
    const p = pending.get(dep.request);
    if (!p) {
      out.push(`request ${dep.request} not pending`);
      continue;
    }
    pending.delete(dep.request);
    const v = obs.apps[p.app].variants.find((x) => x.kind === dep.variant);
    if (!v || !obs.variants.includes(dep.variant)) {
      out.push(`variant ${dep.variant} not offered`);
      continue;
    }
    if (dep.hosts.length !== v.fragments.length) {
      out.push(`${dep.hosts.length} hosts for ${v.fragments.length} fragments`);
      continue;
    }
    const need = new Map<number, number>();
    dep.hosts.forEach((x, j) => need.set(x, (need.get(x) ?? 0) + v.fragments[j].ramMB));
    let ok = true;
    for (const [x, mb] of need) {
      if (state[x] !== HOST_ON) {
        out.push(`request ${dep.request} on host ${x} in state ${state[x]}`);
        ok = false;
      } else if (mb > ram[x] + 1e-9) {
        out.push(`request ${dep.request}: host ${x} has ${ram[x]} MB, needs ${mb}`);
        ok = false;
      }
    }
    if (ok) for (const [x, mb] of need) ram[x] -= mb;
  }
  return out;
}

function scinet(rate: number) {
  const { scenario, source } = loadTenantScenario("scinet-testbed");
  return { scenario: { ...scenario, workload: { ...scenario.workload, ratePerInterval: rate } as typeof scenario.workload }, source };
}

/** A chunk-decoded model's encoder outputs drawn at random, and a step on random weights (width 8). */
const M = 8;
function randomChunkScorer(seed: string): Scorer {
  const rng = new RandomStream(seed);
  const fill = (n: number) => Float64Array.from({ length: n }, () => rng.uniform(-3, 3));
  return () => ({ done: fill(1), provision: fill(SIZES.hosts * 2), variant: fill(SIZES.requests * (V + 1)), placeQuery: fill(SIZES.requests * M), placeKey: fill(SIZES.hosts * M) });
}
const chunkHead = new ChunkHead(initWeights(paramSpecs({ kind: "attention", dModel: M, heads: 2, layers: 1, ffn: 16, decode: "chunk" }, SIZES), 9), M);

for (const chunked of [false, true]) test(`under random scores the decoder never emits a choice the twin would reject (random host states, RAM and queues; ${chunked ? "decoded by chunk" : "pass by pass"})`, () => {
  const { scenario, source } = scinet(4);
  const ready = buildReadyTwin({ scenario, source, seed: 2, record: false });
  const stepper = new TwinStepper(ready.twin);
  const base = stepper.observe();
  const rng = new RandomStream("masks");
  let deployed = 0;
  let provisioned = 0;
  let tightRam = 0;
  for (let trial = 0; trial < 400; trial++) {
    const h = base.hosts;
    const n = h.count;
    // any mix of states, free RAM from none to all (often just one fragment's worth), fragments placed
    const state = Int8Array.from({ length: n }, () => [HOST_OFF, HOST_BOOTING, HOST_ON, HOST_ON, HOST_DRAINING, HOST_FAILED][rng.int(0, 5)]);
    const ramFree = Float64Array.from({ length: n }, (_, i) => (rng.next() < 0.3 ? rng.uniform(250, 600) : rng.uniform(0, h.ramMB[i])));
    const placed = Int32Array.from({ length: n }, () => rng.int(0, 3));
    const pending = Array.from({ length: rng.int(0, 9) }, (_, k) => ({ id: 1000 + k, app: rng.int(0, base.apps.length - 1), arrival: 0, deadline: 30, size: rng.uniform(0.5, 2) }));
    const obs: Observation = { ...base, hosts: { ...h, state, ramFreeMB: ramFree, placed }, pending };
    const d = chunked
      ? walkDecision(obs, new Float64Array(n), SIZES, new ScoreChooser(randomChunkScorer(`trial${trial}`), SIZES, "argmax", chunkHead), undefined, null, true)
      : walkDecision(obs, new Float64Array(n), SIZES, new ScoreChooser(randomScorer(`trial${trial}`), SIZES));
    assert.deepEqual(rejections(obs, d), [], `trial ${trial}`);
    deployed += d.deploy?.length ?? 0;
    provisioned += d.provision?.length ?? 0;
    if (Array.from(ramFree).some((r, i) => state[i] === HOST_ON && r < 600)) tightRam++;
  }
  // the trials exercised the masks: many deployments, provisioning actions and hosts short of RAM
  assert.ok(deployed > 500 && provisioned > 1000 && tightRam > 300, `deployed ${deployed}, provisioned ${provisioned}, tight ${tightRam}`);
});

for (const decode of ["argmax", "kind"] as const) test(`a learner with random scores (${decode} provisioning) runs scinet-testbed at 6x load without a single rejected decision`, () => {
  const { scenario, source } = scinet(7);
  const ready = buildReadyTwin({ scenario, source, seed: 4, record: true });
    // by kind, "done" competes with the total over all hosts of each kind: lifted by ln 4, or random
  // scores stop every host and nothing is deployed
  const policy = new LearnerPolicy({ sizes: SIZES, scorer: randomScorer("run", decode === "kind" ? Math.log(4) : 0) }, undefined, undefined, decode);
  const stepper = new TwinStepper(ready.twin);
  let deployments = 0;
  for (let k = 0; k < 120; k++) {
    const d = policy.decide(stepper.observe());
    deployments += d.deploy?.length ?? 0;
    const { rejections: r } = stepper.apply(d);
    assert.deepEqual(r, [], `interval ${k}`);
  }
  // the only rejections are of requests that waited too long (random provisioning stops hosts), none of a decision
  assert.deepEqual(ready.twin.rejectionLog, []);
  assert.deepEqual(Object.keys(ready.twin.rejections).filter((k) => k !== "waited too long"), []);
  assert.ok(deployments > 200, `${deployments} deployments`);
});
