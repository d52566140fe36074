import assert from "node:assert/strict";
import { test } from "node:test";
import { RandomStream } from "../../simulator/engine/random.ts";
import { DEFAULT_OBJECTIVE, validateTenantScenario, type TenantScenario } from "../../simulator/scenario.ts";
import { HOST_FAILED, type Decision } from "../../simulator/types.ts";
import { SearchSpace } from "../../oracle/candidate.ts";
import { OraclePolicy } from "../../oracle/policy.ts";
import { ensurePolicies } from "../../src/policies.ts";
await ensurePolicies("oracle");
import { TwinStepper } from "../../oracle/replay.ts";
import { TINY_RAW, tinyPoint } from "../../oracle/tiny.ts";
import { createPolicy, PolicyError } from "../../simulator/policies/registry.ts";
import { prepareTenantRun } from "../../src/runner.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";

const FAST = { budgetMs: null, budgetEvals: 120, patience: 60 };

function tinyVariant(extra: Record<string, unknown>): TenantScenario {
  return validateTenantScenario({ ...structuredClone(TINY_RAW), ...extra }, "tiny.yaml");
}

/** Runs `intervals` intervals with the oracle deciding; returns every decision (each checked: no rejections). */
function runOracle(scenario: TenantScenario, seed: number, intervals: number, options: Record<string, unknown>): Decision[] {
  const run = prepareTenantRun({ scenario, source: "test", policy: "oracle", seed, policyOptions: options, record: false });
  const stepper = new TwinStepper(run.twin);
  const out: Decision[] = [];
  let closed = 0;
  while (closed < intervals) {
    const d = run.policy.decide(stepper.observe());
    const { rejections, intervalClosed } = stepper.apply(d);
    assert.deepEqual(rejections, [], `decision ${out.length} at t=${run.twin.now} was rejected: ${JSON.stringify(d)}`);
    out.push(d);
    if (intervalClosed) closed++;
  }
  return out;
}

test("random moves, crossovers and repairs only make candidates the twin accepts", () => {
  const p = tinyPoint();
  const space = new SearchSpace(p.obs, p.model);
  const rng = new RandomStream("moves");
  let c = space.empty();
  for (let i = 0; i < 3000; i++) {
    if (i % 50 === 0) c = space.empty();
    space.mutate(c, rng);
    if (i % 7 === 0) {
      // crossover-like scramble: random bits and borrowed placements, then repair
      const x = space.clone(c);
      for (const h of space.changeable) if (rng.next() < 0.5) x.on[h] = 1 - x.on[h];
      space.repair(x, rng);
      assert.equal(space.check(x), null);
      assert.deepEqual(p.twin.fork().apply(space.toDecision(x)), []);
    }
    assert.equal(space.check(c), null);
    assert.deepEqual(p.twin.fork().apply(space.toDecision(c)), [], `candidate ${space.key(c)}`);
  }
});

test("a baseline's decision becomes the nearest feasible candidate; impossible parts stay pending", () => {
  const p = tinyPoint();
  const space = new SearchSpace(p.obs, p.model);
  const [r0, r1] = p.obs.pending;
  const c = space.fromDecision({
    provision: [{ host: 1, action: "stop" }, { host: 2, action: "start" }, { host: 0, action: "start" }],
    deploy: [
      { request: r0.id, variant: "full", hosts: [1] }, // host 1 is being stopped: stays pending
      { request: r1.id, variant: "semantic", hosts: [0, 0] }, // 2 x 1,900 MB on 4,096 MB: fits
      { request: 999, variant: "full", hosts: [0] }, // not pending: ignored
    ],
  });
  assert.equal(space.check(c), null);
  assert.deepEqual(space.toDecision(c), {
    provision: [{ host: 1, action: "stop" }, { host: 2, action: "start" }],
    deploy: [{ request: r1.id, variant: "semantic", hosts: [0, 0] }],
  });
});

test("every decision the oracle emits is accepted: interval and arrival admission, failures, scinet-testbed", () => {
  const rough = tinyVariant({ failures: { ratePerHostHour: 60, repairS: 20 }, admission: "arrival", objective: DEFAULT_OBJECTIVE });
  for (const method of ["anneal", "ga", "greedy"]) runOracle(rough, 3, 25, { ...FAST, method });
  runOracle(tinyVariant({}), 1, 25, FAST);
  const { scenario } = loadTenantScenario("scinet-testbed");
  runOracle(scenario, 2, 12, { budgetMs: null, budgetEvals: 150, patience: 60 });
});

test("a failed host is left alone: never switched, never given fragments", () => {
  const s = tinyVariant({ failures: { ratePerHostHour: 60, repairS: 1000 }, objective: DEFAULT_OBJECTIVE });
  const run = prepareTenantRun({ scenario: s, source: "test", policy: "first-fit", seed: 2, record: false });
  run.twin.observe();
  run.twin.apply({ provision: [{ host: 1, action: "stop" }] });
  run.twin.runUntil(130); // host 0's first failure, with seed 2, is at about 128 s
  run.twin.observe();
  run.twin.apply({ provision: [{ host: 2, action: "start" }] });
  run.twin.runUntil(run.twin.intervalEnd);
  run.twin.closeInterval();
  // Requests waiting, host 0 failed, host 2 booting or on: the oracle decides several times.
  const oracle = createPolicy("oracle", { model: run.model, seed: 2, streams: new RandomStreams(2), options: { twin: () => run.twin, scenario: s, ...FAST } });
  const stepper = new TwinStepper(run.twin);
  for (let k = 0; k < 6; k++) {
    const obs = stepper.observe();
    assert.equal(obs.hosts.state[0], HOST_FAILED, "precondition: host 0 has failed");
    const d = oracle.decide(obs);
    assert.ok(!(d.provision ?? []).some((p) => p.host === 0), `decision ${k} switches the failed host`);
    assert.ok(!(d.deploy ?? []).some((x) => x.hosts.includes(0)), `decision ${k} places on the failed host`);
    assert.deepEqual(stepper.apply(d).rejections, []);
  }
});

test("same seed, same decisions (evaluation budget); the oracle is an ordinary seeded policy", () => {
  const s = tinyVariant({});
  const a = runOracle(s, 5, 15, FAST);
  const b = runOracle(s, 5, 15, FAST);
  assert.deepEqual(a, b);
});

test("the oracle saves energy: it switches off hosts that serve nobody", () => {
  // Nothing arrives: keeping hosts on only costs, so the first decision stops every running host.
  const idle = tinyVariant({ workload: { kind: "poisson", ratePerInterval: 0 } });
  const [first] = runOracle(idle, 1, 1, FAST);
  assert.deepEqual(first, { provision: [{ host: 0, action: "stop" }, { host: 1, action: "stop" }] });
});

test("registration: the oracle needs the live twin, and settings are validated", () => {
  const { scenario } = loadTenantScenario("scinet-testbed");
  const run = prepareTenantRun({ scenario, source: "test", policy: "first-fit", seed: 1, record: false });
  const ctx = { model: run.model, seed: 1, streams: new RandomStreams(1) };
  assert.throws(() => createPolicy("oracle", ctx), {
    name: "PolicyError",
    message: 'policy "oracle" needs the live twin: pass options.twin, a function returning it, to createPolicy',
  });
  assert.throws(() => createPolicy("oracle", { ...ctx, options: { twin: () => run.twin, horizon: 0 } }), (e: unknown) => {
    assert.ok(e instanceof PolicyError);
    assert.equal(e.message, "oracle setting horizon: Too small: expected number to be >0");
    return true;
  });
  const oracle = createPolicy("oracle", { ...ctx, options: { twin: () => run.twin, scenario, budgetEvals: 20, budgetMs: null } });
  assert.ok(oracle instanceof OraclePolicy);
  // A twin that is not at the observation's time is refused (the provider must give the live twin).
  const obs = run.twin.observe();
  run.twin.runUntil(2);
  assert.throws(() => oracle.decide(obs), {
    message: "oracle: the twin provider returned a twin at t=2 s (interval 0), but the observation is at t=0 s (interval 0); it must return the live twin",
  });
});
