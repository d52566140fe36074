import assert from "node:assert/strict";
import { test } from "node:test";
import { TableArrivals } from "../../simulator/arrivals.ts";
import { validateTenantScenario } from "../../simulator/scenario.ts";
import { Twin } from "../../simulator/twin.ts";
import type { Decision } from "../../simulator/types.ts";
import { defaultContinuation } from "../../oracle/continuation.ts";
import { fingerprint } from "../../oracle/replay.ts";
import { autoDrain, LookAhead, type LookAheadSettings } from "../../oracle/score.ts";
import { compileObjective } from "../../simulator/objective.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";

/**
 * One D2s_v5 host (2 vCPUs, 2,014 MIPS each, no CPU credits, IBM x3200 M2 curve: 75.2 W idle,
 * 100.0 W at 50 %), 10 s intervals, one application whose only variant is one fragment of 6,042 MI
 * (3 s on one vCPU). Requests arrive at the given times with a 100 s deadline.
 */
function oneHost(arrivalTimes: number[]) {
  const scenario = validateTenantScenario(
    {
      name: "one-host",
      intervalS: 10,
      intervals: 10,
      hosts: [{ size: "Standard_D2s_v5", count: 1 }],
      applications: { variants: ["full"], custom: [{ name: "a", variants: [{ kind: "full", accuracy: 0.9, fragments: [{ mi: 6042, ramMB: 100 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: 0 },
      maxPendingIntervals: 10,
    },
    "one-host.yaml",
  );
  const model = buildTwinModel(scenario, "one-host.yaml");
  const n = arrivalTimes.length;
  const arrivals = new TableArrivals(Float64Array.from(arrivalTimes), new Int32Array(n), new Float64Array(n).fill(100), new Float64Array(n).fill(1));
  const twin = new Twin(model, arrivals, 1);
  const score = (objective: string, d: Decision, settings: Partial<LookAheadSettings> = {}): number =>
    new LookAhead(model, compileObjective(objective), defaultContinuation(model), { horizon: 1, forks: 1, clairvoyant: false, drainIntervals: null, ...settings }).score(twin, d, "t");
  return { model, twin, score };
}

/** The one-host twin at t = 10 s with request 0 (arrived at 1 s) pending. */
function pendingAt10() {
  const o = oneHost([1]);
  o.twin.observe();
  o.twin.apply({});
  o.twin.runUntil(10);
  o.twin.closeInterval();
  assert.equal(o.twin.observe().pending.length, 1);
  return o;
}

const DEPLOY: Decision = { deploy: [{ request: 0, variant: "full", hosts: [0] }] };

test("a deferred request costs its real wait: response 12 s deployed now, 22 s deferred (served at the next interval)", () => {
  const { score } = pendingAt10();
  // Deployed at 10 s: one fragment alone on 2 vCPUs runs at 2,014 MIPS, done at 13 s; arrived at 1 s.
  assert.ok(Math.abs(score("meanResponseS", DEPLOY) - 12) < 1e-9);
  // Deferred: the horizon (10-20 s) ends with it pending; the drain lets the continuation deploy it
  // at 20 s, done at 23 s. A plain look-ahead would see no completion at all.
  assert.ok(Math.abs(score("meanResponseS", {}) - 22) < 1e-9);
});

test("unfinished at the drain limit: a violation, as at the end of a run (deferred: 1 unfinished; deployed: done at 13 s)", () => {
  const { score } = pendingAt10();
  assert.equal(score("unfinished", {}, { drainIntervals: 0 }), 1);
  assert.equal(score("violations", {}, { drainIntervals: 0 }), 1);
  assert.equal(score("completed", {}, { drainIntervals: 0 }), 0);
  assert.equal(score("unfinished", DEPLOY, { drainIntervals: 0 }), 0);
  assert.ok(Math.abs(score("meanAccuracy", DEPLOY, { drainIntervals: 0 }) - 0.9) < 1e-12);
});

test("energy is counted over the horizon only: 826.4 J deployed (3 s at 100.0 W + 7 s at 75.2 W), 752 J deferred", () => {
  const { score } = pendingAt10();
  assert.ok(Math.abs(score("energyKWh", DEPLOY) - 826.4 / 3.6e6) < 1e-12);
  assert.ok(Math.abs(score("energyKWh", {}) - 752 / 3.6e6) < 1e-12);
  // durationS is the horizon, however long the drain ran
  assert.equal(score("durationS", {}), 10);
});

test("switching the only host off is not free when nothing is pending: the next arrival is tracked and waits for a boot", () => {
  // Decision at 0 s, next request at 15 s (after the 10 s horizon). Host kept: deployed at 20 s,
  // done at 23 s (response 8 s). Host off: the continuation (target tracking, at least one host
  // on) starts it again at its next decision, 10 s; it is on at 70 s (60 s boot), and the request
  // is deployed then and done at 73 s (response 58 s).
  const { twin, score, model } = oneHost([15]);
  twin.observe();
  assert.ok(Math.abs(score("meanResponseS", {}) - 8) < 1e-9);
  assert.ok(Math.abs(score("meanResponseS", { provision: [{ host: 0, action: "stop" }] }) - 58) < 1e-9);
  // the default drain covers a boot (60 s = 6 intervals) plus the longest wait (10 intervals), plus 1
  assert.equal(autoDrain(model), 17);
});

test("scoring leaves the live twin untouched and repeats exactly", () => {
  const { twin, score } = pendingAt10();
  const before = fingerprint(twin);
  const a = score("0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy", DEPLOY, { forks: 3, horizon: 2 });
  const b = score("0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy", DEPLOY, { forks: 3, horizon: 2 });
  assert.equal(a, b);
  assert.deepEqual(fingerprint(twin), before);
  assert.equal(twin.pendingCount, 1);
});

test("a candidate the twin would reject is an error, not a score", () => {
  const { score } = pendingAt10();
  assert.throws(() => score("energy", { deploy: [{ request: 0, variant: "full", hosts: [5] }] }), {
    name: "InfeasibleCandidateError",
    message: "the twin rejected a candidate: request 0: fragment 0: no host 5 (hosts are 0..0)",
  });
});
