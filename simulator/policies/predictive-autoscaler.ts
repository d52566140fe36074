import { HOST_OFF, HOST_ON, type Observation, type ProvisionAction } from "../types.ts";
import { fleetLoad, fragmentsOf, type ProvisioningPart, type ProvisioningPlan } from "./parts.ts";

/**
 * Predictive autoscaler: like the threshold autoscaler, but the load counts the fragments the
 * forecast says will arrive over the next intervals (the peak of the forecast), so hosts are
 * started a boot delay ahead of demand. Needs a scenario with `forecast` (the observation then
 * carries the forecast); it starts or stops as many hosts as it takes to bring the load inside
 * [lower, upper], keeping at least `minOn` hosts on.
 */
export class PredictiveAutoscaler implements ProvisioningPart {
  readonly name = "predictive";
  constructor(
    readonly upper = 0.8,
    readonly lower = 0.3,
    readonly minOn = 1,
  ) {}

  decide(obs: Observation, _plan: ProvisioningPlan): ProvisionAction[] {
    const h = obs.hosts;
    const load = fleetLoad(obs);
    let vcpus = load.vcpus;
    let fragsPerRequest = 0;
    for (let a = 0; a < obs.apps.length; a++) fragsPerRequest += fragmentsOf(obs, a);
    fragsPerRequest /= Math.max(1, obs.apps.length);
    let peak = 0;
    if (obs.forecast) for (const x of obs.forecast) peak = Math.max(peak, x);
    const demand = load.placed + load.pendingFragments + peak * fragsPerRequest;
    const out: ProvisionAction[] = [];
    if (demand > this.upper * vcpus) {
      // start the cheapest hosts that are off until the expected load fits under `upper`
      const off = [];
      for (let i = 0; i < h.count; i++) if (h.state[i] === HOST_OFF) off.push(i);
      off.sort((a, b) => h.pricePerHour[a] - h.pricePerHour[b] || a - b);
      for (const i of off) {
        if (demand <= this.upper * vcpus) break;
        out.push({ host: i, action: "start" });
        vcpus += h.vcpus[i];
      }
    } else if (demand < this.lower * vcpus) {
      // stop empty hosts, most expensive first, while the load stays under `lower`
      const on = [];
      for (let i = 0; i < h.count; i++) if (h.state[i] === HOST_ON) on.push(i);
      let n = on.length;
      on.sort((a, b) => h.placed[a] - h.placed[b] || h.pricePerHour[b] - h.pricePerHour[a] || b - a);
      for (const i of on) {
        if (n <= this.minOn || h.placed[i] > 0) break;
        if (demand >= this.lower * (vcpus - h.vcpus[i])) break;
        out.push({ host: i, action: "stop" });
        vcpus -= h.vcpus[i];
        n--;
      }
    }
    return out;
  }

  clone(): PredictiveAutoscaler {
    return this;
  }
}
