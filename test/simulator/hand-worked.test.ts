/**
 * Twin results against values worked out by hand (the working is in the comments).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, PLAIN_2VCPU, run, table } from "../helpers/twin.ts";
import type { Observation } from "../../simulator/types.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** One application whose single variant is one fragment of `mi` MI at size 1. */
function oneFragmentApp(mi: number, ramMB = 100) {
  return { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 0.9, fragments: [{ mi, ramMB }] }] }] };
}

/** Places every pending request's fragments on `host`. */
const onHost = (host: number) =>
  fnPolicy((obs: Observation) => ({
    deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: obs.apps[p.app].variants[0].fragments.map(() => host) })),
  }));

test("energy of a host at constant utilisation over a known time", () => {
  // One 2-vCPU host on the IBM x3200 M2 curve. One fragment of 2014 * 100 MI runs alone: one vCPU
  // of two busy -> u = 0.5 -> P(0.5) = 100.0 W (the 50 % point) for 100 s = 10,000 J; then idle
  // 75.2 W for the next 100 s = 7,520 J. Total 17,520 J = 0.0048667 kWh.
  const { twin } = makeTwin(
    { intervalS: 100, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2" }], applications: oneFragmentApp(2014 * 100), admission: "arrival" },
    1,
    table([[0, 0, 1]]),
  );
  run(twin, onHost(0), 2);
  const t = twin.totals();
  close(t.energyJ, 17520);
  assert.equal(t.completed, 1);
  close(t.responseSum, 100);
  // cost: 200 s billed at 0.096 USD/h
  close(t.costUSD, (200 * 0.096) / 3600);
});

test("energy between curve points is interpolated: u = 0.25 on a 4-vCPU host", () => {
  // 4 vCPUs, one busy -> u = 0.25 -> between 20 % (84.1 W) and 30 % (89.6 W): 84.1 + 0.5 * 5.5 = 86.85 W.
  // 50 s busy (2014 * 50 MI on one vCPU) then 50 s idle at 75.2 W: 4342.5 + 3760 = 8102.5 J.
  const size4 = { ...PLAIN_2VCPU, name: "plain-4", vcpus: 4 };
  const { twin } = makeTwin(
    { intervalS: 100, sizes: [size4], hosts: [{ size: "plain-4" }], applications: oneFragmentApp(2014 * 50), admission: "arrival" },
    1,
    table([[0, 0, 1]]),
  );
  run(twin, onHost(0), 1);
  close(twin.totals().energyJ, 8102.5);
});

test("cost and energy of a boot / run / deallocate timeline", () => {
  // Host off at t = 0; started at t = 0 (boot 60 s), stopped at t = 600. Billed while booting and
  // on: 600 s * 0.096 USD/h / 3600 = 0.016 USD. Power: idle 75.2 W while booting and while on and
  // empty: 600 s * 75.2 W = 45,120 J. Off from 600 to 1000 s: nothing.
  const { twin } = makeTwin({ intervalS: 100, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2", initial: "off" }], applications: oneFragmentApp(1) });
  const policy = fnPolicy((obs) => {
    if (obs.time === 0) return { provision: [{ host: 0, action: "start" }] };
    if (obs.time === 600) return { provision: [{ host: 0, action: "stop" }] };
    return {};
  });
  const states: number[] = [];
  for (let k = 0; k < 10; k++) {
    twin.apply(policy.decide(twin.observe()));
    twin.finishInterval(policy);
    states.push(twin.hostTotals(0).state);
  }
  const t = twin.totals();
  close(t.costUSD, 0.016);
  close(t.energyJ, 45120);
  assert.equal(twin.hostTotals(0).billedS, 600);
  // booting until 60 s: state at the end of interval 0 (t = 100) is on (2); off (0) from t = 600
  assert.deepEqual(states, [2, 2, 2, 2, 2, 2, 0, 0, 0, 0]);
});

test("completion times of three fragments sharing one host (processor sharing bounded by vCPUs)", () => {
  // 2 vCPUs of 2014 MIPS; fragments need 10, 20 and 30 vCPU-seconds (sizes 1, 2, 3 of 20,140 MI).
  // Three on two vCPUs: each runs at 2/3 of a vCPU. The first finishes when 2/3 t = 10 -> t = 15.
  // Then the other two have 10 and 20 left, one vCPU each: the second finishes at 15 + 10 = 25,
  // and the third has 20 - 10 = 10 left at 25, alone: finishes at 35.
  const { twin } = makeTwin(
    { intervalS: 100, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2" }], applications: oneFragmentApp(20140), admission: "arrival" },
    1,
    table([
      [0, 0, 1],
      [0, 0, 2],
      [0, 0, 3],
    ]),
  );
  run(twin, onHost(0), 1);
  const done = twin.requestRecords.filter((r) => r.status === "completed").map((r) => r.end);
  assert.equal(done.length, 3);
  close(done[0], 15);
  close(done[1], 25);
  close(done[2], 35);
  // Energy: u = 1 (two of two vCPUs busy) for 25 s at 117 W, u = 0.5 for 10 s at 100 W, idle 65 s at 75.2 W.
  close(twin.totals().energyJ, 25 * 117 + 10 * 100 + 65 * 75.2);
});

test("a chain split across two hosts includes the transfer of the cut activation", () => {
  // Layer split: fragment 0 (10 vCPU-s) on host 0, fragment 1 (20 vCPU-s) on host 1. Fragment 0
  // ends at 10 s; its 12.5 MB output crosses the network: 0.001 s latency + 12.5 / 125 MB/s = 0.101 s.
  // Fragment 1 starts at 10.101 s and ends at 30.101 s. Response 30.101 s.
  const { twin } = makeTwin(
    {
      intervalS: 100,
      sizes: [PLAIN_2VCPU],
      hosts: [{ size: "plain-2", count: 2 }],
      network: { latencyS: 0.001, bandwidthMBps: 125 },
      admission: "arrival",
      applications: {
        variants: ["layer"],
        custom: [
          {
            name: "chain",
            variants: [{ kind: "layer", accuracy: 0.7, fragments: [{ mi: 20140, ramMB: 100, outMB: 12.5 }, { mi: 40280, ramMB: 100, outMB: 0.1 }] }],
          },
        ],
      },
    },
    1,
    table([[0, 0, 1]]),
  );
  const policy = fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "layer" as const, hosts: [0, 1] })) }));
  run(twin, policy, 1);
  const r = twin.requestRecords[0];
  assert.equal(r.status, "completed");
  close(r.end, 30.101);
  // The same chain on one host has no transfer: 10 + 20 = 30 s.
  const same = makeTwin(
    {
      intervalS: 100,
      sizes: [PLAIN_2VCPU],
      hosts: [{ size: "plain-2", count: 2 }],
      admission: "arrival",
      applications: {
        variants: ["layer"],
        custom: [{ name: "chain", variants: [{ kind: "layer", accuracy: 0.7, fragments: [{ mi: 20140, ramMB: 100, outMB: 12.5 }, { mi: 40280, ramMB: 100 }] }] }],
      },
    },
    1,
    table([[0, 0, 1]]),
  ).twin;
  run(same, fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "layer" as const, hosts: [0, 0] })) })), 1);
  close(same.requestRecords[0].end, 30);
});

test("B-series credits: a host held at its base rate once its credits run out", () => {
  // A 1-vCPU B1ms-like size: base 20 % (12 credits/h = 0.2 vCPU-min per min), 1 credit banked at
  // boot. A fragment keeps the vCPU at 100 %: net spend (1 - 0.2) / 60 credits per s, so the credit
  // lasts 75 s. Work done by then: 75 s * 1000 MIPS = 75,000 MI. The rest, 25,000 MI, runs at
  // 20 % = 200 MIPS: 125 s more. Completion at 200 s.
  const size = { name: "burst-1", vcpus: 1, ramMB: 2048, mipsPerVcpu: 1000, pricePerHour: 0.02, powerCurve: "ibm-x3200-m2", credits: { basePercent: 20, creditsPerHour: 12, maxBanked: 288 } };
  const { twin } = makeTwin(
    { intervalS: 300, sizes: [size], hosts: [{ size: "burst-1", initialCredits: 1 }], applications: oneFragmentApp(100000), admission: "arrival" },
    1,
    table([[0, 0, 1]]),
  );
  run(twin, onHost(0), 1);
  close(twin.requestRecords[0].end, 200);
  // Energy: 75 s at u = 1 (117 W) + 125 s at u = 0.2 (84.1 W) + 100 s idle (75.2 W).
  close(twin.totals().energyJ, 75 * 117 + 125 * 84.1 + 100 * 75.2);
});

test("at an arrival (admission: arrival) observations and totals are brought up to that moment", () => {
  // An idle B2s with no credits earns 24 credits/h: at 3,599.5 s it has 24 * 3599.5 / 3600 credits.
  // Energy by then: 3,599.5 s at idle 75.2 W; cost 3,599.5 s at 0.0416 USD/h.
  const { twin } = makeTwin(
    { intervalS: 3600, hosts: [{ size: "Standard_B2s", initialCredits: 0 }], applications: oneFragmentApp(1), admission: "arrival" },
    1,
    table([[3599.5, 0, 1]]),
  );
  assert.equal(twin.runUntil(3600, true), true);
  const obs = twin.observe();
  close(obs.time, 3599.5);
  close(obs.hosts.credits[0], (24 * 3599.5) / 3600);
  const t = twin.totals();
  close(t.energyJ, 3599.5 * 75.2);
  close(t.costUSD, (3599.5 * 0.0416) / 3600);
});

test("per-interval mean utilisation is busy time over billed host time (a host stopped mid-interval)", async () => {
  // Host 0 (2 vCPUs) runs two 9 s fragments (u = 1) and is stopped: it drains and powers off at
  // 9 s. Host 1 runs two 10 s fragments the whole interval. Busy 9 + 10 = 19 host-s, billed
  // 9 + 10 = 19 host-s: mean utilisation 1.0 (not 19 / (1 host on at the end x 10 s) = 1.9).
  const { runTenant } = await import("../../src/runner.ts");
  const { registerPolicy } = await import("../../simulator/policies/registry.ts");
  const { scenario } = await import("../helpers/twin.ts");
  registerPolicy("test-split-then-stop", "test only", () =>
    fnPolicy((obs) => ({
      provision: obs.pending.some((p) => p.id === 2) ? [{ host: 0, action: "stop" as const }] : [],
      deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [p.id < 2 ? 0 : 1] })),
    })),
  );
  const s = scenario({ intervalS: 10, intervals: 1, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2", count: 2 }], applications: oneFragmentApp(2014), admission: "arrival" });
  const r = runTenant({
    scenario: s,
    source: "test.yaml",
    policy: "test-split-then-stop",
    seed: 1,
    arrivals: table([
      [0, 0, 9],
      [0, 0, 9],
      [0, 0, 10],
      [0, 0, 10],
    ]),
  });
  assert.equal(r.summary.requests.completed, 4);
  assert.equal(r.intervals[0].hostsOn, 1);
  close(r.intervals[0].meanUtilisation, 1);
  close(r.hosts[0].billedS, 9);
});
