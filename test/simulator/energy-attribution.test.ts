/**
 * Energy attribution: a VM draws its whole server's curve (`whole-server`, COSCO's convention,
 * the default) or its vCPU share of it (`vcpu-share`: s = vCPUs / server cores, P_vm(u) = s P(u)).
 * Energies worked by hand from the SPECpower points.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, run, scenario, table } from "../helpers/twin.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const job = (mi: number) => ({ variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi, ramMB: 1 }] }] }] });
const onHost0 = fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })) }));
/** 2 vCPUs of 1,000 MIPS on the IBM x3250 curve (a 4-core server in the reference notes). */
const TWO_ON_X3250 = { name: "two", vcpus: 2, ramMB: 4096, mipsPerVcpu: 1000, pricePerHour: 0, powerCurve: "ibm-x3250" };

function energy(extra: Record<string, unknown>, hosts: Record<string, unknown>[] = [{ size: "two" }]): number {
  // One fragment of 100 s on one of the two vCPUs (u = 0.5), then 100 s idle.
  const { twin } = makeTwin({ intervalS: 100, sizes: [TWO_ON_X3250], hosts, applications: job(100_000), admission: "arrival", ...extra }, 1, table([[0, 0, 1]]));
  run(twin, onHost0, 2);
  return twin.totals().energyJ;
}

test("whole-server is the default: the VM draws the server's curve", () => {
  // x3250: P(0.5) = 73 W for 100 s, P(0) = 41.6 W for 100 s: 7,300 + 4,160 = 11,460 J.
  assert.equal(scenario({ hosts: [{ size: "Standard_B2s" }] }).energyAttribution, "whole-server");
  close(energy({}), 11_460);
  close(energy({ energyAttribution: "whole-server" }), 11_460);
});

test("vcpu-share charges the VM its share of the server's cores, idle and dynamic power alike", () => {
  // 2 vCPUs of a 4-core x3250: s = 0.5. 0.5 * 73 W * 100 s + 0.5 * 41.6 W * 100 s = 5,730 J.
  close(energy({ energyAttribution: "vcpu-share" }), 5_730);
  // serverCores on the host group overrides the catalogue: 2 of 8 cores, s = 0.25: 2,865 J.
  close(energy({ energyAttribution: "vcpu-share" }, [{ size: "two", serverCores: 8 }]), 2_865);
  // observations see the attributed idle and full power: 0.5 * 41.6 and 0.5 * 113 W
  const m = buildTwinModel(scenario({ sizes: [TWO_ON_X3250], hosts: [{ size: "two" }], energyAttribution: "vcpu-share" }), "test.yaml");
  close(m.idleW[0], 20.8);
  close(m.maxW[0], 56.5);
});

test("vcpu-share without a known core count is an error naming the key to set", () => {
  // The reference notes give no core count for the IBM x3200 M2 behind the B2s curve.
  assert.throws(
    () => buildTwinModel(scenario({ hosts: [{ size: "Standard_B2s" }], energyAttribution: "vcpu-share" }), "my.yaml"),
    /my\.yaml: hosts\[0\]\.serverCores: energyAttribution vcpu-share needs the core count of the server behind power curve "ibm-x3200-m2"/,
  );
  // with it, a B2s on a 4-core server is half of it: idle 0.5 * 75.2 W
  const m = buildTwinModel(scenario({ hosts: [{ size: "Standard_B2s", serverCores: 4 }], energyAttribution: "vcpu-share" }), "my.yaml");
  close(m.idleW[0], 37.6);
  // more vCPUs than the server has cores is refused
  assert.throws(
    () => buildTwinModel(scenario({ hosts: [{ size: "Standard_B4ms", serverCores: 2 }], energyAttribution: "vcpu-share" }), "my.yaml"),
    /hosts\[0\]\.serverCores: a 4-vCPU Standard_B4ms cannot be a share of a 2-core server/,
  );
});
