import { HOST_BOOTING, HOST_OFF, HOST_ON, type Observation, type ProvisionAction } from "../types.ts";
import { byPricePerVcpu, cpuDemand, effectiveVcpus, type ProvisioningPart, type ProvisioningPlan } from "./parts.ts";

/**
 * Threshold autoscaler on CPU time: load = (vCPUs busy now + pending work over one interval) /
 * vCPUs of the hosts on or booting. Above `upper` it starts as many of the cheapest hosts (per
 * vCPU) as bring the load back to `upper`; below `lower` it stops empty hosts, the most expensive
 * first, as long as the load stays below `upper` after each stop. At least `minOn` hosts stay on.
 */
export class ThresholdAutoscaler implements ProvisioningPart {
  readonly name = "threshold";
  constructor(
    readonly upper = 0.8,
    readonly lower = 0.2,
    readonly minOn = 1,
  ) {}

  decide(obs: Observation, plan: ProvisioningPlan): ProvisionAction[] {
    const h = obs.hosts;
    const { busy, backlogS } = cpuDemand(obs, plan);
    const demand = busy + backlogS / obs.intervalS;
    let capacity = 0;
    let on = 0;
    for (let i = 0; i < h.count; i++) {
      if (h.state[i] === HOST_ON || h.state[i] === HOST_BOOTING) capacity += effectiveVcpus(obs, i);
      if (h.state[i] === HOST_ON) on++;
    }
    const out: ProvisionAction[] = [];
    if (capacity === 0 || demand > this.upper * capacity) {
      for (const i of byPricePerVcpu(obs, [HOST_OFF])) {
        if (capacity > 0 && demand <= this.upper * capacity) break;
        out.push({ host: i, action: "start" });
        capacity += h.vcpus[i];
      }
    } else if (demand < this.lower * capacity) {
      for (const i of byPricePerVcpu(obs, [HOST_ON]).reverse()) {
        if (on <= this.minOn) break;
        if (h.placed[i] > 0) continue;
        if (demand > this.upper * (capacity - effectiveVcpus(obs, i))) break;
        out.push({ host: i, action: "stop" });
        capacity -= effectiveVcpus(obs, i);
        on--;
      }
    }
    return out;
  }

  clone(): ThresholdAutoscaler {
    return this;
  }
}
