import { HOST_BOOTING, HOST_OFF, HOST_ON, type Observation, type ProvisionAction } from "../types.ts";
import { byPricePerVcpu, cpuDemand, effectiveVcpus, type ProvisioningPart, type ProvisioningPlan } from "./parts.ts";

/**
 * Target tracking, as practitioners run it (AWS target tracking, the Kubernetes HPA): keep the
 * fleet's utilisation near `target`.
 *
 * Demand, in vCPUs: the arrival rate (requests per second, the higher of the mean over the last
 * `windowS` and over the last boot time, so a rise is caught before hosts would be needed) times
 * the vCPU-seconds per request under the deployment's usual variant (learnt from the requests
 * seen), never below the vCPUs busy now, plus the pending work beyond one interval's arrivals
 * (a backlog) spread over one interval.
 * Capacity needed = demand / target.
 *
 * Scale-out: as many of the cheapest hosts (per vCPU) as the need takes, at once; hosts booting
 * count as capacity, since they will come. Scale-in: only to the largest need seen over the
 * stabilisation window (`stabilisationS`, at least one boot time: a host stopped now could not
 * be back sooner), and not before a whole window has been observed, stopping empty hosts, the
 * most expensive per vCPU first; the cheapest stay on.
 */
export class TargetTracking implements ProvisioningPart {
  readonly name = "target";
  private history: number[] = [];
  private workMean = NaN;
  private lastSeen = -1;
  /**
   * vCPUs the arrivals and the backlog alone call for at the last decision (demand without the
   * busy-now floor, over the target): what the fleet needs for the work the usual variants make,
   * whatever else keeps the hosts busy.
   */
  flowNeedVcpus = NaN;

  constructor(
    readonly target = 0.7,
    readonly windowS = 60,
    readonly stabilisationS = 300,
    readonly minOn = 1,
    /** vCPUs kept above (or below, if negative) the capacity it would otherwise want */
    readonly offsetVcpus = 0,
  ) {}

  decide(obs: Observation, plan: ProvisioningPlan): ProvisionAction[] {
    const h = obs.hosts;
    const I = obs.intervalS;
    // work per request, learnt from the requests seen (each is pending at least once)
    for (const p of obs.pending) {
      if (p.id <= this.lastSeen) continue;
      this.lastSeen = p.id;
      const w = plan.workS(p.app) * p.size;
      this.workMean = Number.isNaN(this.workMean) ? w : 0.98 * this.workMean + 0.02 * w;
    }
    let work = this.workMean;
    if (Number.isNaN(work)) {
      work = 0;
      for (let a = 0; a < obs.apps.length; a++) work += plan.workS(a) / obs.apps.length;
    }
    let boot = 0;
    for (let i = 0; i < h.count; i++) boot = Math.max(boot, h.bootS[i]);
    const rate = Math.max(this.rate(obs, this.windowS), this.rate(obs, Math.max(I, boot)));
    const { busy, backlogS } = cpuDemand(obs, plan);
    // the requests pending now are mostly the last interval's arrivals, already in rate x work:
    // only a backlog beyond one interval's flow adds to the demand
    const flow = rate * work;
    const demand = Math.max(busy, flow) + Math.max(0, backlogS - flow * I) / I;
    const need = Math.max(0, demand / this.target + this.offsetVcpus);

    // the window keeps demands (not needs), so a copy tuned to another target reads it right
    const windowIntervals = Math.max(1, Math.ceil(Math.max(this.stabilisationS, boot) / I));
    this.history.push(demand);
    if (this.history.length > windowIntervals) this.history.shift();
    this.flowNeedVcpus = Math.max(0, (flow + Math.max(0, backlogS - flow * I) / I) / this.target + this.offsetVcpus);
    const keep = Math.max(0, Math.max(...this.history) / this.target + this.offsetVcpus);

    let capacity = 0;
    let on = 0;
    for (let i = 0; i < h.count; i++) {
      if (h.state[i] === HOST_ON || h.state[i] === HOST_BOOTING) capacity += effectiveVcpus(obs, i);
      if (h.state[i] === HOST_ON) on++;
    }
    const out: ProvisionAction[] = [];
    if (need > capacity || on + countBooting(obs) < this.minOn) {
      for (const i of byPricePerVcpu(obs, [HOST_OFF])) {
        if (capacity >= need && on + out.length + countBooting(obs) >= this.minOn) break;
        out.push({ host: i, action: "start" });
        capacity += h.vcpus[i];
      }
      return out;
    }
    // no scale-in before a whole window has been seen (the arrival rate is not known yet)
    if (this.history.length < windowIntervals) return out;
    for (const i of byPricePerVcpu(obs, [HOST_ON]).reverse()) {
      if (on <= this.minOn) break;
      if (h.placed[i] > 0) continue;
      if (capacity - effectiveVcpus(obs, i) < keep) break;
      out.push({ host: i, action: "stop" });
      capacity -= effectiveVcpus(obs, i);
      on--;
    }
    return out;
  }

  /** mean arrivals per second over the last `spanS` (the intervals observed so far) */
  private rate(obs: Observation, spanS: number): number {
    const r = obs.recentArrivals;
    const n = Math.min(r.length, obs.interval, Math.max(1, Math.round(spanS / obs.intervalS)));
    if (n === 0) return 0;
    let sum = 0;
    for (let k = r.length - n; k < r.length; k++) sum += r[k];
    return sum / (n * obs.intervalS);
  }

  clone(): TargetTracking {
    return this.withOffset(this.offsetVcpus);
  }

  /** A copy with the same state, keeping `offsetVcpus` more (or fewer) vCPUs than it would want. */
  withOffset(offsetVcpus: number): TargetTracking {
    return this.tuned(this.target, offsetVcpus);
  }

  /** A copy with the same state (window, requests seen), tracking another utilisation target and offset. */
  tuned(target: number, offsetVcpus: number): TargetTracking {
    const c = new TargetTracking(target, this.windowS, this.stabilisationS, this.minOn, offsetVcpus);
    c.history = this.history.slice();
    c.workMean = this.workMean;
    c.lastSeen = this.lastSeen;
    return c;
  }
}

function countBooting(obs: Observation): number {
  let n = 0;
  for (let i = 0; i < obs.hosts.count; i++) if (obs.hosts.state[i] === HOST_BOOTING) n++;
  return n;
}
