/**
 * The Azure target against a fake Azure Resource Manager on 127.0.0.1 (test/helpers/fake-arm.ts):
 * the real SDK code path, with only the endpoint and the credential replaced. One test per fault
 * the online loop must survive; each ends with no duplicate and no orphaned VM, counted from the
 * fake's resources and the journal (test/helpers/fault-report.ts).
 */
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Decision, Observation, Policy } from "../../simulator/types.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { runLoop } from "../../deploy/loop.ts";
import { startWorker, type RunningWorker } from "../../deploy/testbed/worker.ts";
import { isOurs } from "../../deploy/azure/naming.ts";
import type { ActionOutcome, TargetObservation } from "../../deploy/types.ts";
import { FakeArm } from "../helpers/fake-arm.ts";
import { faultCounts, recordFaultOutcome } from "../helpers/fault-report.ts";
import { azureScenario, RecordingClock, RG, TEST_TOKEN, testTarget, type TestTargetSpec } from "../helpers/azure.ts";

let worker: RunningWorker;

before(async () => {
  worker = await startWorker({ token: TEST_TOKEN, host: 0, vcpus: 2, listen: "127.0.0.1", port: 0 });
});
after(async () => {
  await worker.close();
});

async function withFake<T>(fn: (fake: FakeArm, spec: Omit<TestTargetSpec, "scenario">) => Promise<T>): Promise<T> {
  const fake = new FakeArm();
  await fake.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-azure-"));
  try {
    return await fn(fake, { fakeUrl: fake.url, subscription: fake.subscription, journalFile: path.join(dir, "journal.jsonl"), workerPort: worker.port });
  } finally {
    await fake.stop();
  }
}

/** Observes until `done` holds (actions end in the background), collecting outcomes. */
async function observeUntil(t: { observe(): Promise<TargetObservation> }, done: (outs: ActionOutcome[], o: TargetObservation) => boolean, ms = 8000): Promise<{ outcomes: ActionOutcome[]; last: TargetObservation }> {
  const outcomes: ActionOutcome[] = [];
  const until = Date.now() + ms;
  for (;;) {
    const o = await t.observe();
    outcomes.push(...o.actions);
    if (done(outcomes, o)) return { outcomes, last: o };
    if (Date.now() > until) throw new Error(`not done after ${ms} ms: ${JSON.stringify(outcomes)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function ours(fake: FakeArm, type: Parameters<FakeArm["list"]>[0], deployment = "t1") {
  return fake.list(type, RG).filter((r) => isOurs(r.tags, deployment));
}

function settleAndCount(name: string, fake: FakeArm, journal: import("../../deploy/journal.ts").Journal, deployment = "t1") {
  const c = faultCounts(fake, RG, deployment, journal);
  recordFaultOutcome(name, c);
  assert.deepEqual(c, { duplicates: 0, orphans: 0 }, `${name}: duplicates and orphans`);
  assert.deepEqual(journal.check(), [], "journal consistent");
  assert.deepEqual(journal.open(), [], "every intent has an outcome");
}

test("a start creates a tagged VM, NIC, IP and disk; the security group admits only the controller to the worker port; SSH stays closed; the token goes only into cloud-init", async () => {
  await withFake(async (fake, spec) => {
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(2) });
    await target.open([0, 1]);
    for (const type of ["virtualMachines", "networkInterfaces", "publicIPAddresses", "disks"] as const) {
      const rs = fake.list(type, RG);
      assert.equal(rs.length, 2, type);
      for (const r of rs) {
        assert.equal(r.tags?.["cotwin-owner"], "cotwin", `${type} ${r.name} tagged`);
        assert.equal(r.tags?.["cotwin-deployment"], "t1");
        assert.equal(r.tags?.costCenter, "cc-42", "extra tags from the config");
      }
    }
    assert.deepEqual(fake.list("virtualMachines", RG).map((v) => v.name).sort(), ["cotwin-t1-h0", "cotwin-t1-h1"]);
    const nsg = fake.list("networkSecurityGroups", RG);
    assert.equal(nsg.length, 1);
    const rules = nsg[0].properties.securityRules as Array<{ properties: { sourceAddressPrefix: string; destinationPortRange: string; access: string; direction: string } }>;
    assert.equal(rules.length, 1);
    assert.deepEqual(
      { src: rules[0].properties.sourceAddressPrefix, port: rules[0].properties.destinationPortRange, access: rules[0].properties.access, dir: rules[0].properties.direction },
      { src: "203.0.113.7/32", port: "8790", access: "Allow", dir: "Inbound" },
    );
    // the token travels in the VM's customData (cloud-init) and nowhere in what the fake returns
    const put = fake.requests.find((r) => r.method === "PUT" && r.path.includes("/virtualMachines/cotwin-t1-h0"))!;
    const cd = Buffer.from((put.body as { properties: { osProfile: { customData: string } } }).properties.osProfile.customData, "base64").toString("utf8");
    assert.match(cd, /^#cloud-config/);
    assert.ok(cd.includes(TEST_TOKEN));
    assert.match(cd, /path: \/etc\/cotwin\/worker.json\n {4}permissions: '0600'/);
    assert.equal((put.body as { properties: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: boolean } } } }).properties.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
    assert.ok(!JSON.stringify(fake.get(RG, "virtualMachines", "cotwin-t1-h0")).includes(TEST_TOKEN));
    const status = await target.status();
    assert.ok(Math.abs(status.reduce((s, r) => s + r.pricePerHour, 0) - 2 * 0.0207) < 1e-12, "status prices the two B1ms VMs");
    settleAndCount("create", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("SSH is opened only when asked, and only from the address given", async () => {
  await withFake(async (fake, spec) => {
    const { target } = testTarget({ ...spec, scenario: azureScenario(1), tuning: { sshFrom: "198.51.100.0/24" } });
    await target.open([0]);
    const rules = fake.list("networkSecurityGroups", RG)[0].properties.securityRules as Array<{ name: string; properties: { sourceAddressPrefix: string; destinationPortRange: string } }>;
    assert.deepEqual(
      rules.map((r) => [r.properties.destinationPortRange, r.properties.sourceAddressPrefix]),
      [["8790", "203.0.113.7/32"], ["22", "198.51.100.0/24"]],
    );
    await target.close({ stopHosts: false });
  });
});

test("429 with Retry-After and transient 500s are retried, waiting at least what was asked", async () => {
  await withFake(async (fake, spec) => {
    const clock = new RecordingClock();
    fake.fault({ method: "PUT", type: "virtualMachines", then: { status: 429, code: "TooManyRequests", retryAfter: "1" } });
    fake.fault({ method: "PUT", type: "networkInterfaces", times: 2, then: { status: 500, code: "InternalServerError" } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1), clock });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].outcome, "applied");
    assert.equal(outcomes[0].retries, 3, "one 429 and two 500s");
    assert.ok(clock.waits.some((w) => w >= 1000), `a wait of at least Retry-After 1 s (waits ${clock.waits.map((w) => w.toFixed(0))})`);
    assert.equal(fake.vmCreations.length, 1);
    settleAndCount("throttled", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("a create that fails is checked again, then cleaned up: no VM, NIC or IP left, the error has its code", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", then: { lro: "fail", code: "InvalidParameter", message: "The value of parameter imageReference is invalid." } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1), tuning: { recheckMs: 100 } });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes, last } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].outcome, "failed");
    assert.equal(outcomes[0].error?.code, "InvalidParameter");
    assert.equal(last.hosts[0].phase, "off");
    assert.equal(ours(fake, "virtualMachines").length, 0);
    assert.equal(ours(fake, "networkInterfaces").length, 0);
    assert.equal(ours(fake, "publicIPAddresses").length, 0);
    settleAndCount("create-fails", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("a VM that never finishes provisioning is given up on after the timeout, re-checked, then deleted", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", then: { lro: "never" } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1), tuning: { provisionTimeoutMs: 300, recheckMs: 200 } });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].outcome, "failed");
    assert.equal(outcomes[0].error?.code, "ProvisioningTimeout");
    assert.equal(ours(fake, "virtualMachines").length, 0);
    assert.ok(journal.records.some((r) => r.kind === "failed" && r.note?.includes("still Creating")), "the re-check saw it still creating");
    settleAndCount("never-finishes", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("a create reported failed whose VM finishes provisioning later is kept and accounted for, not deleted", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", then: { lro: "failThenSucceed", code: "OSProvisioningTimedOut", message: "OS Provisioning for VM did not finish in the allotted time. The VM may still finish provisioning successfully.", succeedAfterGets: 3 } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1) });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    let billed = 0;
    const { outcomes, last } = await observeUntil(target, (o, obs) => {
      billed += obs.hosts[0].billedS;
      return o.length > 0;
    });
    assert.equal(outcomes[0].outcome, "applied", JSON.stringify(outcomes));
    assert.equal(last.hosts[0].phase, "on");
    assert.ok(billed > 0, "billed while it was being checked");
    assert.equal(ours(fake, "virtualMachines").length, 1);
    assert.equal(fake.vmCreations.length, 1, "not created twice");
    assert.equal(fake.requests.filter((r) => r.method === "DELETE").length, 0, "nothing deleted");
    assert.ok(journal.records.some((r) => r.kind === "adopted" && r.note?.includes("OSProvisioningTimedOut")));
    settleAndCount("fail-then-succeed", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("the controller killed between the create call and its journal record: the restart adopts the VM, no duplicate, the journal ends every intent", async () => {
  await withFake(async (fake, spec) => {
    const child = fork(fileURLToPath(new URL("../helpers/azure-child.ts", import.meta.url)), [fake.url, fake.subscription, spec.journalFile, String(spec.workerPort)], { execArgv: ["--import", "tsx"], stdio: "ignore" });
    const killed = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    fake.fault({ method: "PUT", type: "virtualMachines", then: { onPoll: () => child.kill("SIGKILL") } });
    await killed;
    // Azure finishes the create the dead controller asked for.
    const vm = fake.get(RG, "virtualMachines", "cotwin-t1-h0")!;
    assert.ok(vm, "the create reached Azure");
    vm.properties.provisioningState = "Succeeded";
    vm.power = "running";
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(2) });
    const open = journal.open();
    assert.deepEqual(open.map((i) => [i.op, i.resource, i.name]), [["create", "vm", "cotwin-t1-h0"]], "the journal knew the create was in flight");
    await target.open([0]);
    assert.equal(fake.vmCreations.length, 1, "no second VM");
    assert.equal(ours(fake, "networkInterfaces").length, 1, "the NIC is reused");
    assert.ok(journal.records.some((r) => r.kind === "adopted" && r.note?.includes("after a restart")));
    const o = await target.observe();
    assert.equal(o.hosts[0].phase, "on");
    settleAndCount("killed-after-create", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("garbage collection adopts a healthy tagged VM the journal does not know and deletes a failed one, but only after the grace period", async () => {
  await withFake(async (fake, spec) => {
    const old = new Date(Date.now() - 3600_000).toISOString();
    const tags = (h: number, created = old) => ({ "cotwin-owner": "cotwin", "cotwin-deployment": "t1", "cotwin-host": String(h), "cotwin-created": created });
    fake.seed(RG, "virtualMachines", "cotwin-t1-h1", { hardwareProfile: { vmSize: "Standard_B1ms" } }, tags(1));
    fake.seed(RG, "virtualMachines", "cotwin-t1-h7", { provisioningState: "Failed" }, tags(7));
    fake.seed(RG, "networkInterfaces", "cotwin-t1-h5-nic", {}, tags(5));
    fake.seed(RG, "networkInterfaces", "cotwin-t1-h4-nic", {}, tags(4, new Date().toISOString()));
    fake.seed(RG, "publicIPAddresses", "cotwin-t1-h1-ip", { ipAddress: "127.0.0.1" }, tags(1));
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(2), tuning: { gcGraceMs: 600_000 } });
    await target.open([]);
    assert.ok(fake.get(RG, "virtualMachines", "cotwin-t1-h1"), "adopted, kept");
    assert.equal(fake.get(RG, "virtualMachines", "cotwin-t1-h7"), undefined, "failed and unknown: deleted");
    assert.equal(fake.get(RG, "networkInterfaces", "cotwin-t1-h5-nic"), undefined, "NIC without a VM: deleted");
    assert.ok(fake.get(RG, "networkInterfaces", "cotwin-t1-h4-nic"), "younger than the grace period: left");
    assert.ok(journal.records.some((r) => r.kind === "found" && r.action === "adopted" && r.name === "cotwin-t1-h1"));
    const o = await observeUntil(target, (_, obs) => obs.hosts[1].phase === "on");
    assert.equal(o.last.hosts[1].phase, "on", "the adopted VM serves as host 1");
    await target.close({ stopHosts: false });
  });
});

test("a VM delete that leaves its NIC behind (NIC still reserved): the NIC is collected later", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", then: { lro: "fail", code: "InvalidParameter" } });
    fake.fault({ method: "DELETE", type: "virtualMachines", then: { leaveNic: true } });
    fake.fault({ method: "DELETE", type: "networkInterfaces", times: 2, then: { status: 400, code: "NicReservedForAnotherVm", message: "Nic is reserved for another VM" } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1), tuning: { recheckMs: 50 } });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    await observeUntil(target, (o) => o.length > 0);
    // the cleanup's NIC delete was refused once; garbage collection's first try is refused too, its second succeeds
    await observeUntil(target, () => ours(fake, "networkInterfaces").length === 0);
    assert.equal(ours(fake, "virtualMachines").length, 0);
    assert.ok(journal.records.some((r) => r.kind === "found" && r.resource === "nic" && r.action === "collected"));
    settleAndCount("nic-left", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("SKU not available: the next size that fits is used, and said so", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", size: "Standard_B1ms", then: { status: 409, code: "SkuNotAvailable", message: "The requested VM size Standard_B1ms is currently not available in location 'eastus'." } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1, "Standard_B1ms") });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const events: string[] = [];
    const { outcomes, last } = await observeUntil(target, (o, obs) => {
      events.push(...obs.events.map((e) => e.message));
      return o.length > 0;
    });
    // Standard_B1ms: 1 vCPU, 2 GiB; the cheapest catalogue size with at least that is Standard_B2s (0.0416 USD/h)
    assert.equal(outcomes[0].outcome, "applied");
    assert.equal(outcomes[0].size, "Standard_B2s");
    assert.equal(last.hosts[0].pricePerHour, 0.0416);
    assert.equal((fake.get(RG, "virtualMachines", "cotwin-t1-h0")!.properties.hardwareProfile as { vmSize: string }).vmSize, "Standard_B2s");
    assert.ok(events.some((e) => e.includes("SkuNotAvailable") && e.includes("Standard_B1ms")));
    assert.ok(events.some((e) => e.includes("runs Standard_B2s instead of Standard_B1ms")));
    settleAndCount("sku", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("an allocation failure reported by the long-running operation: the failed VM is deleted, the fallback made under the same name", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", size: "Standard_B1ms", then: { lro: "fail", code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region." } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1, "Standard_B1ms") });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].outcome, "applied");
    assert.equal(outcomes[0].size, "Standard_B2s");
    assert.deepEqual(fake.vmCreations, ["cotwin-t1-h0", "cotwin-t1-h0"], "created, deleted (failed), created again on the fallback size");
    assert.equal(ours(fake, "virtualMachines").length, 1);
    settleAndCount("allocation", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("quota exceeded takes out the size's family; with nothing left under the price limit the error says why", async () => {
  await withFake(async (fake, spec) => {
    const quota = { status: 409, code: "OperationNotAllowed", message: "Operation could not be completed as it results in exceeding approved standardBSFamily Cores quota." };
    fake.fault({ method: "PUT", type: "virtualMachines", size: "Standard_B1ms", then: quota });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(2, "Standard_B1ms") });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    // every B-series size is out (one quota family); the cheapest other fit is Standard_F2s_v2 (0.0846 USD/h)
    assert.equal(outcomes[0].size, "Standard_F2s_v2");
    settleAndCount("quota", fake, journal);
    await target.close({ stopHosts: false });
  });
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "virtualMachines", size: "Standard_B1ms", then: { status: 409, code: "SkuNotAvailable" } });
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(1, "Standard_B1ms"), tuning: { maxUsdPerHour: 0.03 } });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].outcome, "failed");
    assert.equal(outcomes[0].error?.code, "SkuNotAvailable");
    assert.match(outcomes[0].error?.hint ?? "", /next size that fits/);
    settleAndCount("no-size", fake, journal);
    await target.close({ stopHosts: false });
  });
});

test("a missing role is reported with its code and the role to give", async () => {
  await withFake(async (fake, spec) => {
    fake.fault({ method: "PUT", type: "networkSecurityGroups", then: { status: 403, code: "AuthorizationFailed", message: "The client does not have authorization to perform action 'Microsoft.Network/networkSecurityGroups/write'." } });
    const { target } = testTarget({ ...spec, scenario: azureScenario(1) });
    await target.apply({ provision: [{ host: 0, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.length > 0);
    assert.equal(outcomes[0].error?.code, "AuthorizationFailed");
    assert.match(outcomes[0].error?.hint ?? "", /Contributor role/);
    assert.equal(fake.vmCreations.length, 0);
    await target.close({ stopHosts: false });
  });
});

test("untagged resources in the group are never touched, not even one with a cotwin name; teardown leaves them", async () => {
  await withFake(async (fake, spec) => {
    fake.seed(RG, "virtualMachines", "someone-elses-vm", {});
    fake.seed(RG, "networkInterfaces", "someone-elses-nic", {});
    fake.seed(RG, "virtualMachines", "cotwin-t1-h1", {}); // our name, not our tags
    fake.seed(RG, "disks", "cotwin-t1-h1-osdisk", {});
    const { target, journal } = testTarget({ ...spec, scenario: azureScenario(2) });
    await target.open([0]);
    await target.observe(); // host 0's start
    await target.apply({ provision: [{ host: 1, action: "start" }], deploy: [] });
    const { outcomes } = await observeUntil(target, (o) => o.some((x) => x.host === 1));
    const one = outcomes.find((x) => x.host === 1)!;
    assert.equal(one.outcome, "failed");
    assert.equal(one.error?.code, "NotOwnedByCotwin");
    const report = await target.teardown();
    assert.deepEqual(report.left, []);
    for (const [type, name] of [["virtualMachines", "someone-elses-vm"], ["networkInterfaces", "someone-elses-nic"], ["virtualMachines", "cotwin-t1-h1"], ["disks", "cotwin-t1-h1-osdisk"]] as const) {
      assert.ok(fake.get(RG, type, name), `${name} still there`);
      assert.deepEqual(fake.mutationsOf(RG, type, name), [], `no call changed ${name}`);
    }
    assert.equal(ours(fake, "virtualMachines").length, 0, "ours are gone");
    assert.equal(ours(fake, "networkSecurityGroups").length, 0);
    settleAndCount("untagged", fake, journal);
    await target.close({ stopHosts: false });
  });
});

/** A policy that asks for every host, every interval (to push against the limits). */
class Greedy implements Policy {
  readonly name = "greedy";
  decide(o: Observation): Decision {
    const provision = [];
    for (let h = 0; h < o.hosts.count; h++) if (o.hosts.state[h] === 0) provision.push({ host: h, action: "start" as const });
    return { provision };
  }
  clone(): Policy {
    return new Greedy();
  }
}

test("the limits hold in the loop: never more VMs or USD per hour than allowed, whatever the policy asks", async () => {
  await withFake(async (fake, spec) => {
    const sc = azureScenario(4, "Standard_B1ms", "off");
    const { target, journal, axis } = testTarget({ ...spec, scenario: sc });
    const ready = buildReadyTwin({ scenario: sc, source: "test", seed: 1 });
    let maxSeen = 0;
    const orig = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...items) => {
      maxSeen = Math.max(maxSeen, ours(fake, "virtualMachines").length);
      return orig(...items);
    };
    await target.open([]);
    const r = await runLoop({ ready, policy: new Greedy(), target, intervals: 6, axis, limits: { maxVms: 2, maxUsdPerHour: 0.05 } });
    // B1ms costs 0.0207 USD/h: 0.05 USD/h admits 2, --max-vms admits 2
    assert.ok(maxSeen <= 2, `at most 2 VMs at any time, saw ${maxSeen}`);
    assert.equal(ours(fake, "virtualMachines").length, 2);
    assert.ok(r.actions.refused >= 2, `refused ${r.actions.refused}`);
    let twinOn = 0;
    for (let h = 0; h < 4; h++) if (ready.twin.hostTotals(h).state !== 0) twinOn++;
    assert.equal(twinOn, 2, "the twin counts only the hosts really allowed");
    settleAndCount("limits", fake, journal);
    await target.close({ stopHosts: false });
  });
});
