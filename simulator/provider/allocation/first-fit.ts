import type { HostTable, VmTable } from "../entities.ts";
import { CapacityTree } from "./capacity-tree.ts";
import { fits, type VmAllocationPolicy } from "./policy.ts";

/**
 * First fit: the lowest-numbered host that can take the VM, exactly as a scan from host 0 would
 * find it, but through a capacity tree (O(log n) per VM instead of O(n)).
 *
 * CloudSim Plus's VmAllocationPolicyFirstFit is not this: it resumes from the last host it used,
 * which is next fit (next-fit.ts). The two differ even when no VM ever leaves: VMs of 6, 4 and 2
 * PEs on two 8-PE hosts go to hosts [0, 1, 0] here (the 2-PE VM fills host 0's gap) and to
 * [0, 1, 1] under next fit (the search resumes at host 1).
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
