import { pickBest, type PlacementPart, type PlacementState } from "./parts.ts";

/**
 * The host with the fewest placed fragments per vCPU. Ties go to the host with the most CPU
 * credits left (a host without a credit bucket counts as unlimited), then to the lowest number.
 * Breaking ties by host number alone sends every lone fragment of a lightly loaded fleet to
 * hosts 0 and 1, which over a long run spend their B-series credits while the others bank theirs.
 */
export class LeastLoaded implements PlacementPart {
  readonly name = "least-loaded";
  pick(s: PlacementState, ramMB: number): number {
    const v = s.obs.hosts.vcpus;
    const credits = s.obs.hosts.credits;
    const left = (h: number): number => (credits[h] === credits[h] ? credits[h] : Infinity);
    return pickBest(s, ramMB, (a, b) => {
      const la = s.placed[a] / v[a];
      const lb = s.placed[b] / v[b];
      return la < lb || (la === lb && left(a) > left(b));
    });
  }
  clone(): LeastLoaded {
    return new LeastLoaded();
  }
}
