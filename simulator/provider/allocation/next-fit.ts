import type { HostTable, VmTable } from "../entities.ts";
import { CapacityTree } from "./capacity-tree.ts";
import { firstFitCircular } from "./circular-search.ts";
import type { VmAllocationPolicy } from "./policy.ts";

/**
 * Next fit, which is what CloudSim Plus calls VmAllocationPolicyFirstFit: the search starts at
 * the host that took the previous VM and wraps around. Same result as first fit until a VM
 * leaves a host; cheaper in a datacenter that fills up front to back.
 */
export function nextFit(hosts: HostTable, vms: VmTable): VmAllocationPolicy {
  const tree = new CapacityTree(hosts);
  let last = 0;
  return {
    name: "next-fit",
    findHost(v) {
      const h = firstFitCircular(tree, hosts, vms, v, last);
      if (h >= 0) last = h;
      return h;
    },
    hostChanged(h) {
      tree.update(h);
    },
  };
}
