import type { HostTable, VmTable } from "../entities.ts";

/**
 * Chooses a host for each VM (CloudSim's VmAllocationPolicy). The datacenter owns the capacity
 * bookkeeping: it asks `findHost`, places the VM if a host was returned, and reports every change
 * of a host's free capacity through `hostChanged` so a policy can keep its own index up to date.
 */
export interface VmAllocationPolicy {
  readonly name: string;
  /** The host for VM v, or -1 when no host can take it. May move the policy's own cursor. */
  findHost(v: number): number;
  /** Host h's free capacity changed (a VM was placed on it or left it). */
  hostChanged(h: number): void;
}

export type VmAllocationPolicyFactory = (hosts: HostTable, vms: VmTable) => VmAllocationPolicy;

/**
 * The exact suitability test every policy ends with: CPU, RAM, bandwidth and storage all cover
 * the VM (RAM is never over-committed). CPU is free PEs of at least the VM's MIPS under a
 * space-shared VM scheduler (PEs are dedicated to VMs), or as many PEs as the VM and its total
 * MIPS free under a time-shared one (CloudSim Plus VmSchedulerTimeShared.isSuitableForVmInternal).
 */
export function fits(hosts: HostTable, vms: VmTable, h: number, v: number): boolean {
  return (
    hosts.capPes[h] >= vms.pes[v] &&
    hosts.capMips[h] >= vms.demMips[v] &&
    hosts.freeRamMB[h] >= vms.ramMB[v] &&
    hosts.freeBwMbps[h] >= vms.bwMbps[v] &&
    hosts.freeStorageMB[h] >= vms.storageMB[v]
  );
}
