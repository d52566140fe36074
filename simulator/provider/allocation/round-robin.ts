import type { HostTable, VmTable } from "../entities.ts";
import { CapacityTree } from "./capacity-tree.ts";
import { firstFitCircular } from "./circular-search.ts";
import type { VmAllocationPolicy } from "./policy.ts";

/**
 * Round robin (CloudSim Plus VmAllocationPolicyRoundRobin): each VM goes to the first suitable
 * host after the one that took the previous VM, wrapping around, so VMs spread over all hosts.
 */
export function roundRobin(hosts: HostTable, vms: VmTable): VmAllocationPolicy {
  const tree = new CapacityTree(hosts);
  let next = 0;
  return {
    name: "round-robin",
    findHost(v) {
      const h = firstFitCircular(tree, hosts, vms, v, next);
      if (h >= 0) next = h + 1 === hosts.count ? 0 : h + 1;
      return h;
    },
    hostChanged(h) {
      tree.update(h);
    },
  };
}
