import { HOST_BOOTING, HOST_ON, type Decision, type Observation, type Policy } from "../types.ts";

/**
 * The degenerate policy: every host off, nothing served (requests wait until they expire). It is
 * here to prove the objective cannot be gamed: it must score worse than every baseline.
 */
export class IdlePolicy implements Policy {
  readonly name = "idle";
  decide(obs: Observation): Decision {
    const provision = [];
    for (let h = 0; h < obs.hosts.count; h++) {
      const s = obs.hosts.state[h];
      if (s === HOST_ON || s === HOST_BOOTING) provision.push({ host: h, action: "stop" as const });
    }
    return { provision };
  }
  clone(): IdlePolicy {
    return this;
  }
}
