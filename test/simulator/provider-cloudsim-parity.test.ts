/**
 * The provider view against CloudSim Plus's published configuration: first fit versus next fit
 * (CloudSim Plus's VmAllocationPolicyFirstFit), the time-shared VM scheduler, stochastic cloudlet
 * CPU use, and the built-ins. Expected values worked by hand in the comments.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runProvider } from "../../simulator/provider/run.ts";
import { MONTHS_3_86_S, providerBuiltins, providerScenarioSchema, resolveProviderScenario, type ProviderScenario } from "../../simulator/provider/scenario.ts";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

const noCloudlets = { count: 0, pes: 1, lengthMI: 1 };

describe("first fit and next fit (CloudSim Plus's FirstFit)", () => {
  // VMs of 6, 4 and 2 PEs on two 8-PE hosts. First fit: 6 -> host 0 (2 left), 4 -> host 1 (4
  // left), 2 -> host 0, the lowest that fits. Next fit resumes at host 1, which still fits: host 1.
  const s = (vmAllocation: "first-fit" | "next-fit"): ProviderScenario => ({
    name: "gap",
    view: "provider",
    hosts: { count: 2, pes: 8, mipsPerPe: 1000, ramMB: 1e6, bwMbps: 1e6 },
    vms: [6, 4, 2].map((pes) => ({ count: 1, pes, mips: 1000, ramMB: 1, bwMbps: 1 })),
    cloudlets: noCloudlets,
    vmAllocation,
  });
  it("first-fit places them [0, 1, 0]", () => {
    assert.deepEqual([...runProvider(s("first-fit"), { seed: 1 }).vmHost], [0, 1, 0]);
  });
  it("next-fit places them [0, 1, 1]", () => {
    assert.deepEqual([...runProvider(s("next-fit"), { seed: 1 }).vmHost], [0, 1, 1]);
  });
});

describe("time-shared VM scheduler", () => {
  // Two hosts of 2 PEs x 10,000 MIPS. Space-shared, a VM takes whole PEs: 1-PE VMs of 3,000 MIPS,
  // 2 per host. Time-shared, VMs share PEs up to the host's 20,000 MIPS: 6 per host (18,000).
  const hosts = { count: 2, pes: 2, mipsPerPe: 10_000, ramMB: 1e6, bwMbps: 1e6, powerCurve: "ibm-x3250" as const };
  const placed = (vmScheduler: "space-shared" | "time-shared", vms: ProviderScenario["vms"]): number[] =>
    [...runProvider({ name: "ts", view: "provider", hosts, vms, cloudlets: noCloudlets, vmScheduler }, { seed: 1 }).vmHost];

  it("packs VMs by MIPS, not by whole PEs", () => {
    const vms = { count: 14, pes: 1, mips: 3000, ramMB: 1, bwMbps: 1 };
    assert.deepEqual(placed("space-shared", vms), [0, 0, 1, 1, ...new Array(10).fill(-1)]);
    assert.deepEqual(placed("time-shared", vms), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, -1, -1]);
  });

  it("a VM PE faster than a host PE fits when the host's total MIPS covers it; more PEs than the host never do", () => {
    // 15,000 MIPS on one PE: no 10,000-MIPS PE holds it (space-shared), 20,000 MIPS in total do.
    assert.deepEqual(placed("space-shared", { count: 1, pes: 1, mips: 15_000, ramMB: 1, bwMbps: 1 }), [-1]);
    assert.deepEqual(placed("time-shared", { count: 1, pes: 1, mips: 15_000, ramMB: 1, bwMbps: 1 }), [0]);
    assert.deepEqual(placed("time-shared", { count: 1, pes: 3, mips: 100, ramMB: 1, bwMbps: 1 }), [-1]);
  });

  it("VMs run at their full MIPS (no over-subscription): times and power as worked by hand", () => {
    // 6 VMs of 3,000 MIPS on host 0, one cloudlet of 30,000 MI each: 10 s each. Host 0 uses
    // 18,000 of 20,000 MIPS: u = 0.9, x3250 P(0.9) = 105 W for 10 s = 1,050 J; host 1 is empty (off).
    const r = runProvider(
      { name: "ts", view: "provider", hosts, vms: { count: 6, pes: 1, mips: 3000, ramMB: 1, bwMbps: 1 }, cloudlets: { count: 6, pes: 1, lengthMI: 30_000 }, vmScheduler: "time-shared" },
      { seed: 1, hostRows: true },
    );
    close(r.summary.meanResponseS, 10);
    close(r.summary.energyKWh * 3.6e6, 1050);
  });

  it("best-fit and worst-fit, which rank hosts by free PEs, are refused with it", () => {
    const bad = providerScenarioSchema.safeParse({ name: "x", view: "provider", hosts, vms: { count: 1, pes: 1, mips: 1, ramMB: 1, bwMbps: 1 }, cloudlets: noCloudlets, vmScheduler: "time-shared", vmAllocation: "best-fit" });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error?.issues[0].path, ["vmAllocation"]);
    assert.match(bad.error?.issues[0].message ?? "", /best-fit ranks hosts by free PEs/);
  });
});

describe("stochastic cloudlet CPU use", () => {
  // 2,000 VMs of one 1,000-MIPS PE, one cloudlet of 100,000 MI each. Utilisation is drawn
  // uniformly in (0, 1] at the start and at every 1 s frame: on average 0.5, so a cloudlet needs
  // about 100,000 / (1,000 * 0.5) = 200 s (each run sums ~200 draws; the mean over 2,000 runs is
  // within a few tenths of a second of it).
  const s: ProviderScenario = {
    name: "stochastic",
    view: "provider",
    hosts: { count: 2000, pes: 1, mipsPerPe: 1000, ramMB: 1e6, bwMbps: 1e6 },
    vms: { count: 2000, pes: 1, mips: 1000, ramMB: 1, bwMbps: 1 },
    cloudlets: { count: 2000, pes: 1, lengthMI: 100_000, utilisation: "stochastic" },
    cloudletScheduler: "time-shared",
  };
  it("a cloudlet takes length / (MIPS * 0.5) on average, and runs differ from cloudlet to cloudlet", () => {
    const r = runProvider(s, { seed: 1 });
    assert.equal(r.summary.requests.completed, 2000);
    assert.ok(Math.abs(r.summary.meanResponseS - 200) / 200 < 0.01, `mean response ${r.summary.meanResponseS}, expected about 200 s`);
    const times = [...r.cloudlets.finishS];
    assert.ok(Math.max(...times) - Math.min(...times) > 10, "every cloudlet took the same time");
  });
  it("same seed, same run; another seed, another run", () => {
    const a = runProvider(s, { seed: 5 }).summary;
    const b = runProvider(s, { seed: 5 }).summary;
    const c = runProvider(s, { seed: 6 }).summary;
    assert.equal(a.meanResponseS, b.meanResponseS);
    assert.equal(a.energyKWh, b.energyKWh);
    assert.notEqual(a.meanResponseS, c.meanResponseS);
  });
});

describe("published built-ins", () => {
  it("cloudsim-scale-published: time-shared VMs, storage-limited at 80 VMs per host, CloudSim Plus's FirstFit", () => {
    const s = resolveProviderScenario(providerBuiltins["cloudsim-scale-published"]);
    assert.equal(s.vmScheduler, "time-shared");
    assert.equal(s.vmAllocation, "next-fit");
    // 40,000 MB of host storage / 500 MB per VM = 80 (bandwidth 100, MIPS 100, RAM 500 would allow more)
    const r = runProvider(providerBuiltins["cloudsim-scale-published"], { seed: 1, hostRows: false });
    const perHost = new Map<number, number>();
    for (const h of r.vmHost) perHost.set(h, (perHost.get(h) ?? 0) + 1);
    assert.equal(perHost.size, 40_000 / 80);
    assert.ok([...perHost.values()].every((n) => n === 80));
    assert.equal(r.summary.requests.completed, 50_000);
    // stochastic CPU: about twice the 10 s a cloudlet takes at full speed
    assert.ok(Math.abs(r.summary.meanResponseS - 20) < 1, `mean response ${r.summary.meanResponseS}`);
  });
  it("cloudsim-months has 50,000 hosts, 100,000 VMs and 100,000 cloudlets arriving over 3.86 months", () => {
    const s = resolveProviderScenario(providerBuiltins["cloudsim-months"]);
    const one = <T>(g: T | T[]): T => (Array.isArray(g) ? g[0] : g);
    assert.equal(one(s.hosts).count, 50_000);
    assert.equal(one(s.vms).count, 100_000);
    const c = one(s.cloudlets);
    assert.equal(c.count, 100_000);
    // a month of 30.436875 days is 2,629,746 s; 3.86 of them 10,150,819.56 s, split into 100,000 gaps
    close(MONTHS_3_86_S, 10_150_819.56);
    close(c.submitIntervalS * 100_000, MONTHS_3_86_S);
  });
});
