/**
 * The continuation policy: what the look-ahead assumes happens after the candidate decision, and
 * the baselines the search starts from. The continuation must be cheap (it runs in every fork,
 * every interval of the horizon) and realistic: the default is the strongest baseline family -
 * target tracking (it starts hosts when load grows, so a candidate that leaves capacity short is
 * charged the boot delay and the requests that wait for it), each application's least-work
 * variant upgraded with the capacity left while every host on is needed anyway (headroom.ts), and
 * least-work placement (the host with the least outstanding work, by its own account). A course
 * that fixes an application's variant replaces the headroom rule in the forks it steers.
 */
import type { VariantKind } from "../simulator/catalogue/applications.ts";
import type { TwinModel } from "../simulator/model.ts";
import { ComposedPolicy } from "../simulator/policies/compose.ts";
import { LeastWork } from "../simulator/policies/least-work.ts";
import { StaticProvisioning } from "../simulator/policies/static-provisioning.ts";
import type { DeploymentPart } from "../simulator/policies/parts.ts";
import { createPolicy, type PolicyContext } from "../simulator/policies/registry.ts";
import { TargetTracking } from "../simulator/policies/target-tracking.ts";
import { HOST_BOOTING, HOST_DRAINING, HOST_OFF, HOST_ON, type Decision, type Observation, type PendingRequest, type Policy } from "../simulator/types.ts";
import { HeadroomVariant } from "./headroom.ts";

/** Preference order of variants: compressed is about as accurate as full at a third of the work. */
const PREFERENCE: readonly VariantKind[] = ["compressed", "full", "layer", "semantic"];

/** Per application, the first variant in PREFERENCE that the scenario offers for it (or an override). */
export class PreferredVariant implements DeploymentPart {
  readonly name = "preferred";
  private readonly kinds: VariantKind[];
  constructor(model: TwinModel, overrides?: ReadonlyArray<VariantKind | null>) {
    this.kinds = model.apps.map((_, a) => overrides?.[a] ?? PREFERENCE.find((k) => model.variantId(a, k) >= 0) ?? model.variants[0]);
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

/** The default continuation: target tracking, headroom variants, least-work placement. */
export function defaultContinuation(model: TwinModel): Policy {
  return new DefaultContinuation(model, new TargetTracking(), new PreferredVariant(model));
}

/**
 * How the look-ahead continues a candidate's course: a candidate that keeps fewer (or more) vCPUs
 * on than the continuation would, or serves an application with another variant, is assumed to
 * keep doing so over the horizon - a decision is judged as the policy it stands for, not as one
 * step after which the continuation undoes it. (Otherwise deferring a scale-out always looks
 * cheap: the continuation would do it one interval later.)
 */
export interface Course {
  /** the utilisation target the continuation's target tracking keeps (undefined: its own) */
  target?: number;
  /** vCPUs on (or booting) above what that target tracking chose now; negative: fewer */
  offsetVcpus: number;
  /** per application: the variant to serve its requests with, or null for the continuation's own */
  variants: Array<VariantKind | null>;
}

/**
 * Share of the fleet by which target tracking's need may fall short of it and still count as
 * needing every host: its need follows the arrival rate of the last minute, which varies by a few
 * per cent from one interval to the next (at 70 % load on the scinet fleet the need is the whole
 * fleet, 32 vCPUs, and a strict test failed on 30 % of the forks' decisions).
 */
const NEED_SLACK = 0.1;

/**
 * The share of the interval's capacity the continuation's headroom rule may fill: all of it when
 * every host is on (no upgrade can start one) and target tracking needs every one of them for the
 * least-work variants' work (no upgrade keeps a host on that would go); else none. Not at the
 * first decision, where target tracking has seen no arrival rate and counts the whole queue as a
 * backlog. Filling a fleet that can still grow, up to the target utilisation, was tried: the
 * upgrades' load hovers at target tracking's threshold and ratchets the fleet up (on
 * `scinet-load-35` seed 101 the oracle's VM cost went from 0.073 to 0.118 USD).
 */
function headroomShare(obs: Observation, tracking: TargetTracking): number {
  const h = obs.hosts;
  let capacity = 0;
  let smallest = Infinity;
  let off = 0;
  for (let i = 0; i < h.count; i++) {
    if (h.state[i] === HOST_OFF || h.state[i] === HOST_DRAINING) off++;
    if (h.state[i] !== HOST_ON && h.state[i] !== HOST_BOOTING) continue;
    capacity += h.vcpus[i];
    smallest = Math.min(smallest, h.vcpus[i]);
  }
  return obs.interval > 0 && off === 0 && capacity > 0 && tracking.flowNeedVcpus > capacity - smallest - NEED_SLACK * capacity ? 1 : 0;
}

class DefaultContinuation extends ComposedPolicy {
  constructor(
    readonly model: TwinModel,
    readonly tracking: TargetTracking,
    readonly preferred: PreferredVariant,
    steered = false,
  ) {
    super(tracking, !steered ? new HeadroomVariant(0, (obs) => headroomShare(obs, tracking)) : preferred, new LeastWork());
  }
  override clone(): DefaultContinuation {
    const c = new DefaultContinuation(this.model, this.tracking.clone(), this.preferred, this.deployment === this.preferred);
    c.tracker = this.tracker.clone();
    return c;
  }
  steer(course: Course): DefaultContinuation {
    const variants = course.variants.some((v) => v !== null) ? new PreferredVariant(this.model, course.variants) : this.preferred;
    const c = new DefaultContinuation(this.model, this.tracking.tuned(course.target ?? this.tracking.target, course.offsetVcpus), variants, variants !== this.preferred);
    c.tracker = this.tracker.clone();
    return c;
  }
}

/** The continuation steered along a candidate's course (a continuation by name other than the default is not steerable: its copy). */
export function steer(continuation: Policy, course: Course | undefined): Policy {
  if (course && continuation instanceof DefaultContinuation) return continuation.steer(course);
  return continuation.clone();
}

/** A continuation by name: "default", or any policy name the registry knows (e.g. static+full+first-fit). */
export function continuationPolicy(name: string, ctx: PolicyContext): Policy {
  return name === "default" ? defaultContinuation(ctx.model) : createPolicy(name, ctx);
}

/**
 * The baselines the search starts from (besides the continuation's own decision), so that in its
 * own look-ahead the oracle is never worse than them: the strongest of `cotwin compare` on the
 * built-in scenarios, each provisioning rule with the preferred variant and with the
 * deadline-aware chooser.
 */
export const SEED_POLICIES = [
  "static+compressed+least-loaded",
  "threshold+compressed+least-loaded",
  "target+deadline+least-loaded",
  "static+deadline+least-loaded",
  "static+compressed+least-work",
  "target+deadline+least-work",
];

/**
 * Utilisation targets the oracle also starts from (besides the continuation's 70 %), each as a
 * course: the provisioning target tracking at that level would choose now, kept over the
 * look-ahead. A practitioner's 70 % is cautious; whether a fuller fleet keeps every deadline at
 * this load is what the look-ahead measures.
 */
export const SEED_TARGETS = [0.8, 0.9];

/** Target tracking at another utilisation target, sharing nothing with the continuation but its kind. */
export function targetSeed(model: TwinModel, target: number): Policy {
  return new DefaultContinuation(model, new TargetTracking(target), new PreferredVariant(model));
}

/**
 * The oracle's own heuristic seeds (headroom.ts): the least-work variants, upgraded with the
 * capacity left this interval, on least-work placement, with the hosts as they are and with
 * target tracking's.
 */
export function headroomSeeds(): Policy[] {
  return [
    new ComposedPolicy(new StaticProvisioning(), new HeadroomVariant(), new LeastWork()),
    new ComposedPolicy(new StaticProvisioning(), new HeadroomVariant(-0.1), new LeastWork()),
    new ComposedPolicy(new TargetTracking(), new HeadroomVariant(), new LeastWork()),
  ];
}

/** Tells a policy that only advised (a seed, the continuation) which decision was applied. */
export function noteAppliedTo(p: Policy, obs: Observation, decision: Decision): void {
  if (p instanceof ComposedPolicy) p.applied(obs, decision);
}

export function seedPolicies(ctx: PolicyContext): Policy[] {
  const out: Policy[] = [...headroomSeeds()];
  for (const name of SEED_POLICIES) {
    try {
      out.push(createPolicy(name, ctx));
    } catch {
      // a variant the scenario does not offer: that seed does not apply
    }
  }
  return out;
}
