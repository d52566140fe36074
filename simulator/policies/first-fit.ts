import { pickBest, type PlacementPart, type PlacementState } from "./parts.ts";

/** The lowest-numbered host that fits. */
export class FirstFit implements PlacementPart {
  readonly name = "first-fit";
  pick(s: PlacementState, ramMB: number): number {
    return pickBest(s, ramMB, () => false);
  }
  clone(): FirstFit {
    return new FirstFit();
  }
}
