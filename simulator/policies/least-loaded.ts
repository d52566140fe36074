import { pickBest, type PlacementPart, type PlacementState } from "./parts.ts";

/** The host with the fewest placed fragments per vCPU (ties: lowest number). */
export class LeastLoaded implements PlacementPart {
  readonly name = "least-loaded";
  pick(s: PlacementState, ramMB: number): number {
    const v = s.obs.hosts.vcpus;
    return pickBest(s, ramMB, (a, b) => s.placed[a] / v[a] < s.placed[b] / v[b]);
  }
  clone(): LeastLoaded {
    return new LeastLoaded();
  }
}
