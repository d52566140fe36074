import type { HostTable, VmTable } from "../entities.ts";
import { fits, type VmAllocationPolicy } from "./policy.ts";
import { KeySet } from "./key-set.ts";

/**
 * Best fit: among the hosts that can take the VM, the one with the fewest free PEs (the tightest
 * fit; ties go to the lowest host index). Hosts sit in a KeySet under key freePes * n + host, so
 * the candidates come out in exactly that order starting at freePes = the VM's PEs.
 *
 * CloudSim Plus's VmAllocationPolicyBestFit ranks hosts by PEs in use instead; for identical
 * hosts the two orders are the same.
 */
export function bestFit(hosts: HostTable, vms: VmTable): VmAllocationPolicy {
  const n = hosts.count;
  const set = new KeySet((hosts.maxPes + 1) * n);
  const keyOf = new Float64Array(n);
  for (let h = 0; h < n; h++) {
    keyOf[h] = hosts.freePes[h] * n + h;
    set.add(keyOf[h]);
  }
  return {
    name: "best-fit",
    findHost(v) {
      for (let key = set.next(vms.pes[v] * n); key >= 0; key = set.next(key + 1)) {
        const h = key % n;
        if (fits(hosts, vms, h, v)) return h;
      }
      return -1;
    },
    hostChanged(h) {
      set.delete(keyOf[h]);
      keyOf[h] = hosts.freePes[h] * n + h;
      set.add(keyOf[h]);
    },
  };
}
