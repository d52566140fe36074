import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POWER_CURVES, powerAt } from "../../simulator/provider/power-curves.ts";
import { runProvider } from "../../simulator/provider/run.ts";
import type { ProviderScenario } from "../../simulator/provider/scenario.ts";

const close = (a: number, b: number, msg?: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${msg ?? ""} ${a} != ${b}`);

// IBM x3250 (SPEC power_ssj2008-20091104-00213): 41.6, 46.7, 52.3, 57.9, ... , 113 W.
const x3250 = Float64Array.from(POWER_CURVES["ibm-x3250"]);

describe("power curve", () => {
  it("interpolates linearly between the 10 % points and rejects utilisation outside [0, 1]", () => {
    assert.equal(powerAt(x3250, 0, 0), 41.6);
    assert.equal(powerAt(x3250, 0, 1), 113); // the last point, no index past the table
    close(powerAt(x3250, 0, 0.25), 55.1); // halfway between 52.3 (20 %) and 57.9 (30 %)
    close(powerAt(x3250, 0, 0.15), 49.5); // halfway between 46.7 and 52.3
    close(powerAt(x3250, 0, 0.95), 109); // halfway between 105 and 113
    assert.throws(() => powerAt(x3250, 0, 1.2), RangeError);
    assert.throws(() => powerAt(x3250, 0, -0.1), RangeError);
    assert.throws(() => powerAt(x3250, 0, NaN), RangeError);
  });
});

// Two hosts of 4 PEs x 1,000 MIPS on the x3250 curve; one VM of 1 PE x 1,000 MIPS (first fit puts
// it on host 0); one cloudlet of 1 PE x 10,000 MI.
function oneCloudlet(utilisation: number, emptyHosts: "off" | "idle", price = 0): ProviderScenario {
  return {
    name: "power",
    view: "provider",
    hosts: { count: 2, pes: 4, mipsPerPe: 1000, ramMB: 4096, bwMbps: 1000, powerCurve: "ibm-x3250" },
    vms: { count: 1, pes: 1, mips: 1000, ramMB: 1024, bwMbps: 100 },
    cloudlets: { count: 1, pes: 1, lengthMI: 10_000, utilisation },
    emptyHosts,
    hostPricePerHour: price,
  };
}

describe("host energy", () => {
  it("constant utilisation over a known time: power at u times duration", () => {
    // Host 0 uses 1,000 of 4,000 MIPS: u = 0.25 -> 55.1 W for 10 s = 551 J; host 1 has no VM: off.
    const r = runProvider(oneCloudlet(1, "off"), { seed: 1 });
    assert.equal(r.summary.simulatedS, 10);
    close(r.hosts[0].energyKWh * 3.6e6, 551);
    assert.equal(r.hosts[1].energyKWh, 0);
    close(r.summary.energyKWh * 3.6e6, 551);
    close(r.hosts[0].meanUtilisation, 0.25);
    assert.equal(r.hosts[0].busyS, 10);
  });

  it("utilisation below 1 slows the cloudlet and lowers the host's power", () => {
    // u = 0.6: 600 MIPS, 10,000 / 600 = 16.67 s; host u = 600 / 4,000 = 0.15 -> 49.5 W; 825 J.
    const r = runProvider(oneCloudlet(0.6, "off"), { seed: 1 });
    close(r.summary.simulatedS, 50 / 3);
    close(r.summary.energyKWh * 3.6e6, 825);
  });

  it("empty hosts left idle draw the 0 % point and are billed", () => {
    // Host 1 idles at 41.6 W for 10 s = 416 J; both hosts billed 10 s at $3.60/h = $0.01 each.
    const r = runProvider(oneCloudlet(1, "idle", 3.6), { seed: 1 });
    close(r.hosts[1].energyKWh * 3.6e6, 416);
    close(r.summary.energyKWh * 3.6e6, 551 + 416);
    close(r.summary.costUSD, 0.02);
    assert.equal(r.hosts[1].boots, 0);
    // When off, only host 0 is billed.
    close(runProvider(oneCloudlet(1, "off", 3.6), { seed: 1 }).summary.costUSD, 0.01);
  });

  it("per-interval energy adds up to the total and does not depend on the bucketing", () => {
    // A second cloudlet (3,000 MI) submitted at 2.5 s waits for the VM's only PE (space-shared)
    // and runs 10-13. The 50-bucket and 7-bucket integrals must both equal the host totals.
    const s: ProviderScenario = {
      ...oneCloudlet(1, "idle"),
      cloudlets: [
        { count: 1, pes: 1, lengthMI: 10_000 },
        { count: 1, pes: 1, lengthMI: 3_000, submitS: 2.5 },
      ],
    };
    for (const intervals of [50, 7]) {
      const r = runProvider({ ...s, intervals }, { seed: 1 });
      assert.equal(r.intervals.length, intervals);
      const sum = r.intervals.reduce((a, x) => a + x.energyKWh, 0);
      close(sum, r.summary.energyKWh);
      // Host 0 is at u = 0.25 throughout 0-13 (one 1,000-MIPS PE busy): 55.1 W * 13 s;
      // host 1 idles for 13 s at 41.6 W.
      close(r.summary.energyKWh * 3.6e6, 55.1 * 13 + 41.6 * 13);
    }
  });
});
