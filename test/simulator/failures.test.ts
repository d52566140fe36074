/**
 * Host failures: what happens to the requests on a failed host (`onFailure`), and what a repaired
 * host does (it returns to what its provisioning intends). Failure times are random (exponential,
 * from the seeded stream); the checks hold whenever the failures fall.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, PLAIN_2VCPU, table } from "../helpers/twin.ts";
import { HOST_BOOTING, HOST_DRAINING, HOST_FAILED, HOST_OFF, HOST_ON } from "../../simulator/types.ts";
import type { Policy } from "../../simulator/types.ts";
import type { Twin } from "../../simulator/twin.ts";

const SIZE = { ...PLAIN_2VCPU, bootS: 5 };
const app = (mi: number) => ({ variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi, ramMB: 1 }] }] }] });
const deployAll = fnPolicy((obs) => ({
  deploy: obs.pending.filter(() => obs.hosts.state[0] === HOST_ON).map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })),
}));

/** Host 0's state at the end of every 1 s interval. */
function states(twin: Twin, policy: Policy, intervals: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < intervals; k++) {
    twin.apply(policy.decide(twin.observe()));
    twin.finishInterval(policy);
    out.push(twin.hostTotals(0).state);
  }
  return out;
}

/** Runs of equal values: [value, length]. */
function runs(xs: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const x of xs) {
    if (out.length > 0 && out[out.length - 1][0] === x) out[out.length - 1][1]++;
    else out.push([x, 1]);
  }
  return out;
}

test("a repaired host that static provisioning keeps on boots again: failed for repairS, booting for bootS, then on", () => {
  // Failures at 360 per host-hour (one every 10 s on average), repair 10 s, boot 5 s, sampled
  // every second for 20 minutes. A failure at t (not a whole second) is seen failed at the next
  // 10 whole seconds and booting at the 5 after; a host is never seen off.
  const { twin } = makeTwin({
    intervalS: 1,
    sizes: [SIZE],
    hosts: [{ size: "plain-2" }],
    applications: app(1),
    failures: { ratePerHostHour: 360, repairS: 10 },
  });
  const seen = states(twin, fnPolicy(() => ({})), 1200);
  const r = runs(seen);
  const failures = twin.hostTotals(0).failures;
  assert.ok(failures >= 20, `only ${failures} failures`);
  assert.ok(!seen.includes(HOST_OFF), "a repaired host was left off");
  for (let k = 0; k < r.length - 1; k++) {
    const [state, length] = r[k];
    if (state === HOST_FAILED) {
      assert.equal(length, 10, `failed run ${k} lasted ${length} s`);
      assert.equal(r[k + 1][0], HOST_BOOTING, `after repair: state ${r[k + 1][0]}`);
    }
    if (state === HOST_BOOTING) {
      assert.equal(length, 5, `boot run ${k} lasted ${length} s`);
      assert.ok(r[k + 1][0] === HOST_ON || r[k + 1][0] === HOST_FAILED);
    }
  }
  // every repair boots the host (it started on, so no other boot); the last may still be under repair
  const t = twin.hostTotals(0);
  assert.ok(t.boots === t.failures || t.boots === t.failures - 1, `${t.boots} boots for ${t.failures} failures`);
});

test("a host that fails while it is being stopped stays off after repair", () => {
  // The request keeps host 0 busy for 10^6 s; the host is stopped at 1 s, so it drains. It fails
  // later (one failure every 100 s on average) and, being stopped, is left off when repaired
  // 10 s after: no boot, and with onFailure: fail the request counts failed.
  const stopAt1 = fnPolicy((obs) => ({
    provision: obs.time === 1 ? [{ host: 0, action: "stop" as const }] : [],
    deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })),
  }));
  const withArrival = makeTwin(
    {
      intervalS: 1,
      sizes: [SIZE],
      hosts: [{ size: "plain-2" }],
      applications: app(2014 * 1e6),
      admission: "arrival",
      failures: { ratePerHostHour: 36, repairS: 10, onFailure: "fail" },
    },
    2,
    table([[0, 0, 1]]),
  ).twin;
  const seen = states(withArrival, stopAt1, 1200);
  const t = withArrival.hostTotals(0);
  assert.equal(seen[0], HOST_ON);
  assert.equal(t.failures, 1, "the seed should make the host fail once while draining");
  const failedAt = seen.indexOf(HOST_FAILED);
  assert.ok(failedAt > 1 && seen.slice(1, failedAt).every((s) => s === HOST_DRAINING), "the host was draining when it failed");
  assert.deepEqual(seen.slice(failedAt, failedAt + 10), new Array(10).fill(HOST_FAILED));
  assert.ok(seen.slice(failedAt + 10).every((s) => s === HOST_OFF), "a stopped host came back after repair");
  assert.equal(t.boots, 0);
  assert.equal(withArrival.totals().failed, 1);
});

test("onFailure: requeue puts the request back in the queue with its arrival time; fail counts it failed", () => {
  // One request of 10^6 s of work on host 0 from 0 s; failures every 10 s on average. At the
  // first failure: requeue -> pending again (arrival 0 s, not failed), fail -> failed, not pending.
  for (const onFailure of ["requeue", "fail"] as const) {
    const { twin } = makeTwin(
      {
        intervalS: 1,
        sizes: [SIZE],
        hosts: [{ size: "plain-2" }],
        applications: app(2014 * 1e6),
        admission: "arrival",
        maxPendingIntervals: 1e6,
        failures: { ratePerHostHour: 360, repairS: 10, onFailure },
      },
      3,
      table([[0, 0, 1]]),
    );
    let k = 0;
    while (twin.hostTotals(0).failures === 0 && k++ < 1000) {
      twin.apply(deployAll.decide(twin.observe()));
      twin.finishInterval(deployAll);
    }
    assert.equal(twin.hostTotals(0).failures, 1);
    const t = twin.totals();
    const pending = twin.observe().pending;
    if (onFailure === "requeue") {
      assert.equal(t.failed, 0);
      assert.deepEqual(pending.map((p) => [p.id, p.arrival]), [[0, 0]]);
    } else {
      assert.equal(t.failed, 1);
      assert.equal(pending.length, 0);
    }
    assert.equal(t.arrived, t.completed + t.rejected + t.failed + twin.inFlight);
  }
});
