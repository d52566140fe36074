/**
 * Invariants over random scenarios, seeds and policies (including one that emits random, often
 * invalid, decisions): request accounting adds up, RAM is never over-committed, no fragment is on
 * two hosts, energy and cost never decrease, and runs are deterministic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RandomStream, RandomStreams } from "../../simulator/engine/random.ts";
import type { Decision, Observation, Policy } from "../../simulator/types.ts";
import { VARIANT_KINDS } from "../../simulator/catalogue/applications.ts";
import { createPolicy, BASELINE_POLICIES } from "../../simulator/policies/registry.ts";
import { fnPolicy, makeTwin } from "../helpers/twin.ts";
import { spawnSync } from "node:child_process";

const SIZES = ["Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_B4ms", "Standard_D2s_v5"];

function randomScenario(rng: RandomStream): Record<string, unknown> {
  const groups = rng.int(1, 3);
  const hosts = [];
  for (let g = 0; g < groups; g++) hosts.push({ size: SIZES[rng.int(0, SIZES.length - 1)], count: rng.int(1, 4), initial: rng.next() < 0.8 ? "on" : "off" });
  return {
    intervalS: [5, 30, 300][rng.int(0, 2)],
    intervals: 30,
    hosts,
    applications: { variants: VARIANT_KINDS.filter(() => rng.next() < 0.7).concat(["full"]).filter((v, i, a) => a.indexOf(v) === i) },
    workload: { kind: "poisson", ratePerInterval: rng.uniform(0.5, 6), size: { dist: "exponential", mean: rng.uniform(0.3, 3) }, deadline: { intervals: [1, 4] } },
    failures: { ratePerHostHour: rng.next() < 0.5 ? 0 : rng.uniform(1, 30), onFailure: rng.next() < 0.5 ? "requeue" : "fail", repairS: 100 },
    admission: rng.next() < 0.3 ? "arrival" : "interval",
    maxPendingIntervals: rng.int(1, 5),
  };
}

/** Random decisions: random starts/stops, variants, hosts (often invalid), rejections. */
class ChaosPolicy implements Policy {
  readonly name = "chaos";
  constructor(private rng: RandomStream) {}
  decide(obs: Observation): Decision {
    const r = this.rng;
    const H = obs.hosts.count;
    const d: Decision = { provision: [], deploy: [], reject: [] };
    for (let i = 0; i < r.int(0, 2); i++) d.provision!.push({ host: r.int(-1, H), action: r.next() < 0.5 ? "start" : "stop" });
    for (const p of obs.pending) {
      const x = r.next();
      if (x < 0.1) d.reject!.push(p.id);
      else if (x < 0.9) {
        const variant = VARIANT_KINDS[r.int(0, 3)];
        const n = obs.apps[p.app].variants.find((v) => v.kind === variant)?.fragments.length ?? 1;
        d.deploy!.push({ request: p.id, variant, hosts: Array.from({ length: r.next() < 0.95 ? n : n + 1 }, () => r.int(0, H - 1)) });
      }
    }
    if (r.next() < 0.1) d.deploy!.push({ request: 999999, variant: "full", hosts: [0] });
    return d;
  }
  clone(): ChaosPolicy {
    return new ChaosPolicy(this.rng.clone());
  }
}

function runChecked(raw: Record<string, unknown>, seed: number, policyName: string): string {
  const { twin, model } = makeTwin(raw, seed);
  const streams = new RandomStreams(seed);
  const policy = policyName === "chaos" ? new ChaosPolicy(streams.get("chaos")) : createPolicy(policyName, { model, seed, streams });
  let prevE = 0;
  let prevC = 0;
  for (let k = 0; k < 30; k++) {
    twin.apply(policy.decide(twin.observe()));
    twin.finishInterval(policy);
    const t = twin.totals();
    const where = `${policyName} seed ${seed} interval ${k}`;
    assert.equal(t.arrived, t.completed + t.rejected + t.failed + twin.inFlight, `accounting: ${where}`);
    assert.ok(t.violated <= t.completed, where);
    assert.ok(t.energyJ >= prevE && t.costUSD >= prevC, `energy/cost decreased: ${where}`);
    prevE = t.energyJ;
    prevC = t.costUSD;
    const seen = new Set<string>();
    for (const [req, frag, host] of twin.fragmentPlacements()) {
      const key = `${req}/${frag}`;
      assert.ok(!seen.has(key), `fragment ${key} on two hosts: ${where}`);
      seen.add(key);
      assert.ok(host >= 0 && host < model.hostCount);
    }
    for (let h = 0; h < model.hostCount; h++) {
      const ht = twin.hostTotals(h);
      assert.ok(ht.ramUsedMB <= model.ramMB[h] + 1e-6, `RAM over-committed on host ${h}: ${where}`);
      assert.ok(ht.ramUsedMB >= -1e-6);
      if (ht.state === 0 || ht.state === 4) assert.equal(ht.placed, 0, `fragments on a host that is off or failed: ${where}`);
    }
  }
  const t = twin.totals();
  return JSON.stringify([t, twin.rejections, twin.requestRecords.length]);
}

test("invariants hold over random scenarios, seeds and policies", () => {
  const meta = new RandomStream("invariants");
  const policies = [...BASELINE_POLICIES, "chaos", "chaos", "threshold+semantic+random", "layer+round-robin"];
  let runs = 0;
  for (let i = 0; i < 24; i++) {
    const raw = randomScenario(meta);
    const policy = policies[i % policies.length];
    const variants = (raw.applications as { variants: string[] }).variants;
    if (!variants.includes(policy.split("+").find((p) => VARIANT_KINDS.includes(p as never)) ?? "full")) continue;
    const seed = meta.int(1, 1000);
    const a = runChecked(raw, seed, policy);
    const b = runChecked(raw, seed, policy);
    assert.equal(a, b, `not deterministic: ${policy} seed ${seed}`);
    runs++;
  }
  assert.ok(runs >= 15);
});

test("fork: running a fork ahead leaves the original untouched and predicts it exactly", () => {
  const raw = { intervalS: 5, hosts: [{ size: "Standard_B2s", count: 4 }], workload: { kind: "poisson", ratePerInterval: 3 }, failures: { ratePerHostHour: 5 } };
  const { twin, model } = makeTwin(raw, 4);
  const streams = new RandomStreams(4);
  const policy = createPolicy("threshold+least-loaded", { model, seed: 4, streams });
  for (let k = 0; k < 10; k++) {
    twin.apply(policy.decide(twin.observe()));
    twin.finishInterval(policy);
  }
  const before = JSON.stringify(twin.totals());
  const fork = twin.fork();
  const predicted = fork.runAhead(policy.clone().decide(fork.observe()), policy.clone(), 5);
  assert.equal(JSON.stringify(twin.totals()), before, "the fork changed the original");
  // The original, run the same way, ends exactly where the fork said it would.
  const p2 = policy.clone();
  twin.apply(p2.decide(twin.observe()));
  twin.finishInterval(p2);
  for (let k = 1; k < 5; k++) {
    twin.apply(p2.decide(twin.observe()));
    twin.finishInterval(p2);
  }
  assert.deepEqual(twin.totals(), predicted);
  // A reseeded fork draws another future.
  const other = twin.fork("salt").runAhead({}, policy.clone(), 20);
  const same = twin.fork().runAhead({}, policy.clone(), 20);
  assert.notEqual(other.arrived, same.arrived);
});

test("a reseeded fork draws the pending arrival and failure times again; a plain fork keeps them", () => {
  // Failures at 50 per host-hour on 4 hosts: within 60 s some host fails in the original.
  const raw = { intervalS: 5, hosts: [{ size: "Standard_B2s", count: 4 }], workload: { kind: "poisson", ratePerInterval: 2 }, failures: { ratePerHostHour: 50, onFailure: "requeue", repairS: 1e6 } };
  const { twin } = makeTwin(raw, 9);
  twin.runUntil(5);
  twin.closeInterval();
  const failuresBy = (t: ReturnType<typeof makeTwin>["twin"]) => {
    t.runUntil(60);
    return [0, 1, 2, 3].map((h) => t.hostTotals(h).failures).join(",") + `/${t.totals().arrived}`;
  };
  const plain = failuresBy(twin.fork());
  const salts = new Set<string>();
  for (let k = 0; k < 8; k++) salts.add(failuresBy(twin.fork(`salt-${k}`)));
  assert.ok(salts.size >= 3, `reseeded forks should differ from each other: ${[...salts].join(" ")}`);
  // The next arrival itself is drawn again: the first arrival after the fork differs.
  const firstArrival = (t: ReturnType<typeof makeTwin>["twin"]) => (t.runUntil(1e6, true), t.now);
  const real = firstArrival(twin.fork());
  const redrawn = [0, 1, 2, 3].map((k) => firstArrival(twin.fork(`a-${k}`)));
  assert.ok(redrawn.every((x) => x !== real && x >= 5), `first arrivals ${redrawn} vs ${real}`);
  // accounting still adds up in a reseeded fork
  const f = twin.fork("x");
  f.runUntil(100);
  const t = f.totals();
  assert.equal(t.arrived, t.completed + t.rejected + t.failed + f.inFlight);
  // last, the original itself: the plain fork replayed exactly its future
  assert.equal(failuresBy(twin), plain, "a plain fork must replay the original's future");
});

test("stopping and starting a host does not leave dead failure events in the queue", () => {
  const { twin } = makeTwin({ intervalS: 5, hosts: [{ size: "Standard_B2s", count: 2 }], workload: { kind: "poisson", ratePerInterval: 0 }, failures: { ratePerHostHour: 0.1 } }, 2);
  const cycle = fnPolicy((obs) => ({ provision: [{ host: 0, action: obs.hosts.state[0] === 0 ? ("start" as const) : ("stop" as const) }] }));
  for (let k = 0; k < 2000; k++) {
    twin.apply(cycle.decide(twin.observe()));
    twin.finishInterval(cycle);
  }
  // at most: each host's change event slot is reserved (not queued when idle), one failure event
  // per running host, one boot event
  assert.ok(twin.queuedEvents <= 4, `${twin.queuedEvents} events queued`);
});

test("long runs: a completion late in simulated time still advances the clock", () => {
  // At t = 8.5e6 s one ulp of time is 1.9e-9 s; at 2,014 MIPS that is 3.7e-6 MI, more than the
  // 1e-6 MI completion tolerance: without a clock-relative tolerance the host event repeats at
  // the same instant for ever. Run in a child process with a time limit so a regression fails
  // instead of hanging the suite.
  const code = `
    import { makeTwin, table, fnPolicy, run } from "./test/helpers/twin.ts";
    const size = { name: "one", vcpus: 1, ramMB: 4096, mipsPerVcpu: 2014, pricePerHour: 0, powerCurve: "ibm-x3200-m2" };
    let done = 0;
    for (let i = 0; i < 40; i++) {
      const mi = 1234567.891 + i * 7919.123;
      const { twin } = makeTwin({ intervalS: 1e6, intervals: 10, sizes: [size], hosts: [{ size: "one" }], admission: "arrival",
        applications: { variants: ["full"], custom: [{ name: "j", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi, ramMB: 1 }] }] }] } },
        1, table([[8.5e6 + i * 0.37, 0, 1]]));
      run(twin, fnPolicy((o) => ({ deploy: o.pending.map((p) => ({ request: p.id, variant: "full", hosts: [0] })) })), 10);
      done += twin.totals().completed;
    }
    console.log(done);
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.signal, null, "the run did not finish (the clock stopped advancing)");
  assert.equal(r.stderr.trim(), "");
  assert.equal(r.stdout.trim(), "40");
});
