import type { HostTable, VmTable } from "../entities.ts";
import { CapacityTree } from "./capacity-tree.ts";
import { firstFitCircular } from "./circular-search.ts";
import type { VmAllocationPolicy } from "./policy.ts";

/**
 * Next fit, which is what CloudSim Plus calls VmAllocationPolicyFirstFit (it keeps the index of
 * the last host used and tries hosts from there, wrapping around): use this policy to reproduce
 * CloudSim Plus's placements. It differs from first fit whenever a VM fits a gap left on an
 * earlier host: VMs of 6, 4 and 2 PEs on two 8-PE hosts go to [0, 1, 1] here, [0, 1, 0] under
 * first fit.
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
