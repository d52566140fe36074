/**
 * The boot time a host has left, estimated from what a policy observes: the observation says a
 * host is booting, not when it will be on. A host first seen booting is taken to have started at
 * the previous decision point (where the start was decided), or now if there was none; its boot
 * time left is then its boot time minus the time since, never below zero.
 */
import { HOST_BOOTING, type Observation } from "../../simulator/types.ts";

export class BootTracker {
  /** estimated boot start per host (NaN: not booting when last seen) */
  private started: Float64Array = new Float64Array(0);
  private lastTime = NaN;

  /** Updates the estimates with an observation (in time order) and returns boot time left per host, s. */
  observe(obs: Observation): Float64Array {
    const h = obs.hosts;
    if (this.started.length !== h.count) this.started = new Float64Array(h.count).fill(NaN);
    const left = new Float64Array(h.count);
    for (let i = 0; i < h.count; i++) {
      if (h.state[i] !== HOST_BOOTING) {
        this.started[i] = NaN;
        continue;
      }
      if (Number.isNaN(this.started[i])) this.started[i] = Number.isNaN(this.lastTime) || this.lastTime > obs.time ? obs.time : this.lastTime;
      left[i] = Math.max(0, h.bootS[i] - (obs.time - this.started[i]));
    }
    this.lastTime = obs.time;
    return left;
  }

  clone(): BootTracker {
    const c = new BootTracker();
    c.started = this.started.slice();
    c.lastTime = this.lastTime;
    return c;
  }
}
