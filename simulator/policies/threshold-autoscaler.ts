import { HOST_OFF, HOST_ON, type Observation, type ProvisionAction } from "../types.ts";
import { fleetLoad, type ProvisioningPart } from "./parts.ts";

/**
 * Threshold autoscaler: load = (fragments placed + fragments pending) / vCPUs of the hosts on or
 * booting. Above `upper` it starts the cheapest host that is off; below `lower` it stops the
 * running host with the fewest fragments (it drains first). At most one action per interval, and
 * at least `minOn` hosts stay on.
 */
export class ThresholdAutoscaler implements ProvisioningPart {
  readonly name = "threshold";
  constructor(
    readonly upper = 0.8,
    readonly lower = 0.2,
    readonly minOn = 1,
  ) {}

  decide(obs: Observation): ProvisionAction[] {
    const h = obs.hosts;
    const { vcpus, placed, on, pendingFragments } = fleetLoad(obs);
    const load = vcpus > 0 ? (placed + pendingFragments) / vcpus : Infinity;
    if (load > this.upper) {
      let best = -1;
      for (let i = 0; i < h.count; i++) {
        if (h.state[i] !== HOST_OFF) continue;
        if (best < 0 || h.pricePerHour[i] < h.pricePerHour[best]) best = i;
      }
      return best >= 0 ? [{ host: best, action: "start" }] : [];
    }
    if (load < this.lower && on > this.minOn) {
      let best = -1;
      for (let i = h.count - 1; i >= 0; i--) {
        if (h.state[i] !== HOST_ON) continue;
        if (best < 0 || h.placed[i] < h.placed[best]) best = i;
      }
      return best >= 0 ? [{ host: best, action: "stop" }] : [];
    }
    return [];
  }

  clone(): ThresholdAutoscaler {
    return this;
  }
}
