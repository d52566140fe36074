import type { HostTable, VmTable } from "../entities.ts";
import type { CapacityTree } from "./capacity-tree.ts";
import { fits } from "./policy.ts";

/** First host at or after `start`, wrapping around to 0, that fits VM v; -1 when none does. */
export function firstFitCircular(tree: CapacityTree, hosts: HostTable, vms: VmTable, v: number, start: number): number {
  for (let from = start; ; ) {
    const h = tree.firstFrom(from, vms, v);
    if (h < 0) break;
    if (fits(hosts, vms, h, v)) return h;
    from = h + 1;
  }
  for (let from = 0; from < start; ) {
    const h = tree.firstFrom(from, vms, v);
    if (h < 0 || h >= start) return -1;
    if (fits(hosts, vms, h, v)) return h;
    from = h + 1;
  }
  return -1;
}
