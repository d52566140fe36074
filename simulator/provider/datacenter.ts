import { performance } from "node:perf_hooks";
import { EventQueue } from "../engine/event-queue.ts";
import type { RandomStream } from "../engine/random.ts";
import type { VmAllocationPolicy } from "./allocation/policy.ts";
import {
  CLOUDLET_DONE,
  CLOUDLET_REJECTED,
  CLOUDLET_RUNNING,
  CLOUDLET_WAITING,
  HOST_OFF,
  HOST_ON,
  type ProviderEntities,
} from "./entities.ts";
import { powerAt } from "./power-curves.ts";
import type { CloudletScheduler } from "./scheduler/policy.ts";
import { Timeline } from "./timeline.ts";

const EV_VM_COMPLETION = 1;
const EV_SUBMISSION = 2;
// At equal times completions run first, so PEs they free are seen by cloudlets submitted then;
// a new time frame's draws (stochastic utilisations drawn anew) apply to whatever runs after both.
// The frame is not queued: there is at most one, so it waits in `frameAt` and runs when it is
// earlier than every queued event (at equal times after them, as the last priority). Most events
// of a long stochastic run are frames; this saves a heap push and pop for each.
const PRIO_COMPLETION = 0;
const PRIO_SUBMISSION = 1;

export const REJECT_VM_DID_NOT_FIT = "vm did not fit";
export const REJECT_UNPLACED_VM = "cloudlet bound to unplaced vm";

export interface DatacenterSettings {
  /** hosts without VMs draw their 0 % power and are billed (else they are off: 0 W, unbilled) */
  emptyHostsIdle: boolean;
  /** stop here if cloudlets are still unresolved (Infinity = run until all are resolved) */
  maxTimeS: number;
  onProgress?: (frac: number) => void;
  /** time frame of stochastic cloudlet utilisation, s, and the stream the draws come from */
  utilisationFrameS?: number;
  utilisationRng?: RandomStream;
}

/**
 * The provider-view mechanism: places VMs with an allocation policy at time 0, then runs
 * cloudlet submissions and completions as discrete events. Nothing here knows which policy or
 * scheduler runs.
 *
 * Cloudlet progress uses a per-VM virtual clock V (MI delivered to each running cloudlet PE at
 * utilisation 1): V grows at the VM's current per-PE rate, and a cloudlet started at V0 finishes
 * when V reaches V0 + length / utilisation. That finishing point never moves when the rate
 * changes, so each VM keeps its running cloudlets in a small heap ordered by it and owns exactly
 * one completion event, rescheduled (never duplicated) whenever its earliest finish or its rate
 * changes.
 *
 * Stochastic cloudlets draw their utilisation when they start and at every multiple of the time
 * frame while they run (one event per frame for the whole datacenter, only while such cloudlets
 * run): a cloudlet's remaining work is kept across a new draw, its finishing point moves, and
 * its VM's heap is rebuilt.
 *
 * Host power is piecewise constant between events; each host integrates it (and its
 * utilisation, busy and billed time) lazily, only when something on it changes and once at the
 * end, so energy is exact and does not depend on any sampling interval.
 */
export class ProviderDatacenter {
  readonly queue: EventQueue;
  readonly timeline = new Timeline();

  // hosts
  readonly hostTotalMips: Float64Array;
  readonly hostUsedMips: Float64Array;
  readonly hostPowerW: Float64Array;
  readonly hostLastS: Float64Array;
  readonly hostEnergyJ: Float64Array;
  /** integral of utilisation over time (seconds at 100 %) */
  readonly hostUtilS: Float64Array;
  readonly hostBusyS: Float64Array;
  readonly hostBilledS: Float64Array;
  readonly hostVms: Int32Array;
  readonly hostRunning: Int32Array;
  readonly hostCompleted: Int32Array;
  readonly hostBoots: Int32Array;

  // VMs
  readonly vmClock: Float64Array;
  readonly vmClockS: Float64Array;
  readonly vmRate: Float64Array;
  /** sum of pes * utilisation over running cloudlets */
  readonly vmPesU: Float64Array;
  readonly vmUsedMips: Float64Array;
  readonly vmBusyPes: Int32Array;
  readonly vmRunning: Int32Array;
  readonly vmWaiting: Int32Array;
  /** running cloudlets with stochastic utilisation */
  readonly vmStochastic: Int32Array;
  /** position (in the VM's cloudlet list) of the oldest cloudlet that may still be waiting */
  readonly vmHead: Int32Array;
  readonly vmSlot: Int32Array;
  /** wall time of the allocation decision for each VM, ms */
  readonly vmDecisionMs: Float64Array;

  // cloudlets
  readonly clFinishClock: Float64Array;
  /** utilisation a running cloudlet has now (fixed, or the frame's draw) */
  readonly clU: Float64Array;
  /** VMs running stochastic cloudlets, and each VM's place in that list (-1: not in it) */
  private readonly drawVms: Int32Array;
  private readonly drawPos: Int32Array;
  private drawCount = 0;
  /** running stochastic cloudlets; time of the next frame (Infinity: none due) */
  private stochasticRunning = 0;
  private frameAt = Infinity;
  /** time frame of stochastic utilisation, s */
  private readonly frameS: number;
  /** per-VM running heaps, VM v's at [heapBase(v), heapBase(v) + vmRunning[v]) */
  private readonly heap: Int32Array;
  private readonly perVm: number;
  private readonly extraVms: number;

  // totals
  totalPowerW = 0;
  totalUsedMips = 0;
  onMips = 0;
  hostsOn = 0;
  now = 0;
  endS = 0;
  events = 0;
  arrived = 0;
  completed = 0;
  rejected = 0;
  placedVms = 0;
  private nextSubmission = 0;
  private resolved = 0;
  readonly rejections: Record<string, number> = {};

  constructor(
    readonly entities: ProviderEntities,
    readonly scheduler: CloudletScheduler,
    readonly settings: DatacenterSettings,
  ) {
    const { hosts, vms, cloudlets } = entities;
    const nh = hosts.count;
    const nv = vms.count;
    const nc = cloudlets.count;
    this.hostTotalMips = new Float64Array(nh);
    for (let h = 0; h < nh; h++) this.hostTotalMips[h] = hosts.pes[h] * hosts.mipsPerPe[h];
    this.hostUsedMips = new Float64Array(nh);
    this.hostPowerW = new Float64Array(nh);
    this.hostLastS = new Float64Array(nh);
    this.hostEnergyJ = new Float64Array(nh);
    this.hostUtilS = new Float64Array(nh);
    this.hostBusyS = new Float64Array(nh);
    this.hostBilledS = new Float64Array(nh);
    this.hostVms = new Int32Array(nh);
    this.hostRunning = new Int32Array(nh);
    this.hostCompleted = new Int32Array(nh);
    this.hostBoots = new Int32Array(nh);
    this.vmClock = new Float64Array(nv);
    this.vmClockS = new Float64Array(nv);
    this.vmRate = new Float64Array(nv);
    this.vmPesU = new Float64Array(nv);
    this.vmUsedMips = new Float64Array(nv);
    this.vmBusyPes = new Int32Array(nv);
    this.vmRunning = new Int32Array(nv);
    this.vmWaiting = new Int32Array(nv);
    this.vmStochastic = new Int32Array(nv);
    this.vmHead = new Int32Array(nv);
    this.vmSlot = new Int32Array(nv).fill(-1);
    this.vmDecisionMs = new Float64Array(nv);
    this.clFinishClock = new Float64Array(nc);
    this.clU = new Float64Array(nc);
    this.drawVms = new Int32Array(nv);
    this.drawPos = new Int32Array(nv).fill(-1);
    this.heap = new Int32Array(nc);
    this.perVm = nv > 0 ? Math.floor(nc / nv) : 0;
    this.extraVms = nv > 0 ? nc % nv : 0;
    this.queue = new EventQueue(nv + 4);
    this.frameS = settings.utilisationFrameS ?? 1;
  }

  /** Places every VM in index order at time 0, timing each decision. */
  placeVms(policy: VmAllocationPolicy): void {
    const { hosts, vms } = this.entities;
    for (let v = 0; v < vms.count; v++) {
      const t0 = performance.now();
      const h = policy.findHost(v);
      if (h >= 0) {
        // time-shared: VMs share PEs, taking MIPS; space-shared: each takes whole PEs
        if (hosts.timeShared) hosts.freeMips[h] -= vms.pes[v] * vms.mips[v];
        else hosts.freePes[h] -= vms.pes[v];
        hosts.freeRamMB[h] -= vms.ramMB[v];
        hosts.freeBwMbps[h] -= vms.bwMbps[v];
        hosts.freeStorageMB[h] -= vms.storageMB[v];
        vms.host[v] = h;
        this.hostVms[h]++;
        policy.hostChanged(h);
      }
      this.vmDecisionMs[v] = performance.now() - t0;
      this.events++;
      if (h >= 0) {
        this.placedVms++;
        this.vmSlot[v] = this.queue.reserve(EV_VM_COMPLETION, v, 0, PRIO_COMPLETION);
      } else {
        this.reject(REJECT_VM_DID_NOT_FIT);
      }
    }
    const idle = this.settings.emptyHostsIdle;
    for (let h = 0; h < hosts.count; h++) {
      if (idle || this.hostVms[h] > 0) {
        hosts.state[h] = HOST_ON;
        if (!idle) this.hostBoots[h] = 1;
        this.hostsOn++;
        this.onMips += this.hostTotalMips[h];
      } else {
        hosts.state[h] = HOST_OFF;
      }
      this.refreshHostPower(h);
    }
  }

  /** Runs submissions and completions until every cloudlet is resolved or maxTimeS. */
  run(): void {
    const { cloudlets } = this.entities;
    const q = this.queue;
    const maxT = this.settings.maxTimeS;
    if (cloudlets.count > 0) q.schedule(cloudlets.submitS[0], EV_SUBMISSION, 0, 0, PRIO_SUBMISSION);
    this.settings.onProgress?.(0);
    for (;;) {
      const qt = q.peekTime();
      const frame = this.frameAt < qt;
      const t = frame ? this.frameAt : qt;
      if (t === Infinity || t > maxT) break;
      if (t > this.now) {
        this.recordTimeline();
        this.now = t;
      }
      if (frame) {
        this.frameAt = Infinity;
        this.newFrame(t);
        continue;
      }
      const slot = q.pop();
      const kind = q.kindOfSlot(slot);
      if (kind === EV_VM_COMPLETION) {
        this.completeOnVm(q.aOfSlot(slot), t);
      } else {
        q.release(slot);
        this.submitDue(t);
      }
    }
    this.recordTimeline();
    this.endS = q.size === 0 && this.frameAt === Infinity ? this.now : maxT;
    const { hosts } = this.entities;
    for (let h = 0; h < hosts.count; h++) this.advanceHost(h, this.endS);
    this.settings.onProgress?.(1);
  }

  /** cloudlets submitted so far: always the first ones in index (submission) order */
  get submitted(): number {
    return this.nextSubmission;
  }

  get inFlight(): number {
    return this.arrived - this.completed - this.rejected;
  }

  /** Position k of VM v's cloudlet list holds cloudlet v + k * nVms (round-robin binding). */
  private heapBase(v: number): number {
    return v * this.perVm + (v < this.extraVms ? v : this.extraVms);
  }

  private submitDue(t: number): void {
    const cl = this.entities.cloudlets;
    let c = this.nextSubmission;
    while (c < cl.count && cl.submitS[c] <= t) this.submit(c++, t);
    this.nextSubmission = c;
    if (c < cl.count) this.queue.schedule(cl.submitS[c], EV_SUBMISSION, 0, 0, PRIO_SUBMISSION);
  }

  private submit(c: number, t: number): void {
    const { vms, cloudlets: cl } = this.entities;
    this.events++;
    this.arrived++;
    const v = cl.vm[c];
    const h = v >= 0 ? vms.host[v] : -1;
    if (h < 0) {
      this.rejectCloudlet(c, t, REJECT_UNPLACED_VM);
      return;
    }
    const why = this.scheduler.cannotRun(cl.pes[c], vms.pes[v]);
    if (why !== null) {
      this.rejectCloudlet(c, t, why);
      return;
    }
    if (this.vmWaiting[v] > 0 || !this.scheduler.canStart(cl.pes[c], vms.pes[v], this.vmBusyPes[v])) {
      cl.status[c] = CLOUDLET_WAITING;
      this.vmWaiting[v]++;
      return;
    }
    this.advanceHost(h, t);
    this.advanceVm(v, t);
    this.start(c, v, h, t);
    this.afterVmChange(v, h, t);
  }

  private completeOnVm(v: number, t: number): void {
    const { vms, cloudlets: cl } = this.entities;
    const h = vms.host[v];
    this.advanceHost(h, t);
    this.advanceVm(v, t);
    const base = this.heapBase(v);
    const heap = this.heap;
    const clock = this.vmClock[v];
    // Float tolerance: a nanosecond, or 1e-14 of the clock for very long runs.
    const tolerance = Math.max(1e-9, t * 1e-14) * this.vmRate[v];
    while (this.vmRunning[v] > 0 && this.clFinishClock[heap[base]] - clock <= tolerance) {
      const c = this.heapPop(base, v);
      cl.status[c] = CLOUDLET_DONE;
      cl.finishS[c] = t;
      this.vmBusyPes[v] -= cl.pes[c];
      this.vmPesU[v] -= cl.pes[c] * this.clU[c];
      if (cl.stochastic[c]) {
        this.vmStochastic[v]--;
        // the last one: no frame is needed (it would only stretch the run past its last event)
        if (--this.stochasticRunning === 0) {
          this.frameAt = Infinity;
        }
      }
      this.hostRunning[h]--;
      this.hostCompleted[h]++;
      this.completed++;
      this.events++;
      this.progressed();
    }
    if (this.vmRunning[v] === 0) this.vmPesU[v] = 0; // no float residue on an empty VM
    // Strict FIFO: offer the oldest waiting cloudlet until one cannot start.
    const nv = vms.count;
    while (this.vmWaiting[v] > 0) {
      let k = this.vmHead[v];
      while (cl.status[v + k * nv] !== CLOUDLET_WAITING) k++;
      this.vmHead[v] = k;
      const c = v + k * nv;
      if (!this.scheduler.canStart(cl.pes[c], vms.pes[v], this.vmBusyPes[v])) break;
      this.vmWaiting[v]--;
      this.vmHead[v] = k + 1;
      this.start(c, v, h, t);
    }
    this.afterVmChange(v, h, t);
  }

  private start(c: number, v: number, h: number, t: number): void {
    const cl = this.entities.cloudlets;
    cl.status[c] = CLOUDLET_RUNNING;
    cl.startS[c] = t;
    let u = cl.utilisation[c];
    if (cl.stochastic[c]) {
      u = this.draw();
      if (this.vmStochastic[v]++ === 0) this.addDrawVm(v);
      this.stochasticRunning++;
      this.queueFrame(t);
    }
    this.clU[c] = u;
    this.clFinishClock[c] = this.vmClock[v] + cl.lengthMI[c] / u;
    this.heapPush(this.heapBase(v), v, c);
    this.vmBusyPes[v] += cl.pes[c];
    this.vmPesU[v] += cl.pes[c] * u;
    this.hostRunning[h]++;
  }

  /** A utilisation in (0, 1], uniform: 1 - U[0, 1) (a draw of 0 would stop the cloudlet). */
  private draw(): number {
    const rng = this.settings.utilisationRng;
    if (!rng) throw new Error("stochastic cloudlets need a utilisation stream");
    return 1 - rng.next();
  }

  /** Schedules the next frame boundary after t, unless one is queued. */
  private queueFrame(t: number): void {
    if (this.frameAt !== Infinity) return;
    const frame = this.frameS;
    // (t / 1 is t: the division is skipped for the usual 1 s frame, the result is the same)
    const next = (Math.floor(frame === 1 ? t : t / frame) + 1) * frame;
    if (!Number.isFinite(next)) throw new RangeError(`event time must be a finite number, got ${next}`);
    this.frameAt = next;
  }

  /** A new time frame: every running stochastic cloudlet draws its utilisation again. */
  private newFrame(t: number): void {
    const { vms, cloudlets: cl } = this.entities;
    const heap = this.heap;
    for (let k = 0; k < this.drawCount; ) {
      const v = this.drawVms[k];
      if (this.vmStochastic[v] === 0) {
        this.removeDrawVm(v); // swaps the last one into k: look at k again
        continue;
      }
      k++;
      this.events++; // a redraw on VM v: its completion event moves
      const h = vms.host[v];
      this.advanceHost(h, t);
      this.advanceVm(v, t);
      const clock = this.vmClock[v];
      const base = this.heapBase(v);
      const n = this.vmRunning[v];
      let pesU = 0;
      for (let i = 0; i < n; i++) {
        const c = heap[base + i];
        if (cl.stochastic[c]) {
          // keep the work left (clock distance times the old utilisation), at the new utilisation
          const left = Math.max(0, this.clFinishClock[c] - clock) * this.clU[c];
          const u = this.draw();
          this.clU[c] = u;
          this.clFinishClock[c] = clock + left / u;
        }
        pesU += cl.pes[c] * this.clU[c];
      }
      this.vmPesU[v] = pesU;
      this.heapify(base, n);
      this.afterVmChange(v, h, t);
    }
    if (this.stochasticRunning > 0) this.queueFrame(t);
  }

  private addDrawVm(v: number): void {
    if (this.drawPos[v] >= 0) return;
    this.drawPos[v] = this.drawCount;
    this.drawVms[this.drawCount++] = v;
  }

  private removeDrawVm(v: number): void {
    const k = this.drawPos[v];
    const last = this.drawVms[--this.drawCount];
    this.drawVms[k] = last;
    this.drawPos[last] = k;
    this.drawPos[v] = -1;
  }

  /** After the running set of VM v changed at time t: new rate, host usage and power, event. */
  private afterVmChange(v: number, h: number, t: number): void {
    const vms = this.entities.vms;
    const rate = this.scheduler.mipsPerPe(vms.pes[v], vms.mips[v], this.vmBusyPes[v]);
    this.vmRate[v] = rate;
    const used = this.vmRunning[v] > 0 ? rate * this.vmPesU[v] : 0;
    const oldHostUsed = this.hostUsedMips[h];
    let hostUsed = oldHostUsed + used - this.vmUsedMips[v];
    if (this.hostRunning[h] === 0) hostUsed = 0;
    this.vmUsedMips[v] = used;
    this.hostUsedMips[h] = hostUsed;
    this.totalUsedMips += hostUsed - oldHostUsed;
    this.refreshHostPower(h);
    const slot = this.vmSlot[v];
    if (this.vmRunning[v] > 0) {
      const dt = (this.clFinishClock[this.heap[this.heapBase(v)]] - this.vmClock[v]) / rate;
      this.queue.reschedule(slot, dt > 0 ? t + dt : t);
    } else {
      this.queue.unqueue(slot);
    }
  }

  private advanceVm(v: number, t: number): void {
    this.vmClock[v] += this.vmRate[v] * (t - this.vmClockS[v]);
    this.vmClockS[v] = t;
  }

  /** Integrates host h's power, utilisation, busy and billed time up to t. */
  private advanceHost(h: number, t: number): void {
    const dt = t - this.hostLastS[h];
    if (dt <= 0) return;
    this.hostEnergyJ[h] += this.hostPowerW[h] * dt;
    this.hostUtilS[h] += (this.hostUsedMips[h] / this.hostTotalMips[h]) * dt;
    if (this.hostRunning[h] > 0) this.hostBusyS[h] += dt;
    if (this.entities.hosts.state[h] === HOST_ON) this.hostBilledS[h] += dt;
    this.hostLastS[h] = t;
  }

  private refreshHostPower(h: number): void {
    const hosts = this.entities.hosts;
    let p = 0;
    if (hosts.state[h] === HOST_ON) {
      let u = this.hostUsedMips[h] / this.hostTotalMips[h];
      if (u > 1 && u < 1 + 1e-9) u = 1; // float residue of sums; a real overshoot still throws
      p = powerAt(hosts.curves, hosts.curve[h], u);
    }
    this.totalPowerW += p - this.hostPowerW[h];
    this.hostPowerW[h] = p;
  }

  private recordTimeline(): void {
    this.timeline.record(this.now, this.totalPowerW, this.totalUsedMips, this.onMips, this.hostsOn);
  }

  private rejectCloudlet(c: number, t: number, reason: string): void {
    const cl = this.entities.cloudlets;
    cl.status[c] = CLOUDLET_REJECTED;
    cl.finishS[c] = t;
    this.rejected++;
    this.reject(reason);
    this.progressed();
  }

  private reject(reason: string): void {
    this.rejections[reason] = (this.rejections[reason] ?? 0) + 1;
  }

  private progressed(): void {
    if (++this.resolved % 16384 === 0 && this.settings.onProgress) {
      this.settings.onProgress(this.resolved / this.entities.cloudlets.count);
    }
  }

  // Binary min-heap of cloudlets per VM, keyed by finishing clock, ties by cloudlet index.
  private before(a: number, b: number): boolean {
    const fa = this.clFinishClock[a];
    const fb = this.clFinishClock[b];
    return fa < fb || (fa === fb && a < b);
  }

  /** Restores the heap order of the n entries at base (after their keys changed). */
  private heapify(base: number, n: number): void {
    const heap = this.heap;
    for (let start = (n >> 1) - 1; start >= 0; start--) {
      const item = heap[base + start];
      let i = start;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let ch = l;
        if (l + 1 < n && this.before(heap[base + l + 1], heap[base + l])) ch = l + 1;
        if (!this.before(heap[base + ch], item)) break;
        heap[base + i] = heap[base + ch];
        i = ch;
      }
      heap[base + i] = item;
    }
  }

  private heapPush(base: number, v: number, c: number): void {
    const heap = this.heap;
    let i = this.vmRunning[v]++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pc = heap[base + parent];
      if (!this.before(c, pc)) break;
      heap[base + i] = pc;
      i = parent;
    }
    heap[base + i] = c;
  }

  private heapPop(base: number, v: number): number {
    const heap = this.heap;
    const top = heap[base];
    const n = --this.vmRunning[v];
    if (n > 0) {
      const last = heap[base + n];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let ch = l;
        if (l + 1 < n && this.before(heap[base + l + 1], heap[base + l])) ch = l + 1;
        if (!this.before(heap[base + ch], last)) break;
        heap[base + i] = heap[base + ch];
        i = ch;
      }
      heap[base + i] = last;
    }
    return top;
  }
}
