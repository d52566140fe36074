import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runProvider } from "../../simulator/provider/run.ts";
import { ladderStep, providerBuiltins, providerScenarioSchema, type ProviderScenario } from "../../simulator/provider/scenario.ts";

const close = (a: number, b: number, msg?: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${msg ?? ""} ${a} != ${b}`);

// Two hosts of 4 PEs x 1,000 MIPS (IBM x3250 curve); three VMs of 4 PEs: VM 0 -> host 0,
// VM 1 -> host 1, VM 2 fits nowhere. Seven cloudlets of 2 PEs x 10,000 MI, deadline 15 s, bound
// round-robin: VM 0 gets c0, c3, c6; VM 1 gets c1, c4; VM 2 gets c2, c5 (rejected at submission).
// Space-shared: c0, c3, c1, c4 run 0-10; c6 waits for VM 0's PEs and runs 10-20.
const accounting: ProviderScenario = {
  name: "accounting",
  view: "provider",
  hosts: { count: 2, pes: 4, mipsPerPe: 1000, ramMB: 8192, bwMbps: 1000, powerCurve: "ibm-x3250" },
  vms: { count: 3, pes: 4, mips: 1000, ramMB: 1024, bwMbps: 100 },
  cloudlets: { count: 7, pes: 2, lengthMI: 10_000, deadlineS: 15 },
  hostPricePerHour: 0.36,
};

describe("provider accounting", () => {
  it("adds up with an unplaceable VM: arrived = completed + rejected + failed + unfinished", () => {
    const r = runProvider(accounting, { seed: 1 });
    const q = r.summary.requests;
    assert.deepEqual(q, { arrived: 7, completed: 5, late: 1, rejected: 2, failed: 0, unfinished: 0 });
    assert.equal(q.arrived, q.completed + q.rejected + q.failed + q.unfinished);
    assert.deepEqual(r.summary.decisionRejections, { "vm did not fit": 1, "cloudlet bound to unplaced vm": 2 });
    assert.deepEqual([...r.vmHost], [0, 1, -1]);
    // responses 10, 10, 10, 10, 20: mean 12, p95 (nearest rank 5 of 5) 20; c6 is over 15 s.
    assert.equal(r.summary.meanResponseS, 12);
    assert.equal(r.summary.p95ResponseS, 20);
    close(r.summary.lateRate, 1 / 5);
    // Energy: host 0 has all 4 PEs busy 0-10 (u = 1, 113 W) and 2 of 4 10-20 (u = 0.5, 73 W);
    // host 1 is at 113 W 0-10, then idle with its VM (41.6 W) 10-20:
    // 1,130 + 730 + 1,130 + 416 = 3,406 J.
    close(r.summary.energyKWh * 3.6e6, 3406);
    // Cost: 2 hosts x 20 s at $0.36/h = $0.004.
    close(r.summary.costUSD, 0.004);
    // Objective (weights 0.3/0.1/0.3/0.2/0.1): energy 3,406 / (2 x 113 W x 20 s) = 0.753540,
    // cost 1 (every host billed throughout), response 1 - 10/12 = 1/6, sla 0.2, rejected 2/7.
    const expected = 0.3 * (3406 / 4520) + 0.1 * 1 + 0.3 * (1 / 6) + 0.2 * 0.2 + 0.1 * (2 / 7);
    close(r.summary.objective, expected);
    assert.equal(r.summary.meanAccuracy, 1);
    assert.equal(r.summary.events, 3 + 7 + 5); // 3 placement decisions, 7 submissions, 5 completions
  });

  it("adds up when the run stops with cloudlets in flight", () => {
    // Stopped at 15: c0, c1, c3, c4 done at 10, c6 still running, c2 and c5 rejected.
    const r = runProvider({ ...accounting, maxTimeS: 15 }, { seed: 1 });
    assert.deepEqual(r.summary.requests, { arrived: 7, completed: 4, late: 0, rejected: 2, failed: 0, unfinished: 1 });
    assert.equal(r.summary.simulatedS, 15);
    // 1,130 + 5 x 73 (host 0) + 1,130 + 5 x 41.6 (host 1) = 2,833 J
    close(r.summary.energyKWh * 3.6e6, 2833);
    const last = r.intervals[r.intervals.length - 1];
    assert.equal(last.pending + last.running, 1);
    const sum = (k: "arrived" | "completed" | "rejected") => r.intervals.reduce((a, x) => a + x[k], 0);
    assert.deepEqual([sum("arrived"), sum("completed"), sum("rejected")], [7, 4, 2]);
  });

  it("does not count cloudlets submitted after the stop as arrived", () => {
    const s: ProviderScenario = { ...accounting, cloudlets: { count: 7, pes: 2, lengthMI: 10_000, submitIntervalS: 10 }, maxTimeS: 25 };
    // submissions at 0, 10, 20 (in), 30, 40, 50, 60 (after the stop)
    const q = runProvider(s, { seed: 1 }).summary.requests;
    assert.equal(q.arrived, 3);
    assert.equal(q.arrived, q.completed + q.rejected + q.failed + q.unfinished);
  });

  it("is deterministic: same seed, same summary apart from timings; another seed differs", () => {
    const s: ProviderScenario = {
      name: "det",
      view: "provider",
      hosts: [
        { count: 30, pes: 8, mipsPerPe: 2000, ramMB: 16_384, bwMbps: 1000 },
        { count: 20, pes: 4, mipsPerPe: 1000, ramMB: 8192, bwMbps: 1000, powerCurve: "huawei-rh2288h-v2" },
      ],
      vms: [
        { count: 60, pes: 2, mips: 1000, ramMB: 4096, bwMbps: 100 },
        { count: 40, pes: 4, mips: 2000, ramMB: 2048, bwMbps: 100 },
      ],
      cloudlets: { count: 500, pes: 1, lengthMI: 20_000, lengthSpread: 0.5, submitIntervalS: 0.3, deadlineS: 40 },
      vmAllocation: "best-fit",
      cloudletScheduler: "time-shared",
    };
    const strip = (x: ReturnType<typeof runProvider>) => ({ ...x.summary, wallMs: 0, decisionMs: { p50: 0, p99: 0 } });
    const stripRows = (x: ReturnType<typeof runProvider>) => x.intervals.map((row) => ({ ...row, decisionMs: 0 }));
    const a = runProvider(s, { seed: 7 });
    const b = runProvider(s, { seed: 7 });
    assert.deepEqual(strip(a), strip(b));
    assert.deepEqual(stripRows(a), stripRows(b));
    assert.deepEqual(a.hosts, b.hosts);
    assert.notEqual(runProvider(s, { seed: 8 }).summary.meanResponseS, a.summary.meanResponseS);
  });

  it("the policy option overrides the scenario and is reported", () => {
    const r = runProvider(accounting, { seed: 1, policy: "worst-fit" });
    assert.equal(r.summary.policy, "worst-fit");
    assert.throws(() => runProvider(accounting, { seed: 1, policy: "no-such-fit" }));
  });
});

describe("provider scenario schema", () => {
  it("accepts the built-ins and ladder steps, filling defaults", () => {
    for (const s of Object.values(providerBuiltins)) providerScenarioSchema.parse(s);
    const k3 = providerScenarioSchema.parse(ladderStep(3));
    assert.equal(k3.name, "cloudsim-ladder-k3");
    for (const g of [k3.hosts, k3.vms, k3.cloudlets]) assert.equal(Array.isArray(g) ? g[0].count : g.count, 20_000);
    assert.equal(k3.emptyHosts, "off");
    assert.deepEqual(k3.objectiveWeights, { energy: 0.3, cost: 0.1, response: 0.3, sla: 0.2, rejected: 0.1 });
  });

  it("rejects unknown keys, bad curves and utilisation outside (0, 1]", () => {
    const ok = accounting;
    const bad = (patch: object) => assert.throws(() => providerScenarioSchema.parse({ ...ok, ...patch }));
    bad({ colour: "blue" });
    bad({ hosts: { ...(ok.hosts as object), gpu: 1 } });
    bad({ hosts: { ...(ok.hosts as object), powerCurve: [1, 2, 3] } });
    bad({ hosts: { ...(ok.hosts as object), powerCurve: "no-such-server" } });
    bad({ cloudlets: { count: 1, pes: 1, lengthMI: 10, utilisation: 1.5 } });
    bad({ cloudlets: { count: 1, pes: 1, lengthMI: 10, utilisation: 0 } });
    bad({ view: "tenant" });
    bad({ vmAllocation: "random-fit" });
    providerScenarioSchema.parse({ ...ok, hosts: { ...(ok.hosts as object), powerCurve: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } });
  });
});
