/**
 * Policy names. A baseline is written as parts joined by "+", one per decision kind, e.g.
 * `threshold+compressed+least-loaded`; parts left out take their defaults (static provisioning,
 * full deployment, first-fit placement). Other policies (the oracle, the learner) register a
 * factory under their own name.
 */
import type { RandomStreams } from "../engine/random.ts";
import type { TwinModel } from "../model.ts";
import type { Policy } from "../types.ts";
import type { VariantKind } from "../catalogue/applications.ts";
import { BestFit } from "./best-fit.ts";
import { ComposedPolicy } from "./compose.ts";
import { FirstFit } from "./first-fit.ts";
import { FixedVariant } from "./fixed-variant.ts";
import { LeastLoaded } from "./least-loaded.ts";
import { LeastWork } from "./least-work.ts";
import type { DeploymentPart, PlacementPart, ProvisioningPart } from "./parts.ts";
import { RandomPlacement } from "./random.ts";
import { RoundRobin } from "./round-robin.ts";
import { StaticProvisioning } from "./static-provisioning.ts";
import { ThresholdAutoscaler } from "./threshold-autoscaler.ts";
import { PredictiveAutoscaler } from "./predictive-autoscaler.ts";
import { TargetTracking } from "./target-tracking.ts";
import { DeadlineVariant } from "./deadline-variant.ts";
import { IdlePolicy } from "./idle.ts";

export interface PolicyContext {
  model: TwinModel;
  seed: number;
  streams: RandomStreams;
  /** extra settings (e.g. the oracle's budget), by name */
  options?: Record<string, unknown>;
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyError";
  }
}

type PartKind = "provisioning" | "deployment" | "placement";
interface PartEntry {
  kind: PartKind;
  description: string;
  make(ctx: PolicyContext): ProvisioningPart | DeploymentPart | PlacementPart;
}

const PARTS: Record<string, PartEntry> = {
  static: { kind: "provisioning", description: "keep the scenario's hosts as they are", make: () => new StaticProvisioning() },
  threshold: { kind: "provisioning", description: "CPU-time load: start hosts above 80 %, stop empty ones below 20 %", make: () => new ThresholdAutoscaler() },
  target: {
    kind: "provisioning",
    description: "target tracking at 70 % CPU: demand from arrivals x work + backlog, scale out at once, scale in after 300 s",
    make: () => new TargetTracking(),
  },
  predictive: {
    kind: "provisioning",
    description: "start hosts ahead of the forecast arrivals, stop idle ones (scenario needs forecast)",
    make: (ctx) => {
      if (!ctx.model.hasForecast) throw new PolicyError(`policy "predictive" needs forecasts: scenario ${ctx.model.name} has no "forecast" section`);
      return new PredictiveAutoscaler();
    },
  },
  full: { kind: "deployment", description: "always the full model", make: () => new FixedVariant("full") },
  compressed: { kind: "deployment", description: "always the compressed (int8) model", make: () => new FixedVariant("compressed") },
  layer: { kind: "deployment", description: "always the layer split (chain of fragments)", make: () => new FixedVariant("layer") },
  semantic: { kind: "deployment", description: "always the semantic split (parallel fragments)", make: () => new FixedVariant("semantic") },
  deadline: { kind: "deployment", description: "the most accurate variant that meets the deadline on the hosts it would get", make: () => new DeadlineVariant() },
  "first-fit": { kind: "placement", description: "lowest-numbered host that fits", make: () => new FirstFit() },
  "best-fit": { kind: "placement", description: "host left with the least free RAM", make: () => new BestFit() },
  "least-loaded": { kind: "placement", description: "host with the fewest fragments per vCPU (ties: most CPU credits left)", make: () => new LeastLoaded() },
  "least-work": { kind: "placement", description: "host with the least outstanding work per vCPU (the policy's own account of the work it placed)", make: () => new LeastWork() },
  "round-robin": { kind: "placement", description: "next host in turn that fits", make: () => new RoundRobin() },
  random: { kind: "placement", description: "a host drawn at random among those that fit", make: (ctx) => new RandomPlacement(ctx.streams.get("policy:random")) },
};

const DEFAULTS: Record<PartKind, string> = { provisioning: "static", deployment: "full", placement: "first-fit" };

interface PolicyEntry {
  description: string;
  make(ctx: PolicyContext): Policy;
}
const POLICIES = new Map<string, PolicyEntry>();

export function registerPolicy(name: string, description: string, make: (ctx: PolicyContext) => Policy): void {
  POLICIES.set(name, { description, make });
}

registerPolicy("idle", "every host off, nothing served (the degenerate policy the objective must rank last)", () => new IdlePolicy());

export function isRegistered(name: string): boolean {
  return POLICIES.has(name);
}

export function policyCatalogue(): Array<{ name: string; kind: string; description: string }> {
  const rows: Array<{ name: string; kind: string; description: string }> = Object.entries(PARTS).map(([name, p]) => ({ name, kind: p.kind, description: p.description }));
  for (const [name, p] of POLICIES) rows.push({ name, kind: "policy", description: p.description });
  return rows;
}

export function knownPolicyNames(): string[] {
  return [...Object.keys(PARTS), ...POLICIES.keys()];
}

/**
 * The baselines `compare`, `npm start` and the learner benchmark run by default: a representative
 * few, including the best of all combinations on the load ladder (static or target tracking with
 * the compressed variant on least-work placement; see allBaselines for every combination).
 */
export const BASELINE_POLICIES = [
  "least-loaded",
  "compressed+least-loaded",
  "threshold+compressed+least-loaded",
  "target+compressed+least-loaded",
  "target+deadline+least-loaded",
  "target+deadline+best-fit",
  "compressed+least-work",
  "target+compressed+least-work",
];

/**
 * Every provisioning x deployment x placement combination the model supports (deployment parts
 * whose variant the scenario does not offer, and provisioning that needs forecasts a scenario
 * lacks, are left out): "the best baseline" means the best of all of these.
 */
export function allBaselines(model: TwinModel): string[] {
  const kinds = (k: PartKind) => Object.keys(PARTS).filter((n) => PARTS[n].kind === k);
  const out: string[] = [];
  for (const p of kinds("provisioning")) {
    if (p === "predictive" && !model.hasForecast) continue;
    for (const d of kinds("deployment")) {
      const fixed = ["full", "compressed", "layer", "semantic"].includes(d);
      if (fixed && !model.variants.includes(d as VariantKind)) continue;
      for (const pl of kinds("placement")) out.push(`${p}+${d}+${pl}`);
    }
  }
  return out;
}

export function createPolicy(name: string, ctx: PolicyContext): Policy {
  const special = POLICIES.get(name);
  if (special) return special.make(ctx);
  if (/\.(ts|mts|js|mjs)$/.test(name) || name.includes("/")) {
    throw new PolicyError(`policy file ${name} is not loaded: load it first (loadPolicyFile in simulator/policies/policy-file.ts)`);
  }
  const chosen: Partial<Record<PartKind, string>> = {};
  for (const part of name.split("+")) {
    const entry = PARTS[part];
    if (!entry) {
      throw new PolicyError(`unknown policy "${part}"${name !== part ? ` in "${name}"` : ""} (known: ${knownPolicyNames().join(", ")}; join one of each kind with "+")`);
    }
    if (chosen[entry.kind]) {
      throw new PolicyError(`policy "${name}": "${chosen[entry.kind]}" and "${part}" are both ${entry.kind} rules; give at most one of each`);
    }
    chosen[entry.kind] = part;
  }
  const pick = (k: PartKind) => PARTS[chosen[k] ?? DEFAULTS[k]].make(ctx);
  const deployment = pick("deployment") as DeploymentPart;
  const kind = (deployment as FixedVariant).kind as VariantKind | undefined;
  if (kind && !ctx.model.variants.includes(kind)) {
    throw new PolicyError(`policy "${name}" deploys the "${kind}" variant, which scenario ${ctx.model.name} does not offer (offered: ${ctx.model.variants.join(", ")})`);
  }
  return new ComposedPolicy(pick("provisioning") as ProvisioningPart, deployment, pick("placement") as PlacementPart);
}
