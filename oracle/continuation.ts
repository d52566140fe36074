/**
 * The continuation policy: what the look-ahead assumes happens after the candidate decision.
 * It must be cheap (it runs in every fork, every interval of the horizon) and neutral: it keeps
 * the hosts as the candidate left them, so the score shows the candidate's provisioning, and it
 * serves new requests with each application's preferred variant on the least loaded host.
 */
import type { TwinModel } from "../simulator/model.ts";
import type { Observation, PendingRequest, Policy } from "../simulator/types.ts";
import type { VariantKind } from "../simulator/catalogue/applications.ts";
import { ComposedPolicy } from "../simulator/policies/compose.ts";
import { LeastLoaded } from "../simulator/policies/least-loaded.ts";
import type { DeploymentPart } from "../simulator/policies/parts.ts";
import { createPolicy, type PolicyContext } from "../simulator/policies/registry.ts";
import { StaticProvisioning } from "../simulator/policies/static-provisioning.ts";
import { ThresholdAutoscaler } from "../simulator/policies/threshold-autoscaler.ts";

/** Preference order of variants: compressed is about as accurate as full at a third of the work. */
const PREFERENCE: readonly VariantKind[] = ["compressed", "full", "layer", "semantic"];

/** Per application, the first variant in PREFERENCE that the scenario offers for it. */
export class PreferredVariant implements DeploymentPart {
  readonly name = "preferred";
  private readonly kinds: VariantKind[];
  constructor(model: TwinModel) {
    this.kinds = model.apps.map((_, a) => PREFERENCE.find((k) => model.variantId(a, k) >= 0) ?? model.variants[0]);
  }
  choose(_obs: Observation, req: PendingRequest): VariantKind {
    return this.kinds[req.app];
  }
  usual(_obs: Observation, app: number): VariantKind {
    return this.kinds[app];
  }
  clone(): PreferredVariant {
    return this;
  }
}

/** The default continuation: static provisioning, preferred variant, least-loaded placement. */
export function defaultContinuation(model: TwinModel): Policy {
  return new ComposedPolicy(new StaticProvisioning(), new PreferredVariant(model), new LeastLoaded());
}

/** The same, but provisioning by the threshold autoscaler (one of the oracle's starting points). */
export function thresholdSeedPolicy(model: TwinModel): Policy {
  return new ComposedPolicy(new ThresholdAutoscaler(), new PreferredVariant(model), new LeastLoaded());
}

/** A continuation by name: "default", or any policy name the registry knows (e.g. static+full+first-fit). */
export function continuationPolicy(name: string, ctx: PolicyContext): Policy {
  return name === "default" ? defaultContinuation(ctx.model) : createPolicy(name, ctx);
}
