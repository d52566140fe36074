import type { VariantKind } from "../catalogue/applications.ts";
import type { Observation, PendingRequest } from "../types.ts";
import type { DeploymentPart, PlacementTrial } from "./parts.ts";

/** Always the same deployment variant (always full, always compressed, ...). */
export class FixedVariant implements DeploymentPart {
  readonly name: string;
  constructor(readonly kind: VariantKind) {
    this.name = kind;
  }
  choose(_obs: Observation, _req: PendingRequest, _trial: (kind: VariantKind) => PlacementTrial | null): VariantKind {
    return this.kind;
  }
  usual(_obs: Observation, _app: number): VariantKind {
    return this.kind;
  }
  clone(): FixedVariant {
    return this;
  }
}
