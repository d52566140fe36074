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
 * The exact suitability test every policy ends with: free PEs, per-PE MIPS, RAM, bandwidth and
 * storage all cover the VM (PEs are dedicated to VMs; RAM is never over-committed).
 */
export function fits(hosts: HostTable, vms: VmTable, h: number, v: number): boolean {
  return (
    hosts.freePes[h] >= vms.pes[v] &&
    hosts.mipsPerPe[h] >= vms.mips[v] &&
    hosts.freeRamMB[h] >= vms.ramMB[v] &&
    hosts.freeBwMbps[h] >= vms.bwMbps[v] &&
    hosts.freeStorageMB[h] >= vms.storageMB[v]
  );
}
