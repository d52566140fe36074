import type { RandomStream } from "../engine/random.ts";
import { fitsRam, fitsWithFreeCpu, type PlacementPart, type PlacementState } from "./parts.ts";

/** A host drawn uniformly among those that fit (from the policy's own seeded stream). */
export class RandomPlacement implements PlacementPart {
  readonly name = "random";
  constructor(private rng: RandomStream) {}
  pick(s: PlacementState, ramMB: number): number {
    for (const fits of [fitsWithFreeCpu, fitsRam]) {
      const candidates: number[] = [];
      for (let h = 0; h < s.obs.hosts.count; h++) if (fits(s, h, ramMB)) candidates.push(h);
      if (candidates.length > 0) return candidates[Math.floor(this.rng.next() * candidates.length)];
    }
    return -1;
  }
  clone(): RandomPlacement {
    return new RandomPlacement(this.rng.clone());
  }
}
