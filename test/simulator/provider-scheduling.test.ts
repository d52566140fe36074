import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runProvider } from "../../simulator/provider/run.ts";
import type { ProviderScenario } from "../../simulator/provider/scenario.ts";

const close = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ""} ${a} != ${b}`);

// One host of 2 PEs x 1,000 MIPS (curve IBM x3250: 41.6 ... 113 W), one VM of 2 PEs x 1,000
// MIPS on it, and three cloudlets bound to that VM:
//   c0: 2 PEs, 10,000 MI, submitted at 0
//   c1: 1 PE,   4,000 MI, submitted at 0
//   c2: 1 PE,   3,000 MI, submitted at 5
function tiny(scheduler: "space-shared" | "time-shared"): ProviderScenario {
  return {
    name: `tiny-${scheduler}`,
    view: "provider",
    hosts: { count: 1, pes: 2, mipsPerPe: 1000, ramMB: 4096, bwMbps: 1000, powerCurve: "ibm-x3250" },
    vms: { count: 1, pes: 2, mips: 1000, ramMB: 1024, bwMbps: 100 },
    cloudlets: [
      { count: 1, pes: 2, lengthMI: 10_000 },
      { count: 1, pes: 1, lengthMI: 4_000 },
      { count: 1, pes: 1, lengthMI: 3_000, submitS: 5 },
    ],
    cloudletScheduler: scheduler,
  };
}

describe("cloudlet schedulers: hand-computed completion times", () => {
  it("space-shared: a cloudlet that finds no free PE waits in FIFO order", () => {
    // c0 holds both PEs 0-10 (10,000 MI per PE at 1,000 MIPS). c1 waits and starts at 10, ends 14.
    // c2 arrives at 5, queues behind c1, and starts at 10 on the second PE: ends 13.
    const r = runProvider(tiny("space-shared"), { seed: 1 });
    const cl = r.cloudlets;
    assert.deepEqual([...cl.startS], [0, 10, 10]);
    assert.deepEqual([...cl.finishS], [10, 14, 13]);
    // responses 10, 14, 8 (c2 was submitted at 5): mean 32/3, p95 = the largest of 3 = 14
    close(r.summary.meanResponseS, 32 / 3);
    assert.equal(r.summary.p95ResponseS, 14);
    assert.equal(r.summary.simulatedS, 14);
    // host utilisation: 1 on 0-13 (both PEs busy), 0.5 on 13-14 -> 113 W * 13 s + 73 W * 1 s
    close(r.summary.energyKWh * 3.6e6, 113 * 13 + 73);
  });

  it("time-shared: processor sharing among the VM's cloudlets", () => {
    // 0-5: PEs asked 3 > 2, each cloudlet PE runs at 2000/3 MIPS: c0 and c1 each do 3,333.3 MI.
    // 5: c2 arrives, 4 PEs asked, 500 MIPS each. c1 has 666.7 MI left: done at 5 + 4/3 = 19/3.
    // 19/3: 3 PEs asked, 666.7 MIPS each. c2 has 3,000 - 666.7 = 2,333.3 left: 3.5 s, done 59/6.
    // 59/6: c0 alone at 1,000 MIPS; it has done 3,333.3 + 666.7 + 2,333.3 = 6,333.3 of 10,000:
    // 3.667 s more, done at 13.5 (check: 27,000 MI of work on a 2,000-MIPS VM busy throughout).
    const r = runProvider(tiny("time-shared"), { seed: 1 });
    const cl = r.cloudlets;
    assert.deepEqual([...cl.startS], [0, 0, 5]);
    close(cl.finishS[0], 13.5, "c0");
    close(cl.finishS[1], 19 / 3, "c1");
    close(cl.finishS[2], 59 / 6, "c2");
    // The VM is fully busy all the time: host utilisation 1 for 13.5 s at 113 W.
    close(r.summary.energyKWh * 3.6e6, 113 * 13.5);
  });

  it("CloudSim Plus semantics: length is per PE; utilisation scales speed; too-wide cloudlets", () => {
    const base: ProviderScenario = {
      name: "semantics",
      view: "provider",
      hosts: { count: 1, pes: 8, mipsPerPe: 1000, ramMB: 8192, bwMbps: 1000 },
      vms: { count: 1, pes: 4, mips: 1000, ramMB: 1024, bwMbps: 100 },
      cloudlets: { count: 1, pes: 2, lengthMI: 10_000 },
    };
    // 2 PEs x 10,000 MI on 1,000-MIPS PEs: 10 s, not 20 s (length is per PE).
    assert.equal(runProvider(base, { seed: 1 }).cloudlets.finishS[0], 10);
    // 50 % utilisation: half the MIPS, 20 s (CloudSim Plus issue #56).
    assert.equal(runProvider({ ...base, cloudlets: { count: 1, pes: 2, lengthMI: 10_000, utilisation: 0.5 } }, { seed: 1 }).cloudlets.finishS[0], 20);
    // 5 PEs on a 4-PE VM: time-shared runs it at 4/5 speed (12.5 s, as CloudSim Plus does) ...
    const wide = { count: 1, pes: 5, lengthMI: 10_000 };
    const ts = runProvider({ ...base, cloudlets: wide, cloudletScheduler: "time-shared" }, { seed: 1 });
    assert.equal(ts.cloudlets.finishS[0], 12.5);
    // ... space-shared can never give it 5 PEs, so it is rejected with a reason, not left waiting.
    const ss = runProvider({ ...base, cloudlets: wide, cloudletScheduler: "space-shared" }, { seed: 1 });
    assert.deepEqual(ss.summary.requests, { arrived: 1, completed: 0, late: 0, rejected: 1, failed: 0, unfinished: 0 });
    assert.deepEqual(ss.summary.decisionRejections, { "cloudlet needs more PEs than its vm": 1 });
  });

  it("submission delays: response time is finish minus submission", () => {
    // 4 cloudlets of 1 PE x 2,000 MI on a 1-PE VM, submitted every 1 s from t = 3, space-shared:
    // they run back to back, 2 s each: start 3, 5, 7, 9 and finish 5, 7, 9, 11;
    // responses 2, 3, 4, 5 (mean 3.5).
    const r = runProvider(
      {
        name: "delays",
        view: "provider",
        hosts: { count: 1, pes: 1, mipsPerPe: 1000, ramMB: 1024, bwMbps: 100 },
        vms: { count: 1, pes: 1, mips: 1000, ramMB: 512, bwMbps: 10 },
        cloudlets: { count: 4, pes: 1, lengthMI: 2000, submitS: 3, submitIntervalS: 1 },
      },
      { seed: 1 },
    );
    assert.deepEqual([...r.cloudlets.startS], [3, 5, 7, 9]);
    assert.deepEqual([...r.cloudlets.finishS], [5, 7, 9, 11]);
    assert.equal(r.summary.meanResponseS, 3.5);
  });
});
