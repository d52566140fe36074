import { HOST_ON, type Decision, type Deployment, type Observation, type Policy } from "../types.ts";
import type { DeploymentPart, PlacementPart, PlacementState, ProvisioningPart } from "./parts.ts";

/**
 * A baseline policy made of a provisioning, a deployment and a placement part. Requests are
 * handled in arrival order; a request whose fragments do not all fit stays pending.
 */
export class ComposedPolicy implements Policy {
  readonly name: string;
  constructor(
    readonly provisioning: ProvisioningPart,
    readonly deployment: DeploymentPart,
    readonly placement: PlacementPart,
  ) {
    this.name = `${provisioning.name}+${deployment.name}+${placement.name}`;
  }

  decide(obs: Observation): Decision {
    const provision = this.provisioning.decide(obs);
    const h = obs.hosts;
    const usable = new Uint8Array(h.count);
    for (let i = 0; i < h.count; i++) usable[i] = h.state[i] === HOST_ON ? 1 : 0;
    for (const p of provision) if (p.action === "stop" && p.host >= 0 && p.host < h.count) usable[p.host] = 0;
    const state: PlacementState = { obs, usable, ramFree: h.ramFreeMB.slice(), placed: h.placed.slice() };
    const deploy: Deployment[] = [];
    const undo: number[] = [];
    for (const req of obs.pending) {
      const kind = this.deployment.choose(obs, req.app);
      const variant = obs.apps[req.app].variants.find((v) => v.kind === kind);
      if (!variant) continue;
      const hosts: number[] = [];
      undo.length = 0;
      for (const frag of variant.fragments) {
        const host = this.placement.pick(state, frag.ramMB);
        if (host < 0) break;
        hosts.push(host);
        state.ramFree[host] -= frag.ramMB;
        state.placed[host]++;
        undo.push(host, frag.ramMB);
      }
      if (hosts.length === variant.fragments.length) {
        deploy.push({ request: req.id, variant: kind, hosts });
      } else {
        for (let k = 0; k < undo.length; k += 2) {
          state.ramFree[undo[k]] += undo[k + 1];
          state.placed[undo[k]]--;
        }
      }
    }
    return { provision, deploy };
  }

  clone(): ComposedPolicy {
    return new ComposedPolicy(this.provisioning.clone(), this.deployment.clone(), this.placement.clone());
  }
}
