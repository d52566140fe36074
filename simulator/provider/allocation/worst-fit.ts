import type { HostTable, VmTable } from "../entities.ts";
import { fits, type VmAllocationPolicy } from "./policy.ts";
import { KeySet } from "./key-set.ts";

/**
 * Worst fit (least loaded; CloudSim Plus's VmAllocationPolicySimple): among the hosts that can
 * take the VM, the one with the most free PEs, ties to the lowest host index. Hosts sit in a
 * KeySet under key (maxPes - freePes) * n + host, so candidates come out most-free first.
 */
export function worstFit(hosts: HostTable, vms: VmTable): VmAllocationPolicy {
  const n = hosts.count;
  const maxPes = hosts.maxPes;
  const set = new KeySet((maxPes + 1) * n);
  const keyOf = new Float64Array(n);
  for (let h = 0; h < n; h++) {
    keyOf[h] = (maxPes - hosts.freePes[h]) * n + h;
    set.add(keyOf[h]);
  }
  return {
    name: "worst-fit",
    findHost(v) {
      // keys at or past this bound belong to hosts with fewer free PEs than the VM needs
      const bound = (maxPes - vms.pes[v] + 1) * n;
      for (let key = set.next(0); key >= 0 && key < bound; key = set.next(key + 1)) {
        const h = key % n;
        if (fits(hosts, vms, h, v)) return h;
      }
      return -1;
    },
    hostChanged(h) {
      set.delete(keyOf[h]);
      keyOf[h] = (maxPes - hosts.freePes[h]) * n + h;
      set.add(keyOf[h]);
    },
  };
}
