/**
 * A policy's own estimate of the work each host still has to do, in million instructions (MI).
 *
 * An Observation tells how many fragments a host holds, not how much of their work is left: a
 * host with two fragments may finish in a tenth of a second (two compressed mobilenets) or in
 * twenty (two full resnext50s). A policy knows what it deployed, though, so it can keep the
 * account itself, as a load balancer that routes by outstanding work does: every fragment it
 * places adds its work to its host; between decisions a host works its account down at the rate
 * it can run (min(fragments, vCPUs) vCPUs, at the base rate while a B-series host is held there),
 * and an account is cleared when the host holds no fragment or is not on. Nothing is read from
 * inside the twin, so the same estimate works against the online loop's hosts.
 *
 * It is an estimate: a chain's later fragments wait for their input, yet count as runnable, and
 * the rate is the one seen at the decision, held until the next.
 */
import { HOST_ON, type Decision, type Observation } from "../types.ts";

export class WorkTracker {
  /** estimated MI still to run per host (valid after observe()) */
  remainingMI: Float64Array = new Float64Array(0);
  /** MI per second per fragment running on each host (up to its vCPUs), as last observed */
  private speed: Float64Array = new Float64Array(0);
  /** fragments per host after the last decision's placements */
  private frags: Int32Array = new Int32Array(0);
  private lastTime = NaN;
  /** the accounts as they stood before this decision's placements (see redo) */
  private before: Float64Array = new Float64Array(0);

  /** Brings the accounts to the observation's time; call once per decision, before placing. */
  observe(obs: Observation): void {
    const h = obs.hosts;
    if (this.remainingMI.length !== h.count) {
      this.remainingMI = new Float64Array(h.count);
      this.speed = new Float64Array(h.count);
      this.frags = new Int32Array(h.count);
    }
    const dt = Number.isNaN(this.lastTime) ? 0 : Math.max(0, obs.time - this.lastTime);
    if (obs.time !== this.lastTime) {
      for (let i = 0; i < h.count; i++) {
        if (h.state[i] !== HOST_ON || h.placed[i] === 0) this.remainingMI[i] = 0;
        else this.remainingMI[i] = Math.max(0, this.remainingMI[i] - Math.min(this.frags[i], h.vcpus[i]) * this.speed[i] * dt);
        this.speed[i] = (h.throttled[i] ? h.baseUtilisation[i] : 1) * h.mipsPerVcpu[i];
      }
      this.lastTime = obs.time;
    }
    this.frags.set(h.placed);
    if (this.before.length !== h.count) this.before = new Float64Array(h.count);
    this.before.set(this.remainingMI);
  }

  /** Adds a fragment's work to a host's account. */
  add(host: number, mi: number): void {
    this.remainingMI[host] += mi;
    this.frags[host]++;
  }

  /** Takes a tentatively added fragment back. */
  remove(host: number, mi: number): void {
    this.remainingMI[host] -= mi;
    this.frags[host]--;
  }

  /**
   * Replaces this decision's placements by the decision actually applied (an oracle that only
   * asked this policy for advice applies its own): the accounts go back to where observe() left
   * them and take `decision`'s fragments instead.
   */
  redo(obs: Observation, decision: Decision): void {
    if (this.before.length !== this.remainingMI.length) return;
    this.remainingMI.set(this.before);
    this.frags.set(obs.hosts.placed);
    const byId = new Map(obs.pending.map((p) => [p.id, p]));
    for (const d of decision.deploy ?? []) {
      const req = byId.get(d.request);
      const v = req && obs.apps[req.app].variants.find((x) => x.kind === d.variant);
      if (!req || !v) continue;
      d.hosts.forEach((host, j) => {
        if (host >= 0 && host < this.remainingMI.length && j < v.fragments.length) this.add(host, v.fragments[j].mi * req.size);
      });
    }
  }

  /** Seconds a host would take to run its account at full speed (all vCPUs). */
  drainS(obs: Observation, host: number): number {
    const h = obs.hosts;
    return this.remainingMI[host] / (h.vcpus[host] * h.mipsPerVcpu[host]);
  }

  clone(): WorkTracker {
    const c = new WorkTracker();
    c.remainingMI = this.remainingMI.slice();
    c.speed = this.speed.slice();
    c.frags = this.frags.slice();
    c.lastTime = this.lastTime;
    c.before = this.before.slice();
    return c;
  }
}
