/**
 * The oracle's search space for one decision: every joint choice of provisioning (which hosts
 * stay or go on), deployment (a variant per pending request, or defer it) and placement (a host
 * per fragment), built from one Observation.
 *
 * A Candidate is a point of that space kept in typed arrays, with the RAM it leaves on each host
 * and the fragments it adds per host maintained alongside, so every move checks feasibility in
 * O(1) per fragment. Feasibility is checked exactly as Twin.apply checks it (host state after the
 * provisioning actions, RAM of all fragments on a host, fragment count), but conservatively: a
 * host must keep at least 0 MB free by our own arithmetic, where the twin allows 1e-9 MB of
 * slack, so rounding can never make the twin reject what the oracle emits.
 */
import type { RandomStream } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import {
  HOST_BOOTING,
  HOST_DRAINING,
  HOST_FAILED,
  HOST_OFF,
  HOST_ON,
  type Decision,
  type Deployment,
  type Observation,
  type ProvisionAction,
} from "../simulator/types.ts";
import type { VariantKind } from "../simulator/catalogue/applications.ts";
import type { Evaluation } from "./score.ts";

/** RAM a host may be left with by our own sums (negative only by rounding, far inside the twin's 1e-9 slack). */
const RAM_TOLERANCE = -1e-10;

/** One deployable variant of a pending request. */
export interface VariantOption {
  kind: VariantKind;
  /** RAM per fragment, MB */
  ram: Float64Array;
}

export interface RequestSlot {
  id: number;
  app: number;
  options: VariantOption[];
}

/** A point of the search space. Fields are owned by the candidate; use SearchSpace.clone to copy. */
export interface Candidate {
  /** desired power per host: 1 = on (start it or keep it), 0 = off (stop it or keep it off) */
  on: Uint8Array;
  /** option index per pending request, -1 = leave it pending */
  variant: Int8Array;
  /** host per request and fragment: request r, fragment j at r * maxFragments + j (-1 unused) */
  place: Int32Array;
  /** RAM left per host after this candidate's fragments, MB */
  ramLeft: Float64Array;
  /** fragments per host: placed before plus this candidate's */
  load: Int32Array;
  /** per application: the option its requests keep over the look-ahead (the course), -1 = the continuation's own */
  course: Int8Array;
  /** the utilisation target of the course (NaN: the continuation's own) and the vCPUs it chose now */
  target: number;
  targetVcpus: number;
}

export class SearchSpace {
  readonly hostCount: number;
  readonly maxFragments: number;
  readonly requests: RequestSlot[];
  /** host states now (HOST_OFF ... HOST_FAILED) */
  readonly state: Int8Array;
  readonly ramFree: Float64Array;
  readonly placedNow: Int32Array;
  readonly vcpus: Int32Array;
  /** the `on` value that means "no provisioning action" */
  readonly baseOn: Uint8Array;
  /** hosts whose power the oracle may change (all but failed ones) */
  readonly changeable: number[];
  /** pending request indices per application */
  readonly requestsOfApp: number[][];
  readonly sizeOf: Int32Array;
  readonly pricePerVcpu: Float64Array;

  readonly appCount: number;
  /** per application, the kinds of its options, in option order */
  readonly appKinds: VariantKind[][];
  /** vCPUs on or booting after the continuation's own decision now (null: courses keep no offset) */
  baseVcpus: number | null = null;
  /**
   * May group moves set a course (the variant an application keeps over the look-ahead)? Only
   * when the continuation can be steered; without it the space is exactly the decisions now.
   */
  steerable = false;

  constructor(obs: Observation, model: TwinModel) {
    const h = obs.hosts;
    this.appCount = obs.apps.length;
    this.appKinds = obs.apps.map((_, a) => obs.apps[a].variants.filter((v) => model.variantId(a, v.kind) >= 0).map((v) => v.kind));
    this.hostCount = h.count;
    this.maxFragments = model.maxFragments;
    this.state = h.state.slice();
    this.ramFree = h.ramFreeMB.slice();
    this.placedNow = h.placed.slice();
    this.vcpus = h.vcpus.slice();
    this.baseOn = new Uint8Array(h.count);
    this.changeable = [];
    for (let i = 0; i < h.count; i++) {
      const st = h.state[i];
      this.baseOn[i] = st === HOST_ON || st === HOST_BOOTING ? 1 : 0;
      if (st !== HOST_FAILED) this.changeable.push(i);
    }
    this.sizeOf = h.size.slice();
    this.pricePerVcpu = new Float64Array(h.count);
    for (let i = 0; i < h.count; i++) this.pricePerVcpu[i] = h.pricePerHour[i] / h.vcpus[i];
    this.requests = obs.pending.map((p) => {
      const options: VariantOption[] = [];
      for (const v of obs.apps[p.app].variants) {
        const id = model.variantId(p.app, v.kind);
        if (id < 0) continue;
        const n = model.vNFrag[id];
        options.push({ kind: v.kind, ram: model.fragRam.slice(model.vFragBase[id], model.vFragBase[id] + n) });
      }
      return { id: p.id, app: p.app, options };
    });
    this.requestsOfApp = obs.apps.map(() => []);
    this.requests.forEach((r, i) => this.requestsOfApp[r.app].push(i));
  }

  /** Applications with pending requests. */
  appsPending(): number[] {
    const out: number[] = [];
    for (let a = 0; a < this.requestsOfApp.length; a++) if (this.requestsOfApp[a].length > 0) out.push(a);
    return out;
  }

  /** Options (variants) of an application's requests (the same for all of them). */
  optionsOfApp(app: number): number {
    const rs = this.requestsOfApp[app];
    return rs.length > 0 ? this.requests[rs[0]].options.length : 0;
  }

  /**
   * Every pending request of `app` to option `o` (-1: left pending), each placed afresh like
   * `place` (a request that fits nowhere stays pending). False if nothing changed.
   */
  setAppOption(c: Candidate, app: number, o: number, rng: RandomStream | null): boolean {
    let changed = false;
    if (this.steerable && c.course[app] !== o) {
      c.course[app] = o;
      changed = true;
    }
    for (const r of this.requestsOfApp[app]) {
      if (c.variant[r] === o) continue;
      changed = true;
      if (o < 0) this.unplace(c, r);
      else this.place(c, r, o, rng);
    }
    return changed;
  }

  /**
   * Provisioning moves by host size: for each size, start its cheapest host that is off, and stop
   * its host on with the fewest fragments (the most expensive among them): a host still running
   * work drains, taking no more.
   */
  sizeMoves(c: Candidate): Array<{ host: number; on: 0 | 1 }> {
    const out: Array<{ host: number; on: 0 | 1 }> = [];
    const sizes = [...new Set(Array.from(this.sizeOf))];
    for (const z of sizes) {
      let start = -1;
      let stop = -1;
      for (const h of this.changeable) {
        if (this.sizeOf[h] !== z) continue;
        if (c.on[h] === 0 && (start < 0 || this.pricePerVcpu[h] < this.pricePerVcpu[start])) start = h;
        if (c.on[h] === 1 && (stop < 0 || c.load[h] < c.load[stop] || (c.load[h] === c.load[stop] && this.pricePerVcpu[h] >= this.pricePerVcpu[stop]))) stop = h;
      }
      if (start >= 0) out.push({ host: start, on: 1 });
      if (stop >= 0) out.push({ host: stop, on: 0 });
    }
    return out;
  }

  // ---------------------------------------------------------------- candidates

  /** No provisioning action, every request left pending. */
  empty(): Candidate {
    const R = this.requests.length;
    return {
      on: this.baseOn.slice(),
      variant: new Int8Array(R).fill(-1),
      place: new Int32Array(R * this.maxFragments).fill(-1),
      ramLeft: this.ramFree.slice(),
      load: this.placedNow.slice(),
      course: new Int8Array(this.appCount).fill(-1),
      target: NaN,
      targetVcpus: NaN,
    };
  }

  clone(c: Candidate): Candidate {
    return { on: c.on.slice(), variant: c.variant.slice(), place: c.place.slice(), ramLeft: c.ramLeft.slice(), load: c.load.slice(), course: c.course.slice(), target: c.target, targetVcpus: c.targetVcpus };
  }

  /**
   * The candidate as the look-ahead scores it: its decision, and the course the continuation keeps
   * after it - the vCPUs on above (or below) what the continuation chose itself now
   * (`baseVcpus`), and the variant per application set by a group move.
   */
  toEvaluation(c: Candidate): Evaluation {
    let vcpus = 0;
    for (let h = 0; h < this.hostCount; h++) {
      const st = this.state[h];
      if (c.on[h] === 1 && st !== HOST_FAILED) vcpus += this.vcpus[h];
    }
    const variants: Array<VariantKind | null> = [];
    for (let a = 0; a < this.appCount; a++) variants.push(c.course[a] < 0 ? null : this.appKinds[a][c.course[a]]);
    if (!Number.isNaN(c.target)) return { decision: this.toDecision(c), course: { target: c.target, offsetVcpus: vcpus - c.targetVcpus, variants } };
    return { decision: this.toDecision(c), course: { offsetVcpus: this.baseVcpus === null ? 0 : vcpus - this.baseVcpus, variants } };
  }

  /** A string that identifies the decision a candidate stands for (memoisation key). */
  key(c: Candidate): string {
    let s = "";
    for (let h = 0; h < this.hostCount; h++) s += c.on[h] === this.baseOn[h] ? "." : c.on[h] === 1 ? "+" : "-";
    for (let a = 0; a < this.appCount; a++) s += c.course[a] < 0 ? "_" : String(c.course[a]);
    if (!Number.isNaN(c.target)) s += `@${c.target}`;
    const F = this.maxFragments;
    for (let r = 0; r < this.requests.length; r++) {
      const v = c.variant[r];
      s += "|" + v;
      if (v < 0) continue;
      const n = this.requests[r].options[v].ram.length;
      for (let j = 0; j < n; j++) s += "," + c.place[r * F + j];
    }
    return s;
  }

  /** May fragments be placed on host h under candidate c? (on now, or draining and restarted) */
  usable(c: Candidate, h: number): boolean {
    const st = this.state[h];
    return c.on[h] === 1 && (st === HOST_ON || st === HOST_DRAINING);
  }

  /** The Decision a candidate stands for: provisioning in host order, deployments in arrival order. */
  toDecision(c: Candidate): Decision {
    const provision: ProvisionAction[] = [];
    for (let h = 0; h < this.hostCount; h++) {
      if (c.on[h] === this.baseOn[h] || this.state[h] === HOST_FAILED) continue;
      provision.push({ host: h, action: c.on[h] === 1 ? "start" : "stop" });
    }
    const deploy: Deployment[] = [];
    const F = this.maxFragments;
    for (let r = 0; r < this.requests.length; r++) {
      const v = c.variant[r];
      if (v < 0) continue;
      const opt = this.requests[r].options[v];
      const hosts: number[] = [];
      for (let j = 0; j < opt.ram.length; j++) hosts.push(c.place[r * F + j]);
      deploy.push({ request: this.requests[r].id, variant: opt.kind, hosts });
    }
    const d: Decision = {};
    if (provision.length > 0) d.provision = provision;
    if (deploy.length > 0) d.deploy = deploy;
    return d;
  }

  /**
   * The candidate closest to a Decision (e.g. a baseline's): its provisioning actions, then each
   * deployment that is feasible in order; the rest stay pending. Never throws.
   */
  fromDecision(d: Decision): Candidate {
    const c = this.empty();
    for (const p of d.provision ?? []) {
      const h = p.host;
      if (!Number.isInteger(h) || h < 0 || h >= this.hostCount || this.state[h] === HOST_FAILED) continue;
      const st = this.state[h];
      if (p.action === "start" && (st === HOST_OFF || st === HOST_DRAINING)) c.on[h] = 1;
      if (p.action === "stop" && (st === HOST_ON || st === HOST_BOOTING)) c.on[h] = 0;
    }
    for (const dep of d.deploy ?? []) {
      const r = this.requests.findIndex((q) => q.id === dep.request);
      if (r < 0 || c.variant[r] >= 0) continue;
      const o = this.requests[r].options.findIndex((opt) => opt.kind === dep.variant);
      if (o < 0 || dep.hosts.length !== this.requests[r].options[o].ram.length) continue;
      if (!this.placeOn(c, r, o, dep.hosts)) continue;
    }
    return c;
  }

  /** Full feasibility check from scratch (tests and assertions; the moves keep it incrementally). */
  check(c: Candidate): string | null {
    const ram = this.ramFree.slice();
    const F = this.maxFragments;
    for (let h = 0; h < this.hostCount; h++) {
      if (this.state[h] === HOST_FAILED && c.on[h] !== this.baseOn[h]) return `host ${h} has failed and cannot be switched`;
    }
    for (let r = 0; r < this.requests.length; r++) {
      const v = c.variant[r];
      if (v < 0) continue;
      const opt = this.requests[r].options[v];
      if (!opt) return `request ${this.requests[r].id}: no option ${v}`;
      for (let j = 0; j < opt.ram.length; j++) {
        const h = c.place[r * F + j];
        if (h < 0 || h >= this.hostCount) return `request ${this.requests[r].id} fragment ${j}: no host ${h}`;
        if (!this.usable(c, h)) return `request ${this.requests[r].id} fragment ${j}: host ${h} is not usable`;
        ram[h] -= opt.ram[j];
      }
    }
    for (let h = 0; h < this.hostCount; h++) if (ram[h] < RAM_TOLERANCE) return `host ${h}: RAM over-committed by ${-ram[h]} MB`;
    return null;
  }

  // ---------------------------------------------------------------- elementary changes

  /** `base` with `c`'s course: each application `c` set to an option, set so on `base` (null if `c` sets none). */
  withCourseOf(base: Candidate, c: Candidate): Candidate | null {
    const out = this.clone(base);
    let any = false;
    for (let a = 0; a < this.appCount; a++) {
      if (c.course[a] < 0) continue;
      any = true;
      this.setAppOption(out, a, c.course[a], null);
    }
    return any ? out : null;
  }

  /** Removes request r's fragments (it becomes pending). */
  unplace(c: Candidate, r: number): void {
    const v = c.variant[r];
    if (v < 0) return;
    const opt = this.requests[r].options[v];
    const F = this.maxFragments;
    for (let j = 0; j < opt.ram.length; j++) {
      const h = c.place[r * F + j];
      c.ramLeft[h] += opt.ram[j];
      c.load[h]--;
      c.place[r * F + j] = -1;
    }
    c.variant[r] = -1;
  }

  /** Places request r as option o on the given hosts if all fit (r must be pending). */
  placeOn(c: Candidate, r: number, o: number, hosts: ArrayLike<number>): boolean {
    const opt = this.requests[r].options[o];
    const n = opt.ram.length;
    for (let j = 0; j < n; j++) {
      const h = hosts[j];
      if (!Number.isInteger(h) || h < 0 || h >= this.hostCount || !this.usable(c, h)) return false;
      let need = 0;
      for (let q = 0; q < n; q++) if (hosts[q] === h) need += opt.ram[q];
      if (c.ramLeft[h] - need < RAM_TOLERANCE) return false;
    }
    const F = this.maxFragments;
    for (let j = 0; j < n; j++) {
      const h = hosts[j];
      c.place[r * F + j] = h;
      c.ramLeft[h] -= opt.ram[j];
      c.load[h]++;
    }
    c.variant[r] = o;
    return true;
  }

  /**
   * Places request r as option o, fragment by fragment, each on a host chosen by `pickHost`.
   * All or nothing: returns false (and leaves r pending) if some fragment fits nowhere.
   */
  place(c: Candidate, r: number, o: number, rng: RandomStream | null): boolean {
    this.unplace(c, r);
    const opt = this.requests[r].options[o];
    const F = this.maxFragments;
    for (let j = 0; j < opt.ram.length; j++) {
      const h = this.pickHost(c, opt.ram[j], rng, -1);
      if (h < 0) {
        for (let q = 0; q < j; q++) {
          const g = c.place[r * F + q];
          c.ramLeft[g] += opt.ram[q];
          c.load[g]--;
          c.place[r * F + q] = -1;
        }
        return false;
      }
      c.place[r * F + j] = h;
      c.ramLeft[h] -= opt.ram[j];
      c.load[h]++;
    }
    c.variant[r] = o;
    return true;
  }

  /**
   * A usable host with `ramMB` free, other than `exclude`: without a random stream the least
   * loaded (fragments per vCPU, ties to the lowest number); with one, half the time the least
   * loaded and half the time any host that fits, uniformly. -1 if none fits.
   */
  pickHost(c: Candidate, ramMB: number, rng: RandomStream | null, exclude: number): number {
    const uniform = rng !== null && rng.next() < 0.5;
    let best = -1;
    let count = 0;
    for (let h = 0; h < this.hostCount; h++) {
      if (h === exclude || !this.usable(c, h) || c.ramLeft[h] - ramMB < RAM_TOLERANCE) continue;
      if (uniform) {
        // reservoir sampling: one pass, no allocation
        count++;
        if (rng!.next() * count < 1) best = h;
      } else if (best < 0 || c.load[h] * this.vcpus[best] < c.load[best] * this.vcpus[h]) best = h;
    }
    return best;
  }

  /**
   * Switches host h on or off. Fragments of this candidate on a host switched off move to other
   * hosts (chosen like pickHost); a request with a fragment that fits nowhere is left pending.
   */
  setHost(c: Candidate, h: number, on: 0 | 1, rng: RandomStream | null): void {
    if (c.on[h] === on || this.state[h] === HOST_FAILED) return;
    const wasUsable = this.usable(c, h);
    c.on[h] = on;
    if (on === 1 || !wasUsable) return;
    const F = this.maxFragments;
    for (let r = 0; r < this.requests.length; r++) {
      const v = c.variant[r];
      if (v < 0) continue;
      const opt = this.requests[r].options[v];
      for (let j = 0; j < opt.ram.length; j++) {
        if (c.place[r * F + j] !== h) continue;
        const g = this.pickHost(c, opt.ram[j], rng, h);
        if (g < 0) {
          this.unplace(c, r);
          break;
        }
        this.moveFragment(c, r, j, g);
      }
    }
  }

  /** Moves fragment j of request r to host g (caller checked g is usable and has the RAM). */
  moveFragment(c: Candidate, r: number, j: number, g: number): void {
    const F = this.maxFragments;
    const h = c.place[r * F + j];
    const ram = this.requests[r].options[c.variant[r]].ram[j];
    c.ramLeft[h] += ram;
    c.load[h]--;
    c.ramLeft[g] -= ram;
    c.load[g]++;
    c.place[r * F + j] = g;
  }

  // ---------------------------------------------------------------- moves

  /**
   * Applies one random move over the three decision kinds; returns false if none was possible.
   * Moves: every pending request of one application to one variant (or deferred), a group move
   * that scales to hundreds of requests; switch one host on/off; switch a few hosts at once; swap
   * a running and a stopped host (the way to change host size: the twin has no resize); change
   * one request's variant (or defer it); move one fragment to another host.
   */
  mutate(c: Candidate, rng: RandomStream): boolean {
    const R = this.requests.length;
    const H = this.changeable.length;
    for (let attempt = 0; attempt < 8; attempt++) {
      const u = rng.next();
      if (R > 0 && u < 0.25) {
        // a group: every pending request of one application to one option
        const apps = this.appsPending();
        const app = apps[rng.int(0, apps.length - 1)];
        if (this.setAppOption(c, app, rng.int(-1, this.optionsOfApp(app) - 1), rng)) return true;
      } else if (R > 0 && u < 0.4) {
        if (this.changeVariant(c, rng.int(0, R - 1), rng)) return true;
      } else if (R > 0 && u < 0.55) {
        if (this.moveRandomFragment(c, rng)) return true;
      } else if (H > 0 && u < 0.8) {
        const h = this.changeable[rng.int(0, H - 1)];
        this.setHost(c, h, c.on[h] === 1 ? 0 : 1, rng);
        return true;
      } else if (H > 1 && u < 0.9) {
        if (this.swapHosts(c, rng)) return true;
      } else if (H > 1) {
        const k = rng.int(2, Math.min(4, H));
        for (let i = 0; i < k; i++) {
          const h = this.changeable[rng.int(0, H - 1)];
          this.setHost(c, h, c.on[h] === 1 ? 0 : 1, rng);
        }
        return true;
      }
    }
    return false;
  }

  /** A different option (or defer) for request r, placed afresh. */
  changeVariant(c: Candidate, r: number, rng: RandomStream): boolean {
    const n = this.requests[r].options.length;
    const cur = c.variant[r];
    // choices: -1 .. n-1 except the current one
    let o = rng.int(-1, n - 2);
    if (o >= cur) o++;
    if (o === cur) return false;
    if (o < 0) {
      this.unplace(c, r);
      return true;
    }
    return this.place(c, r, o, rng);
  }

  moveRandomFragment(c: Candidate, rng: RandomStream): boolean {
    const R = this.requests.length;
    const r0 = rng.int(0, R - 1);
    for (let k = 0; k < R; k++) {
      const r = (r0 + k) % R;
      const v = c.variant[r];
      if (v < 0) continue;
      const opt = this.requests[r].options[v];
      const j = rng.int(0, opt.ram.length - 1);
      const h = c.place[r * this.maxFragments + j];
      // uniform among the other hosts that fit
      let g = -1;
      let count = 0;
      for (let x = 0; x < this.hostCount; x++) {
        if (x === h || !this.usable(c, x) || c.ramLeft[x] - opt.ram[j] < RAM_TOLERANCE) continue;
        count++;
        if (rng.next() * count < 1) g = x;
      }
      if (g < 0) return false;
      this.moveFragment(c, r, j, g);
      return true;
    }
    return false;
  }

  /** Switches one host that is on off and one that is off on (e.g. a large host for a small one). */
  swapHosts(c: Candidate, rng: RandomStream): boolean {
    let a = -1;
    let b = -1;
    let na = 0;
    let nb = 0;
    for (const h of this.changeable) {
      if (c.on[h] === 1) {
        na++;
        if (rng.next() * na < 1) a = h;
      } else {
        nb++;
        if (rng.next() * nb < 1) b = h;
      }
    }
    if (a < 0 || b < 0) return false;
    this.setHost(c, b, 1, rng);
    this.setHost(c, a, 0, rng);
    return true;
  }

  /**
   * Makes a candidate feasible after a crossover: `on` bits are kept, then requests are re-placed
   * in order on their chosen hosts; a fragment that no longer fits is moved, and a request that
   * cannot be completed is left pending.
   */
  repair(c: Candidate, rng: RandomStream | null): void {
    const F = this.maxFragments;
    c.ramLeft.set(this.ramFree);
    c.load.set(this.placedNow);
    for (let h = 0; h < this.hostCount; h++) if (this.state[h] === HOST_FAILED) c.on[h] = this.baseOn[h];
    for (let r = 0; r < this.requests.length; r++) {
      const v = c.variant[r];
      if (v < 0) continue;
      const opt = this.requests[r].options[v];
      let ok = true;
      for (let j = 0; j < opt.ram.length; j++) {
        let h = c.place[r * F + j];
        if (h < 0 || !this.usable(c, h) || c.ramLeft[h] - opt.ram[j] < RAM_TOLERANCE) h = this.pickHost(c, opt.ram[j], rng, -1);
        if (h < 0) {
          ok = false;
          for (let q = 0; q < j; q++) {
            const g = c.place[r * F + q];
            c.ramLeft[g] += opt.ram[q];
            c.load[g]--;
          }
          break;
        }
        c.place[r * F + j] = h;
        c.ramLeft[h] -= opt.ram[j];
        c.load[h]++;
      }
      if (!ok) {
        c.variant[r] = -1;
        for (let j = 0; j < F; j++) c.place[r * F + j] = -1;
      }
    }
  }
}
