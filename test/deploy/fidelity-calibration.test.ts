/**
 * Twin versus measured, keeping the twin in step, and calibration, on hand-made data: the numbers
 * expected are worked out from the definitions (power curve, price, least squares).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateTenantScenario } from "../../simulator/scenario.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { HOST_BOOTING, HOST_OFF, HOST_ON } from "../../simulator/types.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { calibratedScenario, fitFromFragments } from "../../deploy/calibrate.ts";
import { compare, MeasuredUse, pairRequests, type PairedRequest } from "../../deploy/fidelity.ts";
import { replaySteps } from "../../deploy/replay.ts";
import { syncTwin, targetPlan, validate } from "../../deploy/sync.ts";
import type { MeasuredRequest, ObservedHost } from "../../deploy/types.ts";

// Two 1-vCPU hosts with a linear power curve 100 W idle .. 200 W at full load, 3.6 USD/h.
const SCENARIO = validateTenantScenario(
  {
    name: "fid",
    intervalS: 1,
    intervals: 5,
    sizes: [{ name: "lin", vcpus: 1, ramMB: 4096, mipsPerVcpu: 1000, pricePerHour: 3.6, powerCurve: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200], bootS: 0 }],
    hosts: [{ size: "lin", count: 2 }],
    applications: {
      variants: ["full", "layer"],
      custom: [
        {
          name: "a",
          variants: [
            { kind: "full", accuracy: 0.7, fragments: [{ mi: 100, ramMB: 10 }] },
            { kind: "layer", accuracy: 0.7, fragments: [{ mi: 50, ramMB: 10, outMB: 1 }, { mi: 50, ramMB: 10 }] },
          ],
        },
      ],
    },
    workload: { kind: "poisson", ratePerInterval: 0 },
    network: { latencyS: 0.01, bandwidthMBps: 100 },
  },
  "test",
);

const host = (h: number, phase: ObservedHost["phase"], extra: Partial<ObservedHost> = {}): ObservedHost => ({ host: h, phase, size: "lin", pricePerHour: 3.6, vcpus: 1, cpuS: 0, billedS: 0, busy: false, ...extra });

test("measured energy is the power curve at the measured utilisation times the billed time; cost is billed time x price", () => {
  const model = buildTwinModel(SCENARIO, "test");
  const use = new MeasuredUse();
  // host 0: 0.5 CPU-s over 1 s billed -> u 0.5 -> 150 W x 1 s; host 1: 2 s billed idle -> 100 W x 2 s
  use.add(model, [host(0, "on", { cpuS: 0.5, billedS: 1 }), host(1, "on", { cpuS: 0, billedS: 2 })]);
  assert.equal(use.energyJ, 150 + 200);
  assert.ok(Math.abs(use.costUSD - (3 * 3.6) / 3600) < 1e-12);
  assert.equal(use.busyS / use.billedS, 0.5 / 3);
});

test("response error compares the same requests: mean twin minus mean measured over mean measured", () => {
  const req = (id: number, arrivalS: number, dispatchS: number, endS: number): MeasuredRequest => ({ id, app: 0, variant: "full", size: 1, arrivalS, dispatchS, endS, status: "completed", fragments: [] });
  const measured = [req(0, 0, 1, 2), req(1, 0.5, 1, 2.5), req(2, 1, 2, 4)];
  const twin = [
    { id: 0, arrival: 0, end: 2.2, status: "completed" },
    { id: 1, arrival: 0.5, end: 2.7, status: "completed" },
    { id: 2, arrival: 1, end: 3, status: "rejected" },
  ];
  const pairs = pairRequests(measured, twin);
  const t = buildReadyTwin({ scenario: SCENARIO, source: "test", seed: 1 }).twin.totals();
  const c = compare(pairs, new MeasuredUse(), t, t, 0);
  // paired: requests 0 and 1; measured 2.0 s each, twin 2.2 s each -> +10 %
  assert.equal(c.paired, 2);
  assert.ok(Math.abs(c.measured.meanResponseS! - 2) < 1e-12);
  assert.ok(Math.abs(c.responseErrorPct! - 10) < 1e-9);
  // service time (response minus the 1 s and 0.5 s waits): measured 1 and 1.5 -> 1.25; twin 1.2 and 1.7 -> 1.45 -> +16 %
  assert.ok(Math.abs(c.serviceErrorPct! - 16) < 1e-9);
  assert.equal(c.measured.completed, 3);
  assert.equal(c.twin.completed, 2);
});

test("sync: a host that is really off is stopped in the twin, one really on is started; hosts with an action in progress are left", () => {
  const { twin } = buildReadyTwin({ scenario: SCENARIO, source: "test", seed: 1 });
  assert.equal(twin.hostTotals(0).state, HOST_ON);
  const changes = syncTwin(twin, [host(0, "off"), host(1, "failed", { busy: true })]);
  assert.deepEqual(changes.map((c) => [c.host, c.action]), [[0, "stop"]]);
  assert.equal(twin.hostTotals(0).state, HOST_OFF);
  assert.equal(twin.hostTotals(1).state, HOST_ON, "busy host untouched");
  const back = syncTwin(twin, [host(0, "on"), host(1, "on")]);
  assert.deepEqual(back.map((c) => [c.host, c.action]), [[0, "start"]]);
  assert.ok([HOST_BOOTING, HOST_ON].includes(twin.hostTotals(0).state as 1 | 2));
});

test("validate: starts over the limit are refused, deployments onto hosts not really on are held back", () => {
  const hosts = [host(0, "on"), host(1, "booting"), host(2, "off"), host(3, "off")];
  const v = validate(
    {
      provision: [{ host: 2, action: "start" }, { host: 3, action: "start" }, { host: 0, action: "stop" }],
      deploy: [
        { request: 1, variant: "full", hosts: [0] },
        { request: 2, variant: "full", hosts: [1] },
      ],
    },
    hosts,
    { maxVms: 2 },
  );
  // allocated after the stop of 0: host 1; max 2 -> host 2 fits, host 3 does not
  assert.deepEqual(v.decision.provision, [{ host: 2, action: "start" }, { host: 0, action: "stop" }]);
  assert.deepEqual(v.refused.map((r) => r.host), [3]);
  assert.deepEqual(v.decision.deploy!.map((d) => d.request), [1]);
  assert.equal(v.heldBack, 1);
  const plan = targetPlan(
    { provision: [{ host: 2, action: "start" }], deploy: [{ request: 1, variant: "full", hosts: [0] }, { request: 5, variant: "full", hosts: [0] }] },
    [{ kind: "deploy", target: "request 5" }],
    { pending: [{ id: 1, app: 0, arrival: 0.25, deadline: 3, size: 2 }, { id: 5, app: 0, arrival: 0.5, deadline: 3, size: 1 }] } as never,
  );
  assert.deepEqual(plan.deploy, [{ id: 1, app: 0, variant: "full", hosts: [0], size: 2, arrivalS: 0.25 }]);
  assert.deepEqual(plan.provision, [{ host: 2, action: "start" }]);
});

function pair(id: number, variant: "full" | "layer", frags: Array<[number, number, number, number]>): PairedRequest {
  // [index, host, mi, cpuS]
  return {
    id,
    app: 0,
    variant,
    hosts: frags.map((f) => f[1]),
    arrivalS: 0,
    twinResponseS: null,
    measuredResponseS: 1,
    measuredWaitS: 0,
    measured: {
      id,
      app: 0,
      variant,
      size: 1,
      arrivalS: 0,
      dispatchS: 0,
      endS: 1,
      status: "completed",
      fragments: frags.map(([index, h, mi, cpuS]) => ({ index, host: h, mi, waitS: 0, computeS: cpuS, roundTripS: cpuS + 0.004, bytesIn: 0, bytesOut: 0 })),
    },
  };
}

test("calibration recovers host speeds and fragment factors from consistent CPU times", () => {
  const model = buildTwinModel(SCENARIO, "test");
  // true figures: host 0 runs 1000 MIPS, host 1 2000; full's fragment costs 0.5 x its MI, layer's first 1.5 x.
  // time = MI x factor / MIPS: full (100 MI) 0.05 s on h0, 0.025 s on h1; layer/0 (50 MI) 0.075 s on h0, 0.0375 s on h1.
  // The factors are scaled to keep the total MI (see below), so they come out 1.2 x the true ones.
  const pairs = [
    pair(0, "full", [[0, 0, 100, 0.05]]),
    pair(1, "full", [[0, 1, 100, 0.025]]),
    pair(2, "layer", [[0, 0, 50, 0.075]]),
    pair(3, "layer", [[0, 1, 50, 0.0375]]),
  ];
  const fit = fitFromFragments(model, pairs, [{ host: 0, action: "start", outcome: "applied", retries: 0, tookS: 2 }, { host: 0, action: "start", outcome: "applied", retries: 0, tookS: 4 }]);
  // Sum MI = 300; sum MI x true factor = 2 x 50 + 2 x 75 = 250; scale c = 300 / 250 = 1.2.
  assert.ok(Math.abs(fit.fragmentFactor["0/full/0"] - 0.6) < 1e-6, `full ${fit.fragmentFactor["0/full/0"]}`);
  assert.ok(Math.abs(fit.fragmentFactor["0/layer/0"] - 1.8) < 1e-6);
  assert.ok(Math.abs(fit.hostMips[0]! - 1200) < 1e-3, `h0 ${fit.hostMips[0]}`);
  assert.ok(Math.abs(fit.hostMips[1]! - 2400) < 1e-3);
  assert.ok(Math.abs(fit.overheadS - 0.004) < 1e-12);
  assert.deepEqual(fit.bootS, [3, null]);
  const sc = calibratedScenario(SCENARIO, model, { ...fit, contention: [0.5, 1] }, "test");
  const m2 = buildTwinModel(sc, "calibrated");
  assert.ok(Math.abs(m2.mips[0] - 600) < 1e-3, "speed x contention factor");
  assert.ok(Math.abs(m2.mips[1] - 2400) < 1e-3);
  // full's fragment: 100 MI x 0.6 + the overhead 0.004 s x mean speed (1800) = 67.2 MI
  assert.ok(Math.abs(m2.fragMI[m2.vFragBase[m2.variantId(0, "full")]] - (60 + 0.004 * 1800)) < 1e-6);
  assert.equal(m2.latencyS, 0);
  assert.equal(m2.pricePerHour[0], 3.6);
  assert.equal(m2.bootS[0], 3);
});

test("replaying a run's steps into a twin gives its predictions for the same requests", () => {
  const sc = { ...SCENARIO, workload: { ...SCENARIO.workload, ratePerInterval: 2 } };
  const a = buildReadyTwin({ scenario: sc, source: "test", seed: 4 });
  const steps: Array<{ t: number; kind: "decision"; decision: { deploy: Array<{ request: number; variant: "full"; hosts: number[] }> } }> = [];
  for (let k = 0; k < 3; k++) {
    a.twin.runUntil(k);
    const obs = a.twin.observe();
    const d = { deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [p.id % 2] })) };
    steps.push({ t: a.twin.now, kind: "decision", decision: d });
    a.twin.apply(d);
  }
  a.twin.runUntil(20);
  const b = buildReadyTwin({ scenario: sc, source: "test", seed: 4 });
  const recs = replaySteps(b.twin, steps, 1);
  const ends = (rs: typeof recs) => rs.filter((r) => r.status === "completed").map((r) => [r.id, r.end]);
  assert.ok(ends(recs).length > 0);
  assert.deepEqual(ends(recs), ends(a.twin.requestRecords));
});
