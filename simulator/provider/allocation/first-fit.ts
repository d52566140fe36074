import type { HostTable, VmTable } from "../entities.ts";
import { CapacityTree } from "./capacity-tree.ts";
import { fits, type VmAllocationPolicy } from "./policy.ts";

/**
 * First fit: the lowest-numbered host that can take the VM, exactly as a scan from host 0 would
 * find it, but through a capacity tree (O(log n) per VM instead of O(n)).
 *
 * CloudSim Plus's VmAllocationPolicyFirstFit resumes from the last host it used (next fit, see
 * next-fit.ts); the two agree whenever no VM has left a host.
 */
export function firstFit(hosts: HostTable, vms: VmTable): VmAllocationPolicy {
  const tree = new CapacityTree(hosts);
  return {
    name: "first-fit",
    findHost(v) {
      for (let from = 0; ; ) {
        const h = tree.firstFrom(from, vms, v);
        if (h < 0 || fits(hosts, vms, h, v)) return h;
        from = h + 1;
      }
    },
    hostChanged(h) {
      tree.update(h);
    },
  };
}
