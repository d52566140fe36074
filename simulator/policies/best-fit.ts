import { pickBest, type PlacementPart, type PlacementState } from "./parts.ts";

/** The host that fits with the least RAM left over (ties: lowest number). */
export class BestFit implements PlacementPart {
  readonly name = "best-fit";
  pick(s: PlacementState, ramMB: number): number {
    return pickBest(s, ramMB, (a, b) => s.ramFree[a] < s.ramFree[b]);
  }
  clone(): BestFit {
    return new BestFit();
  }
}
