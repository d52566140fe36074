import type { VariantKind } from "../catalogue/applications.ts";
import { HOST_ON, type Decision, type Deployment, type Observation, type PendingRequest, type Policy } from "../types.ts";
import { estimateResponseS, referenceMips, variantWorkS } from "./estimate.ts";
import type { DeploymentPart, PlacementPart, PlacementState, PlacementTrial, ProvisioningPart, ProvisioningPlan } from "./parts.ts";
import { WorkTracker } from "./work-tracker.ts";

/**
 * A baseline policy made of a provisioning, a deployment and a placement part. Requests are
 * handled in arrival order; a request whose fragments do not all fit stays pending. It keeps an
 * account of the work it placed on each host (work-tracker.ts), which the placement and
 * deployment parts may weigh.
 */
export class ComposedPolicy implements Policy {
  readonly name: string;
  /** the work this policy placed and the hosts still hold (its own estimate) */
  tracker = new WorkTracker();
  constructor(
    readonly provisioning: ProvisioningPart,
    readonly deployment: DeploymentPart,
    readonly placement: PlacementPart,
  ) {
    this.name = `${provisioning.name}+${deployment.name}+${placement.name}`;
  }

  decide(obs: Observation): Decision {
    const mips = referenceMips(obs);
    const plan: ProvisioningPlan = { workS: (app) => variantWorkS(obs, app, this.deployment.usual(obs, app), mips) };
    const provision = this.provisioning.decide(obs, plan);
    this.tracker.observe(obs);
    const h = obs.hosts;
    const usable = new Uint8Array(h.count);
    for (let i = 0; i < h.count; i++) usable[i] = h.state[i] === HOST_ON ? 1 : 0;
    for (const p of provision) if (p.action === "stop" && p.host >= 0 && p.host < h.count) usable[p.host] = 0;
    const state: PlacementState = { obs, usable, ramFree: h.ramFreeMB.slice(), placed: h.placed.slice(), remainingMI: this.tracker.remainingMI };
    this.deployment.prepare?.(obs, state);
    const deploy: Deployment[] = [];
    // one trial function for the whole decision (made once: this loop runs in every look-ahead fork)
    let req: PendingRequest = obs.pending[0];
    const trial = (kind: VariantKind): PlacementTrial | null => {
      // placement parts may carry state (round-robin's turn, random's stream): try on copies
      const hosts = placeAll(obs, req, kind, state, this.placement.clone(), false, this.tracker);
      return hosts ? { hosts, responseS: estimateResponseS(obs, req, kind, hosts, state.placed) } : null;
    };
    for (req of obs.pending) {
      const kind = this.deployment.choose(obs, req, trial);
      const hosts = placeAll(obs, req, kind, state, this.placement, true, this.tracker);
      if (hosts) deploy.push({ request: req.id, variant: kind, hosts });
    }
    return { provision, deploy };
  }

  /**
   * Tells the policy which decision was applied at `obs` when it was only asked for advice (the
   * oracle starts its search from baselines' decisions, then applies its own): its account of
   * the hosts' work then follows what they really hold.
   */
  applied(obs: Observation, decision: Decision): void {
    this.tracker.redo(obs, decision);
  }

  clone(): ComposedPolicy {
    const c = new ComposedPolicy(this.provisioning.clone(), this.deployment.clone(), this.placement.clone());
    c.tracker = this.tracker.clone();
    return c;
  }
}

/**
 * Places every fragment of `kind` for `req` with `placement`, or none (returns null). With
 * `commit` the RAM and fragment counts in `state` keep the placement; without, they are restored.
 */
function placeAll(obs: Observation, req: PendingRequest, kind: VariantKind, state: PlacementState, placement: PlacementPart, commit: boolean, tracker: WorkTracker): number[] | null {
  const variant = obs.apps[req.app].variants.find((v) => v.kind === kind);
  if (!variant || !obs.variants.includes(kind)) return null;
  const hosts: number[] = [];
  for (const frag of variant.fragments) {
    const host = placement.pick(state, frag.ramMB, frag.mi * req.size);
    if (host < 0) break;
    hosts.push(host);
    state.ramFree[host] -= frag.ramMB;
    state.placed[host]++;
    tracker.add(host, frag.mi * req.size);
  }
  const ok = hosts.length === variant.fragments.length;
  if (!ok || !commit) {
    for (let j = 0; j < hosts.length; j++) {
      state.ramFree[hosts[j]] += variant.fragments[j].ramMB;
      state.placed[hosts[j]]--;
      tracker.remove(hosts[j], variant.fragments[j].mi * req.size);
    }
  }
  return ok ? hosts : null;
}
