import type { Observation, ProvisionAction } from "../types.ts";
import type { ProvisioningPart, ProvisioningPlan } from "./parts.ts";

/** Keeps the hosts as they are (the scenario's initial fleet). */
export class StaticProvisioning implements ProvisioningPart {
  readonly name = "static";
  decide(_obs: Observation, _plan: ProvisioningPlan): ProvisionAction[] {
    return [];
  }
  clone(): StaticProvisioning {
    return this;
  }
}
