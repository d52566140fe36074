/**
 * The twin: a discrete-event simulation of hosts (VMs with power curves, billing and B-series CPU
 * credits), requests of AI applications deployed as variants, and their fragments placed on
 * hosts. Between decisions it runs events, never fixed ticks: arrivals, fragment completions,
 * output transfers, boots, credit exhaustion, failures and repairs.
 *
 * Execution on a host is processor sharing among its running fragments, bounded by vCPUs (a
 * fragment uses at most one vCPU). Power is piecewise constant between events on a host, so
 * energy is integrated exactly; billing runs per second while a host is booting, on or draining.
 *
 * State lives in typed arrays (the Pool class and the event queue) so `fork()` is a handful of
 * array copies. The twin never imports a policy: policies see it only through Observation,
 * Decision and fork().
 */
import type { ArrivalSource, ArrivalSpec } from "./arrivals.ts";
import { EventQueue } from "./engine/event-queue.ts";
import { RandomStream, RandomStreams } from "./engine/random.ts";
import { NKINDS, TwinModel } from "./model.ts";
import { Pool } from "./pool.ts";
import {
  HOST_BOOTING,
  HOST_DRAINING,
  HOST_FAILED,
  HOST_OFF,
  HOST_ON,
  type Decision,
  type DecisionRejection,
  type Observation,
  type PendingRequest,
  type Policy,
} from "./types.ts";
import { VARIANT_KINDS, type VariantKind } from "./catalogue/applications.ts";

// Event kinds, in the order they run when they share a time (the priority).
const EV_HOST = 0; // a host's next fragment completion or credit exhaustion
const EV_TRANSFER = 1; // a fragment's input has arrived
const EV_BOOT = 2;
const EV_FAILURE = 3;
const EV_REPAIR = 4;
// (5, last: an arrival. Arrivals are not queued: the one drawn ahead waits in `arrivalAt` and
// runs when it is earlier than every queued event, so at equal times after them. They form a
// sorted stream; merging it with the queue saves a heap push and pop for most events.)
const EV_NET = 6; // the network's next transfer completion (one reserved slot, priority EV_TRANSFER)

// Host float fields
const H_LAST = 0; // time accounting was last brought up to date
const H_RAM_USED = 1;
const H_CREDITS = 2;
const H_ENERGY_J = 3;
const H_BILLED_S = 4;
const H_BUSY = 5; // integral of utilisation over time
const H_U = 6; // utilisation now
const H_RATE = 7; // MIPS each running fragment gets now
const H_POWER = 8; // watts now (the curve at H_U, cached: utilisation changes only in updateHost)
// Work clock: MI delivered to each running fragment since the host was last idle. All running
// fragments of a host progress at the same rate, so a fragment finishes when the clock reaches
// the point set when it started; nothing is decremented per event.
const H_CLOCK = 9;
const H_NEXTDONE = 10; // lowest finishing point among the running fragments (NaN: to be found again)
const H_CREDIT_RATE = 11; // credits earned minus spent per second at H_U (cached: changes with H_U only)
const HF = 12;
// Host int fields
const HI_STATE = 0;
const HI_NRUN = 1;
const HI_NPLACED = 2;
const HI_HEAD = 3; // first running fragment (linked list), -1 if none
const HI_EVENT = 4; // reserved queue slot of the host's change event
const HI_EPOCH = 5; // bumped on every power state change; stale boot/failure events carry an old one
const HI_THROTTLED = 6;
const HI_COMPLETED = 7;
const HI_BOOTS = 8;
const HI_FAILURES = 9;
const HI_FAILSLOT = 10; // queue slot of the host's pending failure event, -1 if none
const HI_BOOTSLOT = 11; // queue slot of the host's pending boot completion, -1 if none
const HI_INTENT = 12; // 1 when provisioning wants the host on (initially on or last started, not stopped since)
const HI = 13;

// Fragment fields
const F_MI = 0; // MI to do while waiting; once running, the host's work-clock point at which it is done
const F_RAM = 1;
const F_OUT = 2; // MB of output
const F_IN_LEFT = 3; // MB of its input still to cross the network (while receiving)
const F_IN_RATE = 4; // MB/s its input gets now (max-min fair share of the two host links)
const FF = 5;
const FI_REQ = 0;
const FI_INDEX = 1;
const FI_HOST = 2;
const FI_STATE = 3;
const FI_NEXT = 4;
const FI_PREV = 5;
const FI_GEN = 6; // generation, bumped when the slot is freed (stale transfers are ignored)
const FI_IN_SRC = 7; // host sending its input, -1 when none is on its way
const FI_IN_NEXT = 8; // list of transfers on the network (while receiving)
const FI_IN_PREV = 9;
const FIS = 10;
const FRAG_WAITING = 1; // for its predecessor, or for its input's latency to pass
const FRAG_RUNNING = 2;
const FRAG_RECEIVING = 3; // its input is crossing the network

// Request fields
const R_ARRIVAL = 0;
const R_DEADLINE = 1; // relative, s
const R_SIZE = 2;
const R_START = 3;
const RF = 4;
const RI_ID = 0;
const RI_APP = 1;
const RI_VARIANT = 2;
const RI_STATE = 3;
const RI_LEFT = 4;
const RI_FRAG0 = 5; // followed by maxFragments slots
const REQ_PENDING = 1;
const REQ_RUNNING = 2;

/** Remaining work below this many MI counts as done (absorbs floating-point residue). */
const MI_EPS = 1e-6;
const CREDIT_EPS = 1e-9;
/** a few units in the last place of a time value, relative (2^-50) */
const TIME_ULPS = 2 ** -50;
/** Data below this many MB counts as arrived (absorbs floating-point residue). */
const NET_EPS = 1e-9;
/** intervals of arrival counts kept for observations and forecasters */
const RECENT_WINDOW = 64;

/** Cumulative totals; the difference of two snapshots gives the metrics of a span of time. */
export interface Totals {
  time: number;
  energyJ: number;
  costUSD: number;
  arrived: number;
  completed: number;
  violated: number;
  rejected: number;
  failed: number;
  responseSum: number;
  accuracySum: number;
  /** sum over completed requests of (best offered accuracy of the app - accuracy served) */
  accuracyLossSum: number;
  deadlineSum: number;
  busyS: number;
  /** host-seconds billed (booting, on or draining) */
  billedS: number;
  events: number;
}

/** A request that ended (or is still in flight at the end), when the twin records. */
export interface RequestRecord {
  id: number;
  app: number;
  variant: number;
  arrival: number;
  deadline: number;
  start: number;
  end: number;
  status: "completed" | "rejected" | "failed" | "inFlight";
  hosts: number[];
}

interface ForkSource {
  twin: Twin;
  streams: RandomStreams;
  failureRng: RandomStream;
}

export interface TwinOptions {
  /** keep per-request records, response times and the rejection log (the main run, not forks) */
  record?: boolean;
  forecast?: (recent: Float64Array, interval: number) => Float64Array | null;
}

export class Twin {
  model: TwinModel;
  now = 0;
  interval = 0;
  private queue!: EventQueue;
  private hostF!: Float64Array;
  private hostI!: Int32Array;
  private frags!: Pool;
  private reqs!: Pool;
  private pending: number[] = [];
  private arrivals!: ArrivalSource;
  private nextArrival: ArrivalSpec = { time: 0, app: 0, deadline: 0, size: 1 };
  private streams!: RandomStreams;
  private failureRng!: RandomStream;
  private nextRequestId = 0;
  private record = false;
  private forecastFn: TwinOptions["forecast"];
  private recent!: Float64Array;
  /** false while `recent` is shared with a fork (copied before the first change) */
  private recentOwned = true;
  private arrivedThisInterval = 0;
  /** requests taken out of `pending` by this apply() and not compacted away yet */
  private pendingRemoved = 0;
  /** time of the arrival drawn ahead (nextArrival), Infinity if none */
  private arrivalAt = Infinity;
  /** reusable list of fragments completing at one host event (no allocation per event) */
  private scratch: number[] = [];
  // The network: transfers crossing it now (a list through the fragments receiving them), the
  // time their progress was last brought up to date, and the reserved slot of the next completion.
  private netHead = -1;
  private netLast = 0;
  private netSlot = -1;
  /** scratch for the max-min fair share: per host link, capacity left and unfixed transfers */
  private linkCap!: Float64Array;
  private linkN!: Int32Array;

  // cumulative counters
  private arrived = 0;
  private completed = 0;
  private violated = 0;
  private rejected = 0;
  private failed = 0;
  private responseSum = 0;
  private accuracySum = 0;
  private accuracyLossSum = 0;
  private deadlineSum = 0;
  private events = 0;
  /** no more arrivals (the run's arrivals stopped at its end, and it drains) */
  private arrivalsClosed = false;
  private rejectionCounts: Record<string, number> = {};

  // records (main run only)
  responses: number[] = [];
  requestRecords: RequestRecord[] = [];
  rejectionLog: DecisionRejection[] = [];

  constructor(model: TwinModel, arrivals: ArrivalSource, seed: number | string, options: TwinOptions = {}, from?: ForkSource) {
    this.model = model;
    if (from) {
      // fork(): the same fields in the same order as a fresh twin, so both share one object shape.
      const o = from.twin;
      this.arrivals = arrivals;
      this.streams = from.streams;
      this.failureRng = from.failureRng;
      this.record = false;
      this.forecastFn = o.forecastFn;
      this.recent = o.recent;
      this.recentOwned = false;
      o.recentOwned = false;
      this.queue = o.queue.clone();
      // host floats and integers share one buffer: one allocation, one copy
      const H = model.hostCount;
      const hostBuf = (o.hostF.buffer as ArrayBuffer).slice(0);
      this.hostF = new Float64Array(hostBuf, 0, H * HF);
      this.hostI = new Int32Array(hostBuf, H * HF * 8, H * HI);
      this.frags = o.frags.clone();
      this.reqs = o.reqs.clone();
      this.pending = o.pending.slice();
      this.netHead = o.netHead;
      this.netLast = o.netLast;
      this.netSlot = o.netSlot;
      this.linkCap = o.linkCap; // scratch only: safe to share
      this.linkN = o.linkN;
      this.nextArrival.time = o.nextArrival.time;
      this.nextArrival.app = o.nextArrival.app;
      this.nextArrival.deadline = o.nextArrival.deadline;
      this.nextArrival.size = o.nextArrival.size;
      this.now = o.now;
      this.interval = o.interval;
      this.nextRequestId = o.nextRequestId;
      this.arrivedThisInterval = o.arrivedThisInterval;
      this.arrivalAt = o.arrivalAt;
      this.arrived = o.arrived;
      this.completed = o.completed;
      this.violated = o.violated;
      this.rejected = o.rejected;
      this.failed = o.failed;
      this.responseSum = o.responseSum;
      this.accuracySum = o.accuracySum;
      this.accuracyLossSum = o.accuracyLossSum;
      this.arrivalsClosed = o.arrivalsClosed;
      this.deadlineSum = o.deadlineSum;
      this.events = o.events;
      this.rejectionCounts = { ...o.rejectionCounts };
      return;
    }
    this.arrivals = arrivals;
    this.streams = new RandomStreams(seed);
    this.failureRng = this.streams.get("failures");
    this.record = options.record ?? false;
    this.forecastFn = options.forecast;
    this.recent = new Float64Array(RECENT_WINDOW);
    const H = model.hostCount;
    this.queue = new EventQueue(Math.max(64, 4 * H));
    const hostBuf = new ArrayBuffer(H * HF * 8 + H * HI * 4);
    this.hostF = new Float64Array(hostBuf, 0, H * HF);
    this.hostI = new Int32Array(hostBuf, H * HF * 8, H * HI);
    this.frags = new Pool(FF, FIS, 64);
    this.reqs = new Pool(RF, RI_FRAG0 + 2 * model.maxFragments, 32);
    this.linkCap = new Float64Array(H);
    this.linkN = new Int32Array(H);
    this.netSlot = this.queue.reserve(EV_NET, 0, 0, EV_TRANSFER);
    for (let h = 0; h < H; h++) {
      const hi = h * HI;
      this.hostI[hi + HI_HEAD] = -1;
      this.hostI[hi + HI_FAILSLOT] = -1;
      this.hostI[hi + HI_BOOTSLOT] = -1;
      this.hostF[h * HF + H_POWER] = model.idleW[h];
      this.hostF[h * HF + H_NEXTDONE] = Infinity;
      this.hostF[h * HF + H_CREDIT_RATE] = model.creditEarnPerS[h] - (0 * model.vcpus[h]) / 60;
      this.hostI[hi + HI_EVENT] = this.queue.reserve(EV_HOST, h, 0, EV_HOST);
      if (model.initiallyOn[h]) {
        this.hostI[hi + HI_STATE] = HOST_ON;
        this.hostI[hi + HI_INTENT] = 1;
        this.hostF[h * HF + H_CREDITS] = model.creditInit[h];
        this.scheduleFailure(h);
      }
    }
    this.pullArrival();
  }

  // ---------------------------------------------------------------- running

  /**
   * Runs events up to and including time `until`, then brings every host's accounting to `until`.
   * With `stopOnArrival`, returns true right after an arrival has been processed (the clock is then
   * at that arrival; call again to continue).
   */
  runUntil(until: number, stopOnArrival = false): boolean {
    const q = this.queue;
    for (;;) {
      const qt = q.peekTime();
      const at = this.arrivalAt;
      if (at < qt) {
        if (at > until) break;
        this.arrivalAt = Infinity;
        this.now = at;
        this.events++;
        this.onArrival();
        if (stopOnArrival) {
          // Bring every host's accounts to now, so observations and totals are current.
          this.accrueAll(at);
          return true;
        }
        continue;
      }
      if (qt > until) break;
      const slot = q.pop();
      const t = q.timeOf(slot);
      const kind = q.kindOfSlot(slot);
      const a = q.aOfSlot(slot);
      const b = q.bOfSlot(slot);
      if (kind !== EV_HOST && kind !== EV_NET) q.release(slot);
      if (kind === EV_FAILURE && this.hostI[a * HI + HI_FAILSLOT] === slot) this.hostI[a * HI + HI_FAILSLOT] = -1;
      else if (kind === EV_BOOT && this.hostI[a * HI + HI_BOOTSLOT] === slot) this.hostI[a * HI + HI_BOOTSLOT] = -1;
      this.now = t;
      this.events++;
      switch (kind) {
        case EV_HOST:
          this.onHostEvent(a);
          break;
        case EV_TRANSFER:
          this.onTransfer(a, b);
          break;
        case EV_BOOT:
          this.onBoot(a, b);
          break;
        case EV_FAILURE:
          this.onFailure(a, b);
          break;
        case EV_REPAIR:
          this.onRepair(a, b);
          break;
        case EV_NET:
          this.onNetworkEvent();
          break;
      }
    }
    this.now = until;
    this.accrueAll(until);
    return false;
  }

  /** Runs to the end of the current interval and advances the interval counter. */
  endInterval(): void {
    this.runUntil((this.interval + 1) * this.model.intervalS);
    this.closeInterval();
  }

  /** Bookkeeping at an interval boundary (the runner calls it after running to the boundary). */
  closeInterval(): void {
    if (!this.recentOwned) {
      this.recent = this.recent.slice();
      this.recentOwned = true;
    }
    this.recent.copyWithin(0, 1);
    this.recent[RECENT_WINDOW - 1] = this.arrivedThisInterval;
    this.arrivedThisInterval = 0;
    this.interval++;
  }

  /** End time of the current interval. */
  get intervalEnd(): number {
    return (this.interval + 1) * this.model.intervalS;
  }

  // ---------------------------------------------------------------- observation

  /** Expires requests pending too long, then describes the state for a policy. */
  observe(): Observation {
    this.expirePending();
    const m = this.model;
    const H = m.hostCount;
    const state = new Int8Array(H);
    const running = new Int32Array(H);
    const placed = new Int32Array(H);
    const util = new Float64Array(H);
    const credits = new Float64Array(H);
    const throttled = new Uint8Array(H);
    const ramFree = new Float64Array(H);
    for (let h = 0; h < H; h++) {
      const hi = h * HI;
      const hf = h * HF;
      state[h] = this.hostI[hi + HI_STATE];
      running[h] = this.hostI[hi + HI_NRUN];
      placed[h] = this.hostI[hi + HI_NPLACED];
      util[h] = this.hostF[hf + H_U];
      credits[h] = m.creditEarnPerS[h] > 0 ? this.hostF[hf + H_CREDITS] : NaN;
      throttled[h] = this.hostI[hi + HI_THROTTLED];
      ramFree[h] = m.ramMB[h] - this.hostF[hf + H_RAM_USED];
    }
    const pending: PendingRequest[] = new Array(this.pending.length);
    for (let k = 0; k < this.pending.length; k++) {
      const r = this.pending[k];
      const rf = r * RF;
      const ri = r * this.reqs.iStride;
      pending[k] = {
        id: this.reqs.i[ri + RI_ID],
        app: this.reqs.i[ri + RI_APP],
        arrival: this.reqs.f[rf + R_ARRIVAL],
        deadline: this.reqs.f[rf + R_DEADLINE],
        size: this.reqs.f[rf + R_SIZE],
      };
    }
    const recent = this.recent.slice();
    return {
      time: this.now,
      interval: this.interval,
      intervalS: m.intervalS,
      hosts: {
        count: H,
        state,
        size: m.hostSize,
        vcpus: m.vcpus,
        mipsPerVcpu: m.mips,
        ramMB: m.ramMB,
        ramFreeMB: ramFree,
        running,
        placed,
        utilisation: util,
        credits,
        throttled,
        baseUtilisation: m.baseU,
        pricePerHour: m.pricePerHour,
        idleW: m.idleW,
        maxW: m.maxW,
        bootS: m.bootS,
      },
      pending,
      runningRequests: this.reqs.live - this.pending.length,
      apps: m.apps,
      sizes: m.sizeNames,
      variants: m.variants,
      recentArrivals: recent,
      forecast: this.forecastFn ? this.forecastFn(recent, this.interval) : null,
      network: { latencyS: m.latencyS, bandwidthMBps: m.bandwidthMBps },
    };
  }

  // ---------------------------------------------------------------- decisions

  /**
   * Carries out a decision: provisioning first, then admission rejections, then deployments in
   * order. Parts that cannot be carried out are rejected with a reason (returned, counted, and
   * logged when recording); nothing is silently changed.
   */
  apply(decision: Decision): DecisionRejection[] {
    try {
      return this.applyParts(decision);
    } finally {
      if (this.pendingRemoved > 0) this.compactPending();
    }
  }

  private applyParts(decision: Decision): DecisionRejection[] {
    const out: DecisionRejection[] = [];
    const m = this.model;
    const H = m.hostCount;
    if (decision.provision) {
      for (const p of decision.provision) {
        const h = p.host;
        if (!Number.isInteger(h) || h < 0 || h >= H) {
          this.reject(out, "provision", `host ${h}`, "unknown host", `no host ${h} (hosts are 0..${H - 1})`);
          continue;
        }
        const st = this.hostI[h * HI + HI_STATE];
        // What provisioning intends is remembered for a host under repair: it comes back to it.
        if (p.action === "start") {
          if (st === HOST_OFF) this.startHost(h);
          else if (st === HOST_DRAINING) this.undrainHost(h);
          else if (st === HOST_FAILED) this.reject(out, "provision", `host ${h}`, "host failed", `host ${h} has failed and is under repair`);
          else this.reject(out, "provision", `host ${h}`, "already started", `host ${h} is already ${st === HOST_ON ? "on" : "booting"}`);
          if (st !== HOST_FAILED) this.hostI[h * HI + HI_INTENT] = 1;
        } else if (p.action === "stop") {
          if (st === HOST_ON) this.stopHost(h);
          else if (st === HOST_BOOTING) this.powerOff(h);
          else this.reject(out, "provision", `host ${h}`, "already stopped", `host ${h} is ${["off", "", "", "draining", "failed"][st]}`);
          if (st !== HOST_FAILED) this.hostI[h * HI + HI_INTENT] = 0;
        } else {
          this.reject(out, "provision", `host ${h}`, "unknown action", `unknown provisioning action "${String((p as { action: unknown }).action)}"`);
        }
      }
    }
    if (decision.reject) {
      for (const id of decision.reject) {
        const k = this.pendingIndex(id);
        if (k < 0) {
          this.reject(out, "reject", `request ${id}`, "request not pending", `request ${id} is not pending`);
          continue;
        }
        const r = this.pending[k];
        this.leavePending();
        this.endRequest(r, "rejected");
      }
    }
    if (decision.deploy) {
      for (const d of decision.deploy) this.deploy(d.request, d.variant, d.hosts, out);
    }
    return out;
  }

  private deploy(id: number, kind: VariantKind, hosts: readonly number[], out: DecisionRejection[]): void {
    const m = this.model;
    const k = this.pendingIndex(id);
    if (k < 0) {
      this.reject(out, "deploy", `request ${id}`, "request not pending", `request ${id} is not pending`);
      return;
    }
    const r = this.pending[k];
    const ri = r * this.reqs.iStride;
    const app = this.reqs.i[ri + RI_APP];
    const v = m.variantId(app, kind);
    if (v < 0) {
      const offered = VARIANT_KINDS.filter((_, j) => m.variantOffered[app * NKINDS + j] === 1).join(", ");
      this.reject(out, "deploy", `request ${id}`, "unknown variant", `variant "${kind}" is not offered for ${m.apps[app].name} (offered: ${offered})`);
      return;
    }
    const nf = m.vNFrag[v];
    if (!hosts || hosts.length !== nf) {
      this.reject(out, "deploy", `request ${id}`, "wrong fragment count", `variant "${kind}" has ${nf} fragment(s), got ${hosts ? hosts.length : 0} host(s)`);
      return;
    }
    // Check every host before touching anything: all fragments are placed, or none.
    const base = m.vFragBase[v];
    for (let j = 0; j < nf; j++) {
      const h = hosts[j];
      if (!Number.isInteger(h) || h < 0 || h >= m.hostCount) {
        this.reject(out, "deploy", `request ${id}`, "unknown host", `fragment ${j}: no host ${h} (hosts are 0..${m.hostCount - 1})`);
        return;
      }
      const st = this.hostI[h * HI + HI_STATE];
      if (st !== HOST_ON) {
        this.reject(out, "deploy", `request ${id}`, "host not on", `fragment ${j}: host ${h} is ${["off", "booting", "on", "draining", "failed"][st]}`);
        return;
      }
      let need = 0;
      for (let q = 0; q < nf; q++) if (hosts[q] === h) need += m.fragRam[base + q];
      const free = m.ramMB[h] - this.hostF[h * HF + H_RAM_USED];
      if (need > free + 1e-9) {
        this.reject(out, "deploy", `request ${id}`, "insufficient RAM", `fragment ${j}: host ${h} has ${round3(free)} MB free, needs ${round3(need)} MB`);
        return;
      }
    }
    this.leavePending();
    const size = this.reqs.f[r * RF + R_SIZE];
    this.reqs.i[ri + RI_VARIANT] = v;
    this.reqs.i[ri + RI_STATE] = REQ_RUNNING;
    this.reqs.i[ri + RI_LEFT] = nf;
    this.reqs.f[r * RF + R_START] = this.now;
    const parallel = m.vParallel[v] === 1;
    for (let j = 0; j < nf; j++) {
      const h = hosts[j];
      const f = this.frags.alloc();
      const ff = f * FF;
      const fi = f * FIS;
      this.frags.f[ff + F_MI] = m.fragMI[base + j] * size;
      this.frags.f[ff + F_RAM] = m.fragRam[base + j];
      this.frags.f[ff + F_OUT] = m.fragOut[base + j] * size;
      this.frags.i[fi + FI_REQ] = r;
      this.frags.i[fi + FI_INDEX] = j;
      this.frags.i[fi + FI_HOST] = h;
      this.frags.i[fi + FI_STATE] = FRAG_WAITING;
      this.frags.i[fi + FI_IN_SRC] = -1;
      this.frags.f[ff + F_IN_LEFT] = 0;
      this.reqs.i[ri + RI_FRAG0 + j] = f;
      this.reqs.i[ri + RI_FRAG0 + m.maxFragments + j] = h;
      this.accrue(h, this.now);
      this.hostF[h * HF + H_RAM_USED] += m.fragRam[base + j];
      this.hostI[h * HI + HI_NPLACED]++;
    }
    for (let j = 0; j < nf; j++) {
      if (parallel || j === 0) this.startFragment(this.reqs.i[ri + RI_FRAG0 + j]);
    }
    for (let j = 0; j < nf; j++) this.updateHost(hosts[j]);
  }

  private reject(out: DecisionRejection[], kind: DecisionRejection["kind"], target: string, category: string, reason: string): void {
    const rej: DecisionRejection = { time: this.now, kind, target, category, reason };
    out.push(rej);
    this.rejectionCounts[category] = (this.rejectionCounts[category] ?? 0) + 1;
    if (this.record) this.rejectionLog.push(rej);
  }

  /**
   * Takes a request out of the pending queue. Within apply() it only counts: the caller changes
   * the request's state, pendingIndex no longer finds it, and apply() compacts the queue once at
   * its end (one pass, where removing each deployed request at once moved the rest).
   */
  private leavePending(): void {
    this.pendingRemoved++;
  }

  /** Drops the requests taken out of the pending queue (no longer REQ_PENDING), keeping the order. */
  private compactPending(): void {
    const p = this.pending;
    const I = this.reqs.i;
    const st = this.reqs.iStride;
    let kept = 0;
    for (let k = 0; k < p.length; k++) {
      const r = p[k];
      if (I[r * st + RI_STATE] === REQ_PENDING) p[kept++] = r;
    }
    while (p.length > kept) p.pop();
    this.pendingRemoved = 0;
  }

  /** Position of request `id` in the queue, or -1: the queue is in id (arrival) order, so a binary search. */
  private pendingIndex(id: number): number {
    const p = this.pending;
    const ri = this.reqs.iStride;
    const I = this.reqs.i;
    let lo = 0;
    let hi = p.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = I[p[mid] * ri + RI_ID];
      if (x === id) return I[p[mid] * ri + RI_STATE] === REQ_PENDING ? mid : -1; // (taken out in this apply)
      if (x < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ---------------------------------------------------------------- hosts

  private startHost(h: number): void {
    this.accrue(h, this.now);
    const hi = h * HI;
    this.hostI[hi + HI_STATE] = HOST_BOOTING;
    const epoch = ++this.hostI[hi + HI_EPOCH];
    this.hostI[hi + HI_BOOTS]++;
    this.hostI[hi + HI_BOOTSLOT] = this.queue.schedule(this.now + this.model.bootS[h], EV_BOOT, h, epoch, EV_BOOT);
    this.updateHost(h);
  }

  private undrainHost(h: number): void {
    this.hostI[h * HI + HI_STATE] = HOST_ON;
  }

  /** Stop: a host with fragments drains (takes no new ones) and powers off when empty. */
  private stopHost(h: number): void {
    if (this.hostI[h * HI + HI_NPLACED] === 0) this.powerOff(h);
    else this.hostI[h * HI + HI_STATE] = HOST_DRAINING;
  }

  private powerOff(h: number): void {
    this.accrue(h, this.now);
    const hi = h * HI;
    this.hostI[hi + HI_STATE] = HOST_OFF;
    this.hostI[hi + HI_EPOCH]++;
    // Pending failure and boot events are dead now: take them out of the queue (forks copy it).
    for (const field of [HI_FAILSLOT, HI_BOOTSLOT]) {
      const slot = this.hostI[hi + field];
      if (slot >= 0) {
        this.queue.cancel(slot);
        this.hostI[hi + field] = -1;
      }
    }
    this.hostI[hi + HI_THROTTLED] = 0;
    // Banked credits are not kept across deallocation; a new boot starts from the initial credits.
    this.hostF[h * HF + H_CREDITS] = 0;
    this.updateHost(h);
  }

  private onBoot(h: number, epoch: number): void {
    const hi = h * HI;
    if (this.hostI[hi + HI_EPOCH] !== epoch || this.hostI[hi + HI_STATE] !== HOST_BOOTING) return;
    this.accrue(h, this.now);
    this.hostI[hi + HI_STATE] = HOST_ON;
    this.hostF[h * HF + H_CREDITS] = this.model.creditInit[h];
    this.scheduleFailure(h);
    this.updateHost(h);
  }

  private scheduleFailure(h: number): void {
    const rate = this.model.failureRatePerS;
    if (rate <= 0) return;
    const t = this.now + this.failureRng.exponential(rate);
    this.hostI[h * HI + HI_FAILSLOT] = this.queue.schedule(t, EV_FAILURE, h, this.hostI[h * HI + HI_EPOCH], EV_FAILURE);
  }

  private onFailure(h: number, epoch: number): void {
    const hi = h * HI;
    const st = this.hostI[hi + HI_STATE];
    if (this.hostI[hi + HI_EPOCH] !== epoch || (st !== HOST_ON && st !== HOST_DRAINING)) return;
    this.accrue(h, this.now);
    this.hostI[hi + HI_FAILURES]++;
    // Every request with a fragment on this host loses that fragment: it is re-queued (its
    // progress lost) or counted failed, never dropped silently.
    const victims: number[] = [];
    for (let f = 0; f < this.frags.high; f++) {
      const fi = f * FIS;
      // on the failed host, or waiting for an output the failed host was sending
      if (this.frags.i[fi + FI_STATE] !== 0 && (this.frags.i[fi + FI_HOST] === h || this.frags.i[fi + FI_IN_SRC] === h)) {
        const r = this.frags.i[fi + FI_REQ];
        if (!victims.includes(r)) victims.push(r);
      }
    }
    victims.sort((x, y) => this.reqs.i[x * this.reqs.iStride + RI_ID] - this.reqs.i[y * this.reqs.iStride + RI_ID]);
    for (const r of victims) {
      this.killFragments(r);
      if (this.model.onFailure === "requeue") this.requeue(r);
      else this.endRequest(r, "failed");
    }
    this.hostI[hi + HI_STATE] = HOST_FAILED;
    const e = ++this.hostI[hi + HI_EPOCH];
    this.hostI[hi + HI_THROTTLED] = 0;
    this.hostF[h * HF + H_CREDITS] = 0;
    this.updateHost(h);
    this.queue.schedule(this.now + this.model.repairS, EV_REPAIR, h, e, EV_REPAIR);
  }

  /**
   * A repaired host returns to what its provisioning intends: one initially on or last started
   * (and not stopped since) boots again, as after a start; one that was being stopped stays off.
   */
  private onRepair(h: number, epoch: number): void {
    const hi = h * HI;
    if (this.hostI[hi + HI_EPOCH] !== epoch || this.hostI[hi + HI_STATE] !== HOST_FAILED) return;
    this.accrue(h, this.now);
    this.hostI[hi + HI_STATE] = HOST_OFF;
    this.hostI[hi + HI_EPOCH]++;
    if (this.hostI[hi + HI_INTENT] === 1) this.startHost(h);
  }

  /** Brings host h's accounting (energy, billing, credits, fragment progress) up to time t. */
  private accrue(h: number, t: number): void {
    const hf = h * HF;
    const F = this.hostF;
    const dt = t - F[hf + H_LAST];
    if (dt <= 0) return;
    F[hf + H_LAST] = t;
    const st = this.hostI[h * HI + HI_STATE];
    if (st === HOST_OFF || st === HOST_FAILED) return;
    const m = this.model;
    const u = F[hf + H_U];
    F[hf + H_ENERGY_J] += F[hf + H_POWER] * dt;
    F[hf + H_BILLED_S] += dt;
    F[hf + H_BUSY] += u * dt;
    if (m.creditEarnPerS[h] > 0 && st !== HOST_BOOTING) {
      let c = F[hf + H_CREDITS] + F[hf + H_CREDIT_RATE] * dt;
      if (c < 0) c = 0;
      else if (c > m.creditMax[h]) c = m.creditMax[h];
      F[hf + H_CREDITS] = c;
    }
    const rate = F[hf + H_RATE];
    if (rate > 0) F[hf + H_CLOCK] += rate * dt;
  }

  /** accrue(h, t) for every host, as one loop (it runs at every interval's end). */
  private accrueAll(t: number): void {
    const H = this.model.hostCount;
    const F = this.hostF;
    const I = this.hostI;
    const earn = this.model.creditEarnPerS;
    const creditMax = this.model.creditMax;
    for (let h = 0, hf = 0, hi = HI_STATE; h < H; h++, hf += HF, hi += HI) {
      const dt = t - F[hf + H_LAST];
      if (dt <= 0) continue;
      F[hf + H_LAST] = t;
      const st = I[hi];
      if (st === HOST_OFF || st === HOST_FAILED) continue;
      F[hf + H_ENERGY_J] += F[hf + H_POWER] * dt;
      F[hf + H_BILLED_S] += dt;
      F[hf + H_BUSY] += F[hf + H_U] * dt;
      if (earn[h] > 0 && st !== HOST_BOOTING) {
        let c = F[hf + H_CREDITS] + F[hf + H_CREDIT_RATE] * dt;
        if (c < 0) c = 0;
        else if (c > creditMax[h]) c = creditMax[h];
        F[hf + H_CREDITS] = c;
      }
      const rate = F[hf + H_RATE];
      if (rate > 0) F[hf + H_CLOCK] += rate * dt;
    }
  }

  /**
   * Recomputes host h's utilisation and per-fragment rate after a change, and (re)schedules its
   * next event: the earliest fragment completion, or the moment its CPU credits run out.
   */
  private updateHost(h: number): void {
    const m = this.model;
    const hf = h * HF;
    const hi = h * HI;
    const F = this.hostF;
    const I = this.hostI;
    const n = I[hi + HI_NRUN];
    const v = m.vcpus[h];
    const st = I[hi + HI_STATE];
    let u = 0;
    let throttled = 0;
    if (n > 0) {
      const demand = n >= v ? 1 : n / v;
      u = demand;
      if (m.creditEarnPerS[h] > 0 && F[hf + H_CREDITS] <= CREDIT_EPS && demand > m.baseU[h]) {
        u = m.baseU[h];
        throttled = 1;
      }
    }
    F[hf + H_U] = u;
    F[hf + H_CREDIT_RATE] = m.creditEarnPerS[h] - (u * v) / 60;
    F[hf + H_POWER] = m.power(h, u);
    I[hi + HI_THROTTLED] = throttled;
    const rate = n > 0 ? (u * v * m.mips[h]) / n : 0;
    F[hf + H_RATE] = rate;
    let next = Infinity;
    if (n > 0) {
      let done = F[hf + H_NEXTDONE];
      if (done !== done) {
        // the earliest finisher left: find the next one (only after a fragment stopped running)
        done = Infinity;
        const fr = this.frags;
        for (let f = I[hi + HI_HEAD]; f >= 0; f = fr.i[f * FIS + FI_NEXT]) {
          const d = fr.f[f * FF + F_MI];
          if (d < done) done = d;
        }
        F[hf + H_NEXTDONE] = done;
      }
      const minRem = done - F[hf + H_CLOCK];
      next = this.now + Math.max(0, minRem) / rate;
      // Never schedule a completion at `now` for work that is not done (the clock must advance).
      if (next <= this.now && minRem > MI_EPS) next = this.now + Math.max(Math.abs(this.now) * TIME_ULPS, Number.MIN_VALUE);
      if (!throttled && m.creditEarnPerS[h] > 0 && st !== HOST_BOOTING) {
        const net = (u * v) / 60 - m.creditEarnPerS[h];
        if (net > 0) {
          const tc = this.now + F[hf + H_CREDITS] / net;
          if (tc < next) next = tc;
        }
      }
    } else {
      // idle: restart the work clock, so it never grows large enough to lose precision
      F[hf + H_CLOCK] = 0;
      F[hf + H_NEXTDONE] = Infinity;
    }
    const slot = I[hi + HI_EVENT];
    if (next === Infinity) this.queue.unqueue(slot);
    else this.queue.reschedule(slot, next);
  }

  private onHostEvent(h: number): void {
    this.accrue(h, this.now);
    const fr = this.frags;
    const hi = h * HI;
    // Collect completions first: completing one can start a successor on this same host.
    let f = this.hostI[hi + HI_HEAD];
    const done = this.scratch;
    let nd = 0;
    // Work below what the clocks can resolve counts as done: late in a long run one ulp of time
    // at this host's rate is more than MI_EPS, and the completion time would not advance.
    const clock = this.hostF[h * HF + H_CLOCK];
    const eps = MI_EPS + (this.hostF[h * HF + H_RATE] * Math.abs(this.now) + clock) * TIME_ULPS;
    // The same pass finds the earliest finishing point among the fragments that keep running,
    // so updateHost need not walk the list again.
    let restMin = Infinity;
    let firstRest = -1;
    while (f >= 0) {
      const d = fr.f[f * FF + F_MI];
      if (d - clock <= eps) done[nd++] = f;
      else {
        if (firstRest < 0) firstRest = f;
        if (d < restMin) restMin = d;
      }
      f = fr.i[f * FIS + FI_NEXT];
    }
    if (nd > 0) {
      for (let k = 0; k < nd; k++) this.completeFragment(done[k]);
      const hf = h * HF;
      if (this.hostF[hf + H_NEXTDONE] !== this.hostF[hf + H_NEXTDONE]) {
        // Successors started here meanwhile were linked in at the head, before the first one
        // that kept running: only they are new to the minimum.
        for (let g = this.hostI[hi + HI_HEAD]; g !== firstRest; g = fr.i[g * FIS + FI_NEXT]) {
          const d = fr.f[g * FF + F_MI];
          if (d < restMin) restMin = d;
        }
        this.hostF[hf + H_NEXTDONE] = restMin;
      }
    }
    if (this.hostI[hi + HI_STATE] === HOST_DRAINING && this.hostI[hi + HI_NPLACED] === 0) this.powerOff(h);
    else this.updateHost(h);
  }

  // ---------------------------------------------------------------- fragments and requests

  /** Starts a fragment on its host (whose accounts are up to date): it joins the work clock. */
  private startFragment(f: number): void {
    const fi = f * FIS;
    const h = this.frags.i[fi + FI_HOST];
    const hi = h * HI;
    const hf = h * HF;
    const finish = this.hostF[hf + H_CLOCK] + this.frags.f[f * FF + F_MI];
    this.frags.f[f * FF + F_MI] = finish;
    if (this.hostF[hf + H_NEXTDONE] > finish) this.hostF[hf + H_NEXTDONE] = finish; // (NaN stays NaN)
    this.frags.i[fi + FI_STATE] = FRAG_RUNNING;
    const head = this.hostI[hi + HI_HEAD];
    this.frags.i[fi + FI_NEXT] = head;
    this.frags.i[fi + FI_PREV] = -1;
    if (head >= 0) this.frags.i[head * FIS + FI_PREV] = f;
    this.hostI[hi + HI_HEAD] = f;
    this.hostI[hi + HI_NRUN]++;
  }

  private unlinkRunning(f: number): void {
    const fi = f * FIS;
    const h = this.frags.i[fi + FI_HOST];
    const next = this.frags.i[fi + FI_NEXT];
    const prev = this.frags.i[fi + FI_PREV];
    if (prev >= 0) this.frags.i[prev * FIS + FI_NEXT] = next;
    else this.hostI[h * HI + HI_HEAD] = next;
    if (next >= 0) this.frags.i[next * FIS + FI_PREV] = prev;
    this.hostI[h * HI + HI_NRUN]--;
    if (!(this.frags.f[f * FF + F_MI] > this.hostF[h * HF + H_NEXTDONE])) this.hostF[h * HF + H_NEXTDONE] = NaN;
  }

  /** Frees a fragment slot and gives its host the RAM back. */
  private freeFragment(f: number): void {
    const fi = f * FIS;
    const h = this.frags.i[fi + FI_HOST];
    const st = this.frags.i[fi + FI_STATE];
    if (st === FRAG_RUNNING) this.unlinkRunning(f);
    else if (st === FRAG_RECEIVING) {
      // its input stops crossing the network: the others share the links without it
      this.advanceNetwork();
      this.unlinkTransfer(f);
      this.shareNetwork();
    }
    this.hostF[h * HF + H_RAM_USED] -= this.frags.f[f * FF + F_RAM];
    if (this.hostI[h * HI + HI_NPLACED] === 1) this.hostF[h * HF + H_RAM_USED] = 0; // no residue
    this.hostI[h * HI + HI_NPLACED]--;
    // The generation survives reuse of the slot, so a transfer meant for this fragment is recognised as stale.
    this.frags.i[fi + FI_STATE] = 0;
    this.frags.i[fi + FI_GEN]++;
    this.frags.release(f);
  }

  private completeFragment(f: number): void {
    const m = this.model;
    const fi = f * FIS;
    const r = this.frags.i[fi + FI_REQ];
    const j = this.frags.i[fi + FI_INDEX];
    const h = this.frags.i[fi + FI_HOST];
    const out = this.frags.f[f * FF + F_OUT];
    const ri = r * this.reqs.iStride;
    this.hostI[h * HI + HI_COMPLETED]++;
    this.freeFragment(f);
    const left = --this.reqs.i[ri + RI_LEFT];
    const v = this.reqs.i[ri + RI_VARIANT];
    if (left === 0) {
      this.endRequest(r, "completed");
      return;
    }
    if (m.vParallel[v] === 0 && j + 1 < m.vNFrag[v]) {
      const s = this.reqs.i[ri + RI_FRAG0 + j + 1];
      const hs = this.frags.i[s * FIS + FI_HOST];
      if (hs === h) {
        this.startFragment(s);
      } else {
        // The output crosses the network to the successor's host: the latency first (the links
        // carry nothing meanwhile, as in SimGrid's flow models), then a transfer sharing both
        // hosts' links with every other transfer crossing them.
        this.frags.i[s * FIS + FI_IN_SRC] = h;
        this.frags.f[s * FF + F_IN_LEFT] = out;
        this.queue.schedule(this.now + m.latencyS, EV_TRANSFER, s, this.frags.i[s * FIS + FI_GEN], EV_TRANSFER);
      }
    }
  }

  /** A transfer's latency has passed: its data starts to flow (or, if there is none, has arrived). */
  private onTransfer(f: number, gen: number): void {
    const fi = f * FIS;
    if (this.frags.i[fi + FI_GEN] !== gen || this.frags.i[fi + FI_STATE] !== FRAG_WAITING) return;
    if (!(this.frags.f[f * FF + F_IN_LEFT] > 0)) {
      this.receive(f);
      return;
    }
    this.advanceNetwork();
    const fr = this.frags;
    fr.i[fi + FI_STATE] = FRAG_RECEIVING;
    fr.i[fi + FI_IN_PREV] = -1;
    fr.i[fi + FI_IN_NEXT] = this.netHead;
    if (this.netHead >= 0) fr.i[this.netHead * FIS + FI_IN_PREV] = f;
    this.netHead = f;
    this.shareNetwork();
  }

  /** Its input is in: the fragment starts on its host. */
  private receive(f: number): void {
    const h = this.frags.i[f * FIS + FI_HOST];
    this.frags.i[f * FIS + FI_IN_SRC] = -1;
    this.accrue(h, this.now);
    this.startFragment(f);
    this.updateHost(h);
  }

  // ---------------------------------------------------------------- network

  /** Brings every transfer's progress up to now at the rates it had since the last change. */
  private advanceNetwork(): void {
    const dt = this.now - this.netLast;
    this.netLast = this.now;
    if (dt <= 0) return;
    const fr = this.frags;
    for (let f = this.netHead; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) fr.f[f * FF + F_IN_LEFT] -= fr.f[f * FF + F_IN_RATE] * dt;
  }

  private unlinkTransfer(f: number): void {
    const fr = this.frags;
    const next = fr.i[f * FIS + FI_IN_NEXT];
    const prev = fr.i[f * FIS + FI_IN_PREV];
    if (prev >= 0) fr.i[prev * FIS + FI_IN_NEXT] = next;
    else this.netHead = next;
    if (next >= 0) fr.i[next * FIS + FI_IN_PREV] = prev;
  }

  /**
   * Shares the host links among the transfers crossing them, max-min fairly (progressive
   * filling, the sharing of SimGrid's flow models): every link has the scenario's bandwidth, a
   * transfer uses its sender's and its receiver's link, and repeatedly the link offering the
   * smallest equal share fixes that share for all its unfixed transfers, whose capacity is taken
   * from their other link. Then the next completion is scheduled exactly; it moves whenever a
   * transfer starts or ends, because this runs again then.
   */
  private shareNetwork(): void {
    const fr = this.frags;
    const cap = this.linkCap;
    const cnt = this.linkN;
    const bw = this.model.bandwidthMBps;
    const head = this.netHead;
    if (head < 0) {
      this.queue.unqueue(this.netSlot);
      return;
    }
    for (let f = head; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
      const a = fr.i[f * FIS + FI_IN_SRC];
      const b = fr.i[f * FIS + FI_HOST];
      cap[a] = bw;
      cap[b] = bw;
      cnt[a] = 0;
      cnt[b] = 0;
      fr.f[f * FF + F_IN_RATE] = -1; // not fixed yet
    }
    for (let f = head; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
      cnt[fr.i[f * FIS + FI_IN_SRC]]++;
      cnt[fr.i[f * FIS + FI_HOST]]++;
    }
    for (;;) {
      let bottleneck = -1;
      let share = Infinity;
      for (let f = head; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
        if (fr.f[f * FF + F_IN_RATE] >= 0) continue;
        const a = fr.i[f * FIS + FI_IN_SRC];
        const b = fr.i[f * FIS + FI_HOST];
        const sa = cap[a] / cnt[a];
        const sb = cap[b] / cnt[b];
        if (sa < share) {
          share = sa;
          bottleneck = a;
        }
        if (sb < share) {
          share = sb;
          bottleneck = b;
        }
      }
      if (bottleneck < 0) break;
      for (let f = head; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
        if (fr.f[f * FF + F_IN_RATE] >= 0) continue;
        const a = fr.i[f * FIS + FI_IN_SRC];
        const b = fr.i[f * FIS + FI_HOST];
        if (a !== bottleneck && b !== bottleneck) continue;
        fr.f[f * FF + F_IN_RATE] = share;
        cap[a] = Math.max(0, cap[a] - share);
        cap[b] = Math.max(0, cap[b] - share);
        cnt[a]--;
        cnt[b]--;
      }
    }
    let next = Infinity;
    let left = 0;
    for (let f = head; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
      const d = fr.f[f * FF + F_IN_LEFT] / fr.f[f * FF + F_IN_RATE];
      if (d < next) {
        next = d;
        left = fr.f[f * FF + F_IN_LEFT];
      }
    }
    let t = this.now + Math.max(0, next);
    // Never schedule a completion at `now` for data that has not arrived (the clock must advance).
    if (t <= this.now && left > NET_EPS) t = this.now + Math.max(Math.abs(this.now) * TIME_ULPS, Number.MIN_VALUE);
    this.queue.reschedule(this.netSlot, t);
  }

  private onNetworkEvent(): void {
    this.advanceNetwork();
    const fr = this.frags;
    const done = this.scratch;
    let nd = 0;
    for (let f = this.netHead; f >= 0; f = fr.i[f * FIS + FI_IN_NEXT]) {
      // data below what the clock can resolve at this rate counts as arrived
      if (fr.f[f * FF + F_IN_LEFT] <= NET_EPS + fr.f[f * FF + F_IN_RATE] * Math.abs(this.now) * TIME_ULPS) done[nd++] = f;
    }
    for (let k = 0; k < nd; k++) this.unlinkTransfer(done[k]);
    for (let k = 0; k < nd; k++) this.receive(done[k]);
    this.shareNetwork();
  }

  /** Removes all of a request's fragments from their hosts (after a failure). */
  private killFragments(r: number): void {
    const ri = r * this.reqs.iStride;
    const v = this.reqs.i[ri + RI_VARIANT];
    const nf = this.model.vNFrag[v];
    const touched: number[] = [];
    for (let j = 0; j < nf; j++) {
      const f = this.reqs.i[ri + RI_FRAG0 + j];
      const fi = f * FIS;
      if (this.frags.i[fi + FI_STATE] === 0 || this.frags.i[fi + FI_REQ] !== r) continue; // already done
      const h = this.frags.i[fi + FI_HOST];
      this.accrue(h, this.now);
      this.freeFragment(f);
      if (!touched.includes(h)) touched.push(h);
    }
    for (const h of touched) {
      if (this.hostI[h * HI + HI_STATE] === HOST_DRAINING && this.hostI[h * HI + HI_NPLACED] === 0) this.powerOff(h);
      else this.updateHost(h);
    }
  }

  private requeue(r: number): void {
    const ri = r * this.reqs.iStride;
    this.reqs.i[ri + RI_STATE] = REQ_PENDING;
    this.reqs.i[ri + RI_VARIANT] = -1;
    const id = this.reqs.i[ri + RI_ID];
    // Back into the queue in arrival (id) order.
    let k = 0;
    while (k < this.pending.length && this.reqs.i[this.pending[k] * this.reqs.iStride + RI_ID] < id) k++;
    this.pending.splice(k, 0, r);
  }

  private endRequest(r: number, status: "completed" | "rejected" | "failed"): void {
    const m = this.model;
    const rf = r * RF;
    const ri = r * this.reqs.iStride;
    const arrival = this.reqs.f[rf + R_ARRIVAL];
    const deadline = this.reqs.f[rf + R_DEADLINE];
    const v = this.reqs.i[ri + RI_VARIANT];
    if (status === "completed") {
      const resp = this.now - arrival;
      this.completed++;
      this.responseSum += resp;
      this.deadlineSum += deadline;
      this.accuracySum += m.vAccuracy[v];
      this.accuracyLossSum += m.appBestAccuracy[this.reqs.i[ri + RI_APP]] - m.vAccuracy[v];
      if (resp > deadline) this.violated++;
      if (this.record) this.responses.push(resp);
    } else if (status === "rejected") this.rejected++;
    else this.failed++;
    if (this.record) this.requestRecords.push(this.recordOf(r, status));
    this.reqs.i[ri + RI_STATE] = 0;
    this.reqs.release(r);
  }

  private recordOf(r: number, status: RequestRecord["status"]): RequestRecord {
    const rf = r * RF;
    const ri = r * this.reqs.iStride;
    const v = this.reqs.i[ri + RI_VARIANT];
    const hosts: number[] = [];
    if (v >= 0 && this.reqs.i[ri + RI_STATE] === REQ_RUNNING) {
      for (let j = 0; j < this.model.vNFrag[v]; j++) hosts.push(this.reqs.i[ri + RI_FRAG0 + this.model.maxFragments + j]);
    }
    return {
      id: this.reqs.i[ri + RI_ID],
      app: this.reqs.i[ri + RI_APP],
      variant: status === "rejected" ? -1 : v,
      arrival: this.reqs.f[rf + R_ARRIVAL],
      deadline: this.reqs.f[rf + R_DEADLINE],
      start: this.reqs.i[ri + RI_STATE] === REQ_RUNNING ? this.reqs.f[rf + R_START] : NaN,
      end: status === "inFlight" ? NaN : this.now,
      status,
      hosts,
    };
  }

  private expirePending(): void {
    const limit = this.now - this.model.maxPendingS;
    // one compacting pass, in queue order (the order the rejections are counted and recorded)
    const p = this.pending;
    const n = p.length;
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const r = p[k];
      if (this.reqs.f[r * RF + R_ARRIVAL] < limit) {
        this.endRequest(r, "rejected");
        this.rejectionCounts["waited too long"] = (this.rejectionCounts["waited too long"] ?? 0) + 1;
      } else p[kept++] = r;
    }
    while (p.length > kept) p.pop();
  }

  // ---------------------------------------------------------------- arrivals

  private pullArrival(): void {
    if (this.arrivalsClosed) return;
    if (this.arrivals.next(this.nextArrival)) {
      const t = Math.max(this.nextArrival.time, this.now);
      checkTime(t);
      this.arrivalAt = t;
    }
  }

  /**
   * After a reseeded fork: the arrival and the failure times already drawn from the original
   * streams are drawn again from the fork's own, so the fork does not know the original's future.
   * (Exponential failure times are memoryless: redrawing them at any moment is exact.)
   */
  private redrawFuture(): void {
    // Only a pending arrival is drawn again: with none, the source is exhausted.
    if (this.arrivalAt !== Infinity) {
      this.arrivalAt = Infinity;
      this.pullArrival();
    }
    for (let h = 0; h < this.model.hostCount; h++) {
      const hi = h * HI;
      const slot = this.hostI[hi + HI_FAILSLOT];
      if (slot < 0) continue;
      this.queue.cancel(slot);
      this.hostI[hi + HI_FAILSLOT] = -1;
      const st = this.hostI[hi + HI_STATE];
      if (st === HOST_ON || st === HOST_DRAINING) this.scheduleFailure(h);
    }
  }

  private onArrival(): void {
    const a = this.nextArrival;
    const m = this.model;
    if (a.app < 0 || a.app >= m.apps.length || !Number.isInteger(a.app)) {
      throw new Error(`arrival at ${a.time} s names application ${a.app}, but the scenario has ${m.apps.length}`);
    }
    const r = this.reqs.alloc();
    const rf = r * RF;
    const ri = r * this.reqs.iStride;
    this.reqs.f[rf + R_ARRIVAL] = this.now;
    this.reqs.f[rf + R_DEADLINE] = a.deadline;
    this.reqs.f[rf + R_SIZE] = a.size;
    this.reqs.i[ri + RI_ID] = this.nextRequestId++;
    this.reqs.i[ri + RI_APP] = a.app;
    this.reqs.i[ri + RI_VARIANT] = -1;
    this.reqs.i[ri + RI_STATE] = REQ_PENDING;
    this.reqs.i[ri + RI_LEFT] = 0;
    this.reqs.f[rf + R_START] = NaN;
    this.pending.push(r);
    this.arrived++;
    this.arrivedThisInterval++;
    this.pullArrival();
  }

  /**
   * Stops arrivals from now on (the end of a run: it then drains, see src/runner.ts). The arrival
   * already drawn for later is dropped; forks of this twin see no arrivals either.
   */
  closeArrivals(): void {
    this.arrivalsClosed = true;
    this.arrivalAt = Infinity;
  }

  get arrivalsOpen(): boolean {
    return !this.arrivalsClosed;
  }

  // ---------------------------------------------------------------- metrics

  totals(): Totals {
    const m = this.model;
    let energyJ = 0;
    let costUSD = 0;
    let busyS = 0;
    let billedS = 0;
    for (let h = 0; h < m.hostCount; h++) {
      energyJ += this.hostF[h * HF + H_ENERGY_J];
      costUSD += (this.hostF[h * HF + H_BILLED_S] * m.pricePerHour[h]) / 3600;
      busyS += this.hostF[h * HF + H_BUSY];
      billedS += this.hostF[h * HF + H_BILLED_S];
    }
    return {
      time: this.now,
      energyJ,
      costUSD,
      arrived: this.arrived,
      completed: this.completed,
      violated: this.violated,
      rejected: this.rejected,
      failed: this.failed,
      responseSum: this.responseSum,
      accuracySum: this.accuracySum,
      accuracyLossSum: this.accuracyLossSum,
      deadlineSum: this.deadlineSum,
      busyS,
      billedS,
      events: this.events,
    };
  }

  /** events waiting in the queue (for checks that dead events do not pile up) */
  get queuedEvents(): number {
    return this.queue.size + (this.arrivalAt !== Infinity ? 1 : 0);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get runningCount(): number {
    return this.reqs.live - this.pending.length;
  }

  /** Requests still in flight (pending or running): arrived = completed + rejected + failed + inFlight. */
  get inFlight(): number {
    return this.reqs.live;
  }

  get rejections(): Readonly<Record<string, number>> {
    return this.rejectionCounts;
  }

  /** Per-host totals: energy J, billed s, busy s, completions, boots, failures, state. */
  hostTotals(h: number): { energyJ: number; billedS: number; busyS: number; completed: number; boots: number; failures: number; state: number; ramUsedMB: number; running: number; placed: number } {
    const hf = h * HF;
    const hi = h * HI;
    return {
      energyJ: this.hostF[hf + H_ENERGY_J],
      billedS: this.hostF[hf + H_BILLED_S],
      busyS: this.hostF[hf + H_BUSY],
      completed: this.hostI[hi + HI_COMPLETED],
      boots: this.hostI[hi + HI_BOOTS],
      failures: this.hostI[hi + HI_FAILURES],
      state: this.hostI[hi + HI_STATE],
      ramUsedMB: this.hostF[hf + H_RAM_USED],
      running: this.hostI[hi + HI_NRUN],
      placed: this.hostI[hi + HI_NPLACED],
    };
  }

  /** Requests in flight (pending or running) whose id is below `bound` (ids are in arrival order). */
  inFlightBelow(bound: number): number {
    let n = 0;
    const st = this.reqs.iStride;
    for (let r = 0; r < this.reqs.high; r++) {
      if (this.reqs.i[r * st + RI_STATE] !== 0 && this.reqs.i[r * st + RI_ID] < bound) n++;
    }
    return n;
  }

  /** Records of the requests still in flight (for the per-request output at the end of a run). */
  inFlightRecords(): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (let r = 0; r < this.reqs.high; r++) {
      if (this.reqs.i[r * this.reqs.iStride + RI_STATE] !== 0) out.push(this.recordOf(r, "inFlight"));
    }
    out.sort((a, b) => a.id - b.id);
    return out;
  }

  /** Where each live fragment is, for invariant checks: [request id, fragment index, host, state]. */
  fragmentPlacements(): Array<[number, number, number, number]> {
    const out: Array<[number, number, number, number]> = [];
    for (let f = 0; f < this.frags.high; f++) {
      const fi = f * FIS;
      const st = this.frags.i[fi + FI_STATE];
      if (st === 0) continue;
      const r = this.frags.i[fi + FI_REQ];
      out.push([this.reqs.i[r * this.reqs.iStride + RI_ID], this.frags.i[fi + FI_INDEX], this.frags.i[fi + FI_HOST], st]);
    }
    return out;
  }

  // ---------------------------------------------------------------- fork

  /**
   * An independent copy that can run ahead. With `reseed`, the copy's random futures (arrivals
   * from synthetic generators, failures) are drawn from streams salted with it, so several forks
   * can be averaged; without it the copy's future is the same as this twin's would be.
   */
  fork(reseed?: string | number): Twin {
    if (reseed === undefined) {
      return new Twin(this.model, this.arrivals.clone(), 0, undefined, {
        twin: this,
        streams: this.streams,
        failureRng: this.failureRng.clone(),
      });
    }
    const streams = this.streams.reseeded(reseed);
    const t = new Twin(this.model, this.arrivals.reseed(streams.get("arrivals"), this.now), 0, undefined, {
      twin: this,
      streams,
      failureRng: streams.get("failures"),
    });
    t.redrawFuture();
    return t;
  }

  /**
   * Applies `decision` now, then runs `horizon` intervals, letting `policy` decide at the start of
   * each later interval. Returns the totals at the end (diff them with a snapshot taken before).
   * Meant for forks: it mutates this twin.
   */
  runAhead(decision: Decision, policy: Policy, horizon: number): Totals {
    if (!(horizon >= 1)) throw new RangeError(`runAhead: horizon must be at least 1 interval, got ${horizon}`);
    this.apply(decision);
    this.finishInterval(policy);
    for (let k = 1; k < horizon; k++) {
      this.apply(policy.decide(this.observe()));
      this.finishInterval(policy);
    }
    return this.totals();
  }

  /** Runs to the end of the interval, asking `policy` at each arrival when the scenario dispatches on arrival. */
  finishInterval(policy: Policy): void {
    const end = this.intervalEnd;
    if (this.model.admission === "arrival") {
      while (this.runUntil(end, true)) this.apply(policy.decide(this.observe()));
    } else {
      this.runUntil(end);
    }
    this.closeInterval();
  }
}

/** The event queue's check, for the arrival drawn ahead (which is not queued). */
function checkTime(time: number): void {
  if (!(time === time) || time === Infinity || time === -Infinity) {
    throw new RangeError(`event time must be a finite number, got ${time}`);
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
