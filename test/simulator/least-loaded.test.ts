/**
 * least-loaded placement breaks ties by CPU credits left, so a lightly loaded B-series fleet
 * spends its credits evenly instead of draining hosts 0 and 1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LeastLoaded } from "../../simulator/policies/least-loaded.ts";
import type { PlacementState } from "../../simulator/policies/parts.ts";
import type { Observation } from "../../simulator/types.ts";
import { prepareTenantRun } from "../../src/runner.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";

function state(placed: number[], credits: number[]): PlacementState {
  const n = placed.length;
  const obs = { hosts: { count: n, vcpus: Int32Array.from(placed.map(() => 2)), credits: Float64Array.from(credits) } } as unknown as Observation;
  return { obs, usable: new Uint8Array(n).fill(1), ramFree: new Float64Array(n).fill(1e6), placed: Int32Array.from(placed) };
}

test("ties in load go to the host with the most credits left, then to the lowest number", () => {
  const ll = new LeastLoaded();
  // equal load (0 per vCPU): host 2 has the most credits
  assert.equal(ll.pick(state([0, 0, 0], [10, 5, 30]), 1), 2);
  // load first: host 1 is less loaded even with fewer credits
  assert.equal(ll.pick(state([1, 0, 1], [10, 5, 30]), 1), 1);
  // a size without credits (NaN) never runs out: it wins a tie
  assert.equal(ll.pick(state([0, 0], [500, NaN]), 1), 1);
  // equal credits: lowest number
  assert.equal(ll.pick(state([0, 0, 0], [7, 7, 7]), 1), 0);
});

test("20,000 intervals of scinet-testbed under least-loaded: no host runs out of CPU credits", () => {
  // The testbed's load is about 5 % of the fleet's CPU, far below the B2s base rate (20 %) and the
  // B2ms base rate (30 %): spread evenly, no host ever spends more than it earns for long. Ties
  // broken by host number alone put every lone fragment on hosts 0 and 1, which then ran dry
  // (held at their base rate for thousands of intervals).
  const sc = loadTenantScenario("scinet-testbed");
  const p = prepareTenantRun({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 1 });
  let throttled = 0;
  let lowest = Infinity;
  for (let k = 0; k < 20_000; k++) {
    const obs = p.twin.observe();
    for (let h = 0; h < obs.hosts.count; h++) {
      throttled += obs.hosts.throttled[h];
      lowest = Math.min(lowest, obs.hosts.credits[h]);
    }
    p.twin.apply(p.policy.decide(obs));
    p.twin.finishInterval(p.policy);
  }
  assert.equal(throttled, 0, `${throttled} host-intervals held at the base rate`);
  assert.ok(lowest > 0, `a host's credits fell to ${lowest}`);
});
