/**
 * The policies' own account of the work each host holds (work-tracker.ts), least-work placement
 * that routes by it, and the oracle's headroom chooser that spends the capacity it leaves, on the
 * scinet-load-90 fleet (8 B2s + 8 B2ms, 2 vCPUs of 2,014 MIPS each), worked by hand from the
 * catalogue: a compressed (int8) resnext50_32x4d request is 4.23 GFLOPS x 1,000 MI x 8 images / 3
 * = 11,280 MI, a compressed mobilenet_v2 0.3 x 8,000 / 3 = 800 MI and a full one 2,400 MI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HeadroomVariant } from "../../oracle/headroom.ts";
import { ComposedPolicy } from "../../simulator/policies/compose.ts";
import { LeastLoaded } from "../../simulator/policies/least-loaded.ts";
import { LeastWork } from "../../simulator/policies/least-work.ts";
import type { PlacementState } from "../../simulator/policies/parts.ts";
import { FixedVariant } from "../../simulator/policies/fixed-variant.ts";
import { StaticProvisioning } from "../../simulator/policies/static-provisioning.ts";
import { WorkTracker } from "../../simulator/policies/work-tracker.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import type { Observation, PendingRequest } from "../../simulator/types.ts";
import { prepareTenantRun } from "../../src/runner.ts";

const MIPS = 2014;
const RESNEXT_COMPRESSED = (4.23 * 1000 * 8) / 3;
const MOBILENET_COMPRESSED = (0.3 * 1000 * 8) / 3;
const MOBILENET_FULL = 0.3 * 1000 * 8;

/** The first observation of scinet-load-90 (every host on, nothing placed), to vary by hand. */
function firstObservation(): Observation {
  const sc = loadTenantScenario("scinet-load-90");
  const p = prepareTenantRun({ scenario: sc.scenario, source: sc.source, policy: "static+compressed+least-work", seed: 1 });
  return p.twin.observe();
}

function at(obs: Observation, time: number, placed: number[] = [], pending: PendingRequest[] = []): Observation {
  const hosts = { ...obs.hosts, placed: new Int32Array(obs.hosts.count), throttled: new Uint8Array(obs.hosts.count) };
  placed.forEach((n, i) => (hosts.placed[i] = n));
  return { ...obs, time, hosts, pending };
}

const appIndex = (obs: Observation, name: string) => obs.apps.findIndex((a) => a.name === name);

test("the fleet is as the hand figures assume: 16 hosts on, 2 vCPUs of 2,014 MIPS each", () => {
  const obs = firstObservation();
  assert.equal(obs.hosts.count, 16);
  for (let h = 0; h < 16; h++) {
    assert.equal(obs.hosts.state[h], 2);
    assert.equal(obs.hosts.vcpus[h], 2);
    assert.equal(obs.hosts.mipsPerVcpu[h], MIPS);
  }
  const rx = obs.apps[appIndex(obs, "resnext50_32x4d")].variants.find((v) => v.kind === "compressed")!;
  assert.ok(Math.abs(rx.fragments[0].mi - RESNEXT_COMPRESSED) < 1e-9);
});

test("the account: placed work, worked down at min(fragments, vCPUs) x MIPS, cleared when the host is empty", () => {
  const obs = firstObservation();
  const t = new WorkTracker();
  t.observe(at(obs, 0));
  assert.deepEqual([...t.remainingMI], new Array(16).fill(0));
  t.add(0, RESNEXT_COMPRESSED);
  t.add(0, MOBILENET_FULL);
  t.add(3, MOBILENET_COMPRESSED);
  // 2 s later host 0 still holds both fragments: 2 vCPUs x 2,014 MIPS x 2 s = 8,056 MI done
  t.observe(at(obs, 2, [2, 0, 0, 1]));
  assert.ok(Math.abs(t.remainingMI[0] - (RESNEXT_COMPRESSED + MOBILENET_FULL - 8056)) < 1e-6, `${t.remainingMI[0]}`);
  // host 3 ran one fragment on one vCPU: 800 MI in under a second, nothing left
  assert.equal(t.remainingMI[3], 0);
  // one more second, one fragment left on host 0 (the rate seen at the last decision: 2 fragments)
  t.observe(at(obs, 3, [1]));
  assert.ok(Math.abs(t.remainingMI[0] - (RESNEXT_COMPRESSED + MOBILENET_FULL - 3 * 4028)) < 1e-6, `${t.remainingMI[0]}`);
  // a host that holds nothing has nothing left, whatever the account said
  t.add(5, 1e6);
  t.observe(at(obs, 4, [1]));
  assert.equal(t.remainingMI[5], 0);
});

test("a B-series host held at its base rate works its account down at that rate", () => {
  const obs = firstObservation();
  const t = new WorkTracker();
  const o0 = at(obs, 0, [2]);
  o0.hosts.throttled[0] = 1;
  t.observe(o0);
  t.add(0, 10_000);
  const base = o0.hosts.baseUtilisation[0];
  assert.ok(base > 0 && base < 1);
  t.observe(at(obs, 1, [3]));
  // 2 vCPUs x base x 2,014 MIPS x 1 s
  assert.ok(Math.abs(t.remainingMI[0] - (10_000 - 2 * base * MIPS)) < 1e-6, `${t.remainingMI[0]}`);
});

test("least-work sends a fragment to the host that would finish its work first; least-loaded cannot tell", () => {
  const obs = firstObservation();
  const state = (placed: number[], work: number[]): PlacementState => ({
    obs,
    usable: Uint8Array.from({ length: 16 }, (_, i) => (i < 3 ? 1 : 0)),
    ramFree: new Float64Array(16).fill(1e6),
    placed: Int32Array.from({ length: 16 }, (_, i) => placed[i] ?? 0),
    remainingMI: Float64Array.from({ length: 16 }, (_, i) => work[i] ?? 0),
  });
  // one fragment each: host 0 holds a compressed resnext50, host 1 a compressed mobilenet, host 2 a full one
  const s = state([1, 1, 1], [RESNEXT_COMPRESSED, MOBILENET_COMPRESSED, MOBILENET_FULL]);
  assert.equal(new LeastWork().pick(s, 100), 1);
  assert.equal(new LeastLoaded().pick(s, 100), 0);
  // a host with a free vCPU first: host 1 is full (2 fragments), so host 2
  assert.equal(new LeastWork().pick(state([1, 2, 1], [RESNEXT_COMPRESSED, MOBILENET_COMPRESSED, MOBILENET_FULL]), 100), 2);
  // without an account it is least-loaded
  const none = { ...s, remainingMI: undefined };
  assert.equal(new LeastWork().pick(none, 100), new LeastLoaded().pick(none, 100));
});

test("least-work weighs the fragment's own work: where it runs at full speed anyway, hosts tie and least-loaded's order decides", () => {
  const obs = firstObservation();
  const two = (work: number[], placed: number[]): PlacementState => ({
    obs: { ...obs, hosts: { ...obs.hosts, credits: new Float64Array(16).fill(100) } },
    usable: Uint8Array.from({ length: 16 }, (_, i) => (i < 2 ? 1 : 0)),
    ramFree: new Float64Array(16).fill(1e6),
    placed: Int32Array.from({ length: 16 }, (_, i) => placed[i] ?? 0),
    remainingMI: Float64Array.from({ length: 16 }, (_, i) => work[i] ?? 0),
  });
  // a full mobilenet (2,400 MI) beside a compressed one (800 MI) on 2 vCPUs: max(2400/2014, 3200/4028)
  // = 1.19 s, as on the empty host 1: a tie, and equal load and credits send it to host 0
  assert.equal(new LeastWork().pick(two([MOBILENET_COMPRESSED, 0], [1, 1]), 100, MOBILENET_FULL), 0);
  // a fragment of no work: host 1, which holds less
  assert.equal(new LeastWork().pick(two([MOBILENET_COMPRESSED, 0], [1, 1]), 100, 0), 1);
  // beside a compressed resnext50 (11,280 MI) it would wait: (2400 + 11280) / 4028 = 3.40 s > 1.19 s on host 1
  assert.equal(new LeastWork().pick(two([RESNEXT_COMPRESSED, 0], [1, 1]), 100, MOBILENET_FULL), 1);
  // the tie goes to the less loaded host (0 fragments per vCPU against 0.5)
  assert.equal(new LeastWork().pick(two([MOBILENET_COMPRESSED, 0], [1, 0]), 100, MOBILENET_FULL), 1);
});

test("a composed policy keeps the account of what it placed, and follows a decision applied instead of its own", () => {
  const obs0 = firstObservation();
  const rx = appIndex(obs0, "resnext50_32x4d");
  const pending: PendingRequest[] = [0, 1, 2].map((id) => ({ id, app: rx, arrival: 0, deadline: 25, size: 1 }));
  const p = new ComposedPolicy(new StaticProvisioning(), new FixedVariant("compressed"), new LeastWork());
  const obs = at(obs0, 0, [], pending);
  const d = p.decide(obs);
  // three requests, three different hosts (each goes where the least work is)
  assert.equal(new Set(d.deploy!.map((x) => x.hosts[0])).size, 3);
  const total = p.tracker.remainingMI.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 3 * RESNEXT_COMPRESSED) < 1e-6);
  // the decision applied put all three on host 7 (2 vCPUs: the third shares)
  p.applied(obs, { deploy: [0, 1, 2].map((id) => ({ request: id, variant: "compressed", hosts: [7] })) });
  assert.ok(Math.abs(p.tracker.remainingMI[7] - 3 * RESNEXT_COMPRESSED) < 1e-6);
  assert.equal(p.tracker.remainingMI.reduce((a, b) => a + b, 0), p.tracker.remainingMI[7]);
  // 1 s later host 7 has run 2 x 2,014 MI
  p.tracker.observe(at(obs0, 1, Array.from({ length: 16 }, (_, i) => (i === 7 ? 3 : 0))));
  assert.ok(Math.abs(p.tracker.remainingMI[7] - (3 * RESNEXT_COMPRESSED - 2 * MIPS)) < 1e-6);
});

test("headroom: the interval's spare capacity goes to the upgrade with the most accuracy per extra MI", () => {
  const obs0 = firstObservation();
  const rx = appIndex(obs0, "resnext50_32x4d");
  const mb = appIndex(obs0, "mobilenet_v2");
  // capacity of one 5 s interval: 32 vCPUs x 2,014 MIPS x 5 s = 322,240 MI; 27 compressed
  // resnext50s (304,560 MI) and a compressed mobilenet (800) leave 16,880 MI: enough to serve the
  // mobilenet in full (+1,600 MI, 0.22 points) but no resnext50 in full (+22,560 MI each)
  const pending: PendingRequest[] = Array.from({ length: 27 }, (_, id) => ({ id, app: rx, arrival: 0, deadline: 25, size: 1 }));
  pending.push({ id: 27, app: mb, arrival: 0, deadline: 25, size: 1 });
  const run = (heldMI: number) => {
    const p = new ComposedPolicy(new StaticProvisioning(), new HeadroomVariant(), new LeastWork());
    const obs = at(obs0, 0, heldMI > 0 ? [1] : [], pending);
    p.tracker.observe(obs);
    if (heldMI > 0) p.tracker.add(0, heldMI);
    // keep the account: the policy observes the same time again, so nothing is worked down
    const d = p.decide(obs);
    return new Map(d.deploy!.map((x) => [x.request, x.variant]));
  };
  const free = run(0);
  assert.equal(free.get(27), "full");
  for (let id = 0; id < 27; id++) assert.equal(free.get(id), "compressed");
  // 16,000 MI still held by the hosts leave 880 MI: the upgrade no longer fits
  const busy = run(16_000);
  assert.equal(busy.get(27), "compressed");
});
