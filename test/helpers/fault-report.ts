/**
 * The Azure fault suite's outcome per test (duplicate and orphaned VMs), appended as JSON lines to
 * the file named by COTWIN_FAULT_REPORT when it is set: `npm run bench -- deploy` runs the suite
 * and prints the totals. The tests assert the same numbers themselves.
 */
import { appendFileSync } from "node:fs";
import type { FakeArm } from "./fake-arm.ts";
import type { Journal } from "../../deploy/journal.ts";
import { isOurs, names } from "../../deploy/azure/naming.ts";

export interface FaultCounts {
  /** VMs beyond one per host, plus VM creations no journal intent announced */
  duplicates: number;
  /** tagged VMs the journal does not know, plus tagged NICs, IPs and disks whose VM is gone */
  orphans: number;
}

export function faultCounts(fake: FakeArm, rg: string, deployment: string, journal: Journal): FaultCounts {
  const n = names(deployment);
  const vms = fake.list("virtualMachines", rg).filter((r) => isOurs(r.tags, deployment));
  const hosts = new Set(vms.map((v) => n.hostOf(v.name)));
  const announced = new Map<string, number>();
  for (const r of journal.records) if (r.kind === "intent" && r.op === "create" && r.resource === "vm") announced.set(r.name, (announced.get(r.name) ?? 0) + 1);
  const created = new Map<string, number>();
  for (const name of fake.vmCreations) created.set(name, (created.get(name) ?? 0) + 1);
  let unannounced = 0;
  for (const [name, c] of created) if (name.startsWith(`cotwin-${deployment}-`)) unannounced += Math.max(0, c - (announced.get(name) ?? 0));
  const known = journal.known();
  const vmNames = new Set(vms.map((v) => v.name));
  let orphans = vms.filter((v) => !known.has(v.name)).length;
  for (const type of ["networkInterfaces", "publicIPAddresses", "disks"] as const) {
    for (const r of fake.list(type, rg)) {
      if (!isOurs(r.tags, deployment)) continue;
      if (!vmNames.has(n.vm(n.hostOf(r.name)))) orphans++;
    }
  }
  return { duplicates: vms.length - hosts.size + unannounced, orphans };
}

export function recordFaultOutcome(test: string, c: FaultCounts): void {
  const file = process.env.COTWIN_FAULT_REPORT;
  if (file) appendFileSync(file, JSON.stringify({ test, ...c }) + "\n");
}
