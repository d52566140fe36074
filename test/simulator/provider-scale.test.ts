import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLOUDLET_DONE } from "../../simulator/provider/entities.ts";
import { runProvider } from "../../simulator/provider/run.ts";
import { providerBuiltins } from "../../simulator/provider/scenario.ts";

describe("cloudsim-scale (20,000 hosts, 40,000 VMs, 50,000 cloudlets)", () => {
  it("completes every cloudlet at the hand-derived 10 s, with first-fit's 2 VMs per host", () => {
    // First fit: 8-PE hosts take two 4-PE VMs each (RAM 2 x 2,000 of 1,000,000 MB, bw 2 x 1,000 of
    // 100,000), so VM v lands on host floor(v / 2) and all 40,000 fit.
    // Round-robin binding: VMs 0-9,999 get 2 cloudlets (i and i + 40,000), the others 1. A VM has
    // 4 PEs, so even two 2-PE cloudlets run at once under space-shared: nobody waits.
    // VMs are placed at time 0 with no creation delay and cloudlets are submitted at 0 (no
    // submission delay by default), so each runs 10,000 MI per PE at 1,000 MIPS: 0 -> 10 s.
    // (CloudSim Plus reports finish times a little after 10 s because its VM creation and
    // broker messages take simulated time; this model has none.)
    const r = runProvider(providerBuiltins["cloudsim-scale"], { seed: 1 });
    assert.deepEqual(r.summary.requests, { arrived: 50_000, completed: 50_000, late: 0, rejected: 0, failed: 0, unfinished: 0 });
    for (let v = 0; v < 40_000; v++) if (r.vmHost[v] !== v >> 1) assert.fail(`vm ${v} on host ${r.vmHost[v]}`);
    const cl = r.cloudlets;
    for (let c = 0; c < cl.count; c++) {
      if (cl.status[c] !== CLOUDLET_DONE || cl.startS[c] !== 0 || cl.finishS[c] !== 10) {
        assert.fail(`cloudlet ${c}: status ${cl.status[c]}, ${cl.startS[c]} -> ${cl.finishS[c]}`);
      }
    }
    assert.equal(r.summary.simulatedS, 10);
    assert.equal(r.summary.meanResponseS, 10);
    assert.equal(r.summary.p95ResponseS, 10);
    // Energy (IBM x3650 M2 curve, 81.4 W at 0 %, 110 W at 10 %; host capacity 400,000 MIPS):
    // hosts 0-4,999 carry VMs 0-9,999 with 4 busy PEs each: 8,000 MIPS, u = 0.02 -> 87.12 W;
    // hosts 5,000-19,999 carry 2 x 2 busy PEs: 4,000 MIPS, u = 0.01 -> 84.26 W.
    // 10 s x (5,000 x 87.12 + 15,000 x 84.26) W = 16,995,000 J = 4.7208333 kWh.
    assert.ok(Math.abs(r.summary.energyKWh - 16_995_000 / 3.6e6) < 1e-9);
    assert.equal(r.summary.decisionRejections["vm did not fit"], undefined);
    assert.equal(r.hosts.length, 20_000);
    // Speed is the benchmark's business (simulator/provider/bench.ts), not a test's.
  });
});
