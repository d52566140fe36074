import type { Observation, ProvisionAction } from "../types.ts";
import type { ProvisioningPart } from "./parts.ts";

/** Keeps the hosts as they are (the scenario's initial fleet). */
export class StaticProvisioning implements ProvisioningPart {
  readonly name = "static";
  decide(_obs: Observation): ProvisionAction[] {
    return [];
  }
  clone(): StaticProvisioning {
    return this;
  }
}
