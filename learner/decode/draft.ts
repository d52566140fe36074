/**
 * A decision under construction, and the feasibility masks that keep it acceptable to the twin.
 *
 * The learner decides in passes: provisioning first (one host action per pass, until it chooses
 * to stop), then each pending request in arrival order (its variant, then a host per fragment). The draft holds the state those choices leave - host
 * states after the provisioning actions, RAM and fragment counts after the fragments placed so
 * far - and answers, for each pass, which choices Twin.apply would accept:
 * - provisioning: start only an off or draining host, stop only an on or booting one, never touch
 *   a failed one, at most one action per host;
 * - variant: offered by the scenario for the request's application, and its fragments fit on the
 *   hosts that will be on (checked by placing them one by one on the host with the most free RAM,
 *   exact when a variant's fragments need the same RAM, as the catalogue's do); "wait" always;
 * - host for a fragment: on after provisioning, the RAM it needs free, and the request's later
 *   fragments still fit afterwards (so a variant allowed is always completed).
 * RAM is checked with no slack by our own sums (at most 1e-10 MB below zero, from rounding), where
 * the twin allows 1e-9 MB, so the twin never rejects what the learner emits.
 */
import type { VariantKind, VariantSpec } from "../../simulator/catalogue/applications.ts";
import {
  HOST_BOOTING as HOST_BOOTING_,
  HOST_DRAINING as HOST_DRAINING_,
  HOST_OFF as HOST_OFF_,
  HOST_ON as HOST_ON_,
  type Decision,
  type Deployment,
  type Observation,
  type ProvisionAction,
} from "../../simulator/types.ts";
import { KINDS as KINDS_, PROVISION_START, PROVISION_STOP, V as V_ } from "../encoding/layout.ts";

// module-local copies: the masks read them per host and pair of hosts, and an imported binding
// can be a getter (as the TypeScript loader compiles modules)
const HOST_BOOTING = HOST_BOOTING_;
const HOST_DRAINING = HOST_DRAINING_;
const HOST_OFF = HOST_OFF_;
const HOST_ON = HOST_ON_;
const V = V_;
const KINDS = KINDS_;

const RAM_TOLERANCE = -1e-10;

/** The variants of an application the scenario offers, by kind index (null: not offered). */
export function offeredVariants(obs: Observation, app: number): Array<VariantSpec | null> {
  const out: Array<VariantSpec | null> = new Array(V).fill(null);
  for (const v of obs.apps[app].variants) {
    const k = KINDS.indexOf(v.kind);
    if (k >= 0 && obs.variants.includes(v.kind)) out[k] = v;
  }
  return out;
}

export class DecisionDraft {
  /** host states after this decision's provisioning actions */
  readonly state: Int8Array;
  /** free RAM after the fragments placed so far, MB */
  readonly ramFree: Float64Array;
  /** fragments placed per host, this decision's included */
  readonly placed: Int32Array;
  /** fragments executing per host, counting this decision's that start at once (a chain's first, every parallel one) */
  readonly running: Int32Array;
  /** CPU utilisation per host with those fragments running (processor sharing: min(1, running / vCPUs), at most the base rate while throttled) */
  readonly utilisation: Float64Array;
  /** per pending request (by index in obs.pending): 1 once decided */
  readonly decided: Uint8Array;
  readonly variants: Array<Array<VariantSpec | null>>;
  /** per host: 1 once this decision has started or stopped it */
  readonly acted: Uint8Array;
  /** work each host holds, MI: the policy's own account before this decision, plus its fragments */
  readonly workMI: Float64Array;
  private readonly provision: ProvisionAction[] = [];
  private readonly deploy: Deployment[] = [];

  /** @param workMI the account of the work each host holds (work-tracker.ts; zeros if absent) */
  constructor(
    readonly obs: Observation,
    workMI?: ArrayLike<number>,
  ) {
    const h = obs.hosts;
    this.state = h.state.slice();
    this.ramFree = h.ramFreeMB.slice();
    this.placed = h.placed.slice();
    this.running = h.running.slice();
    this.utilisation = h.utilisation.slice();
    this.decided = new Uint8Array(obs.pending.length);
    this.acted = new Uint8Array(h.count);
    this.workMI = new Float64Array(h.count);
    if (workMI) for (let i = 0; i < h.count && i < workMI.length; i++) this.workMI[i] = workMI[i];
    this.variants = obs.pending.map((p) => offeredVariants(obs, p.app));
  }

  get hostCount(): number {
    return this.obs.hosts.count;
  }

  /** May a fragment go on host h now? */
  usable(h: number): boolean {
    return this.state[h] === HOST_ON;
  }

  /**
   * Allowed options of a provisioning pass ([0] done, [1 + 2h] start host h, [2 + 2h] stop it):
   * done always; each host at most one action per decision; start only an off or draining host,
   * stop only an on or booting one; a failed host is left alone. Returns the number of actions allowed.
   */
  provisionMask(out: Uint8Array = new Uint8Array(1 + 2 * this.hostCount)): number {
    out[0] = 1;
    let n = 0;
    for (let h = 0; h < this.hostCount; h++) {
      const st = this.obs.hosts.state[h];
      const free = this.acted[h] === 0;
      const start = free && (st === HOST_OFF || st === HOST_DRAINING) ? 1 : 0;
      const stop = free && (st === HOST_ON || st === HOST_BOOTING) ? 1 : 0;
      out[1 + 2 * h] = start;
      out[2 + 2 * h] = stop;
      n += start + stop;
    }
    return n;
  }

  /** Carries out one provisioning action as the twin would: its effect on the host's state. */
  provisionHost(h: number, action: number): void {
    const mask = new Uint8Array(1 + 2 * this.hostCount);
    this.provisionMask(mask);
    if (action !== PROVISION_START && action !== PROVISION_STOP) throw new Error(`draft: provisioning action ${action} is neither start nor stop`);
    if (mask[1 + 2 * h + (action - 1)] !== 1) throw new Error(`draft: provisioning action ${action} is not allowed on host ${h}`);
    this.acted[h] = 1;
    const st = this.obs.hosts.state[h];
    if (action === PROVISION_START) {
      this.state[h] = st === HOST_OFF ? HOST_BOOTING : HOST_ON;
      this.provision.push({ host: h, action: "start" });
    } else {
      // a host with fragments drains; an empty one (or a booting one) goes straight off
      this.state[h] = st === HOST_ON && this.obs.hosts.placed[h] > 0 ? HOST_DRAINING : HOST_OFF;
      this.provision.push({ host: h, action: "stop" });
    }
  }

  /** Could fragments needing `ram` (from index `from` on) be placed now, each on the host with the most free RAM? */
  packable(ram: readonly number[], from: number, skipHost = -1, skipMB = 0): boolean {
    if (from >= ram.length) return true;
    const free: number[] = [];
    for (let h = 0; h < this.hostCount; h++) if (this.usable(h)) free.push(this.ramFree[h] - (h === skipHost ? skipMB : 0));
    if (free.length === 0) return false;
    for (let j = from; j < ram.length; j++) {
      let best = 0;
      for (let i = 1; i < free.length; i++) if (free[i] > free[best]) best = i;
      if (free[best] - ram[j] < RAM_TOLERANCE) return false;
      free[best] -= ram[j];
    }
    return true;
  }

  /** Allowed choices for pending request r: [0] wait (always), [1 + k] variant kind k. */
  variantMask(r: number, out: Uint8Array = new Uint8Array(V + 1)): Uint8Array {
    out[0] = 1;
    const vs = this.variants[r];
    for (let k = 0; k < V; k++) {
      const v = vs[k];
      out[1 + k] = v !== null && this.packable(v.fragments.map((f) => f.ramMB), 0) ? 1 : 0;
    }
    return out;
  }

  /**
   * Allowed hosts for fragment j of a variant whose fragments need `ram` (fragments before j
   * already placed with placeFragment): usable, the RAM free, and the rest still packable.
   * Returns the number of hosts allowed.
   */
  hostMask(ram: readonly number[], j: number, out: Uint8Array = new Uint8Array(this.hostCount)): number {
    let n = 0;
    for (let h = 0; h < this.hostCount; h++) {
      const ok = this.usable(h) && this.ramFree[h] - ram[j] >= RAM_TOLERANCE && this.packable(ram, j + 1, h, ram[j]);
      out[h] = ok ? 1 : 0;
      if (ok) n++;
    }
    return n;
  }

  /** Places one fragment of `mi` MI (the caller checked the mask); `starts`: it executes at once (a chain's first, or parallel). */
  placeFragment(h: number, ramMB: number, starts: boolean, mi = 0): void {
    this.ramFree[h] -= ramMB;
    this.placed[h]++;
    this.workMI[h] += mi;
    if (starts) {
      this.running[h]++;
      const demand = Math.min(1, this.running[h] / this.obs.hosts.vcpus[h]);
      this.utilisation[h] = this.obs.hosts.throttled[h] === 1 ? Math.min(demand, this.obs.hosts.baseUtilisation[h]) : demand;
    }
  }

  /** Records request r as deployed (its fragments already placed with placeFragment). */
  finishRequest(r: number, kind: VariantKind, hosts: number[]): void {
    this.decided[r] = 1;
    this.deploy.push({ request: this.obs.pending[r].id, variant: kind, hosts });
  }

  /** Leaves request r pending this time. */
  waitRequest(r: number): void {
    this.decided[r] = 1;
  }

  toDecision(): Decision {
    const d: Decision = {};
    if (this.provision.length > 0) d.provision = this.provision.slice();
    if (this.deploy.length > 0) d.deploy = this.deploy.slice();
    return d;
  }
}
