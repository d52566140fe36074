import { fitsRam, fitsWithFreeCpu, type PlacementPart, type PlacementState } from "./parts.ts";

/** Cycles through the hosts, starting after the last one used, taking the next that fits. */
export class RoundRobin implements PlacementPart {
  readonly name = "round-robin";
  private next = 0;
  pick(s: PlacementState, ramMB: number): number {
    const n = s.obs.hosts.count;
    for (const fits of [fitsWithFreeCpu, fitsRam]) {
      for (let k = 0; k < n; k++) {
        const h = (this.next + k) % n;
        if (fits(s, h, ramMB)) {
          this.next = (h + 1) % n;
          return h;
        }
      }
    }
    return -1;
  }
  clone(): RoundRobin {
    const c = new RoundRobin();
    c.next = this.next;
    return c;
  }
}
