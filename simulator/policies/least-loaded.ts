import type { PlacementPart, PlacementState } from "./parts.ts";

/**
 * The host with the fewest placed fragments per vCPU. Ties go to the host with the most CPU
 * credits left (a host without a credit bucket counts as unlimited), then to the lowest number.
 * Breaking ties by host number alone sends every lone fragment of a lightly loaded fleet to
 * hosts 0 and 1, which over a long run spend their B-series credits while the others bank theirs.
 * Like every placement rule it tries the hosts with a free vCPU first, then any with the RAM
 * (parts.ts pickBest); written out here without closures because the oracle's look-ahead places
 * every request of every fork with it.
 */
export class LeastLoaded implements PlacementPart {
  readonly name = "least-loaded";
  pick(s: PlacementState, ramMB: number): number {
    const x = s.obs.hosts;
    const v = x.vcpus;
    const credits = x.credits;
    for (let pass = 0; pass < 2; pass++) {
      let best = -1;
      let bestLoad = Infinity;
      let bestLeft = -Infinity;
      for (let h = 0; h < x.count; h++) {
        if (s.usable[h] !== 1 || s.ramFree[h] < ramMB) continue;
        if (pass === 0 && s.placed[h] >= v[h]) continue; // first pass: a free vCPU
        const load = s.placed[h] / v[h];
        const left = credits[h] === credits[h] ? credits[h] : Infinity;
        if (best < 0 || load < bestLoad || (load === bestLoad && left > bestLeft)) {
          best = h;
          bestLoad = load;
          bestLeft = left;
        }
      }
      if (best >= 0) return best;
    }
    return -1;
  }
  clone(): LeastLoaded {
    return this;
  }
}
