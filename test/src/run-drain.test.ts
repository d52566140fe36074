/**
 * The end of a run is honest: arrivals stop after the last interval and the run drains under the
 * same policy until every request has ended, its energy and cost counted; what is still in flight
 * at the drain limit counts as unfinished (a request not served).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TableArrivals } from "../../simulator/arrivals.ts";
import { validateTenantScenario } from "../../simulator/scenario.ts";
import { runTenant } from "../../src/runner.ts";

/** One D2s_v5 (2 vCPUs x 2,014 MIPS, USD 0.096 per hour, no credits), 10 intervals of 10 s. */
function scenario(extra: Record<string, unknown> = {}) {
  return validateTenantScenario(
    {
      name: "drain",
      intervalS: 10,
      intervals: 10,
      hosts: [{ size: "Standard_D2s_v5", count: 1 }],
      // 60,420 MI = 30 s on one vCPU
      applications: { variants: ["full"], custom: [{ name: "a", variants: [{ kind: "full", accuracy: 0.9, fragments: [{ mi: 60420, ramMB: 100 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: 0 },
      ...extra,
    },
    "drain.yaml",
  );
}

const oneAt95 = () => new TableArrivals(Float64Array.from([95, 500]), Int32Array.from([0, 0]), Float64Array.from([100, 100]), Float64Array.from([1, 1]));

test("a request arriving in the last interval is served in the drain: 3 more intervals, their cost counted", () => {
  const r = runTenant({ scenario: scenario(), source: "drain.yaml", policy: "first-fit", seed: 1, arrivals: oneAt95() });
  const s = r.summary;
  // deployed at 100 s (the drain's first decision), done at 130 s; the arrival at 500 s never comes
  assert.equal(s.drainIntervals, 3);
  assert.equal(s.simulatedS, 130);
  assert.deepEqual(s.requests, { arrived: 1, completed: 1, late: 0, rejected: 0, failed: 0, unfinished: 0 });
  assert.ok(Math.abs(s.meanResponseS - 35) < 1e-9);
  assert.ok(Math.abs(s.costUSD - (0.096 * 130) / 3600) < 1e-12);
  assert.deepEqual(r.intervals.map((x) => x.drain), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
});

test("at the drain limit what is left counts as unfinished: a violation at the price of a request not served", () => {
  const r = runTenant({ scenario: scenario({ drainIntervals: 1 }), source: "drain.yaml", policy: "first-fit", seed: 1, arrivals: oneAt95() });
  const s = r.summary;
  assert.equal(s.drainIntervals, 1);
  assert.deepEqual(s.requests, { arrived: 1, completed: 0, late: 0, rejected: 0, failed: 0, unfinished: 1 });
  assert.equal(s.violationRate, 1);
  assert.ok(Math.abs(s.penaltyUSD - 0.02) < 1e-12);
  // (110 s of the host + energy + 0.02) / 1 request
  assert.ok(s.usdPerRequest > 0.02 + (0.096 * 110) / 3600 - 1e-12);
});
