import { RandomStreams } from "../engine/random.ts";
import { CURVE_POINTS, DEFAULT_PROVIDER_CURVE, POWER_CURVES } from "./power-curves.ts";
import { asList, type ResolvedProviderScenario } from "./scenario.ts";

/**
 * The provider view's entities as structure-of-arrays tables: entity i of a kind is index i in
 * every array of its table. Static parameters and the capacity bookkeeping that placement
 * policies read live here; the event loop's per-run state lives in the datacenter.
 */

export const HOST_OFF = 0;
export const HOST_ON = 1;

export class HostTable {
  readonly pes: Int32Array;
  readonly mipsPerPe: Float64Array;
  readonly ramMB: Float64Array;
  readonly bwMbps: Float64Array;
  /** Infinity when storage is not a constraint */
  readonly storageMB: Float64Array;
  /** offset of the host's 11-point curve in `curves` */
  readonly curve: Int32Array;
  /** index into `groupLabels` */
  readonly group: Int32Array;
  /** HOST_OFF or HOST_ON */
  readonly state: Uint8Array;
  readonly freePes: Int32Array;
  /** MIPS not yet given to VMs (time-shared VM scheduler) */
  readonly freeMips: Float64Array;
  readonly freeRamMB: Float64Array;
  readonly freeBwMbps: Float64Array;
  readonly freeStorageMB: Float64Array;
  /**
   * The CPU capacity placement tests against, as (PEs, MIPS) covering a VM's (pes, demMips):
   * space-shared: free PEs and the MIPS of each PE; time-shared: all PEs and the free MIPS.
   */
  readonly capPes: Int32Array;
  readonly capMips: Float64Array;

  constructor(
    readonly count: number,
    readonly curves: Float64Array,
    readonly groupLabels: string[],
    /** VMs time-share the host's PEs (CloudSim's VmSchedulerTimeShared) */
    readonly timeShared = false,
  ) {
    this.pes = new Int32Array(count);
    this.mipsPerPe = new Float64Array(count);
    this.ramMB = new Float64Array(count);
    this.bwMbps = new Float64Array(count);
    this.storageMB = new Float64Array(count);
    this.curve = new Int32Array(count);
    this.group = new Int32Array(count);
    this.state = new Uint8Array(count);
    this.freePes = new Int32Array(count);
    this.freeMips = new Float64Array(count);
    this.freeRamMB = new Float64Array(count);
    this.freeBwMbps = new Float64Array(count);
    this.freeStorageMB = new Float64Array(count);
    this.capPes = timeShared ? this.pes : this.freePes;
    this.capMips = timeShared ? this.freeMips : this.mipsPerPe;
  }

  get maxPes(): number {
    let m = 0;
    for (let h = 0; h < this.count; h++) if (this.pes[h] > m) m = this.pes[h];
    return m;
  }
}

export class VmTable {
  readonly pes: Int32Array;
  /** MIPS of each PE */
  readonly mips: Float64Array;
  readonly ramMB: Float64Array;
  readonly bwMbps: Float64Array;
  readonly storageMB: Float64Array;
  /** host index, -1 while (or when) unplaced */
  readonly host: Int32Array;
  /** the MIPS placement tests against the host's capMips: per PE (space-shared) or in total (time-shared) */
  readonly demMips: Float64Array;

  constructor(
    readonly count: number,
    readonly timeShared = false,
  ) {
    this.pes = new Int32Array(count);
    this.mips = new Float64Array(count);
    this.demMips = new Float64Array(count);
    this.ramMB = new Float64Array(count);
    this.bwMbps = new Float64Array(count);
    this.storageMB = new Float64Array(count);
    this.host = new Int32Array(count).fill(-1);
  }
}

export const CLOUDLET_PENDING = 0;
export const CLOUDLET_WAITING = 1;
export const CLOUDLET_RUNNING = 2;
export const CLOUDLET_DONE = 3;
export const CLOUDLET_REJECTED = 4;

/** Cloudlets, indexed in submission order (ties keep scenario order). */
export class CloudletTable {
  readonly pes: Int32Array;
  /** million instructions per PE */
  readonly lengthMI: Float64Array;
  /** fixed utilisation, or 0.5 (the mean) for stochastic cloudlets */
  readonly utilisation: Float64Array;
  /** 1: utilisation drawn anew every time frame while running */
  readonly stochastic: Uint8Array;
  readonly vm: Int32Array;
  readonly submitS: Float64Array;
  /** response-time limit, seconds after submission; Infinity when none */
  readonly deadlineS: Float64Array;
  readonly startS: Float64Array;
  /** completion time, or the rejection time for rejected cloudlets */
  readonly finishS: Float64Array;
  readonly status: Uint8Array;

  constructor(readonly count: number) {
    this.pes = new Int32Array(count);
    this.lengthMI = new Float64Array(count);
    this.utilisation = new Float64Array(count);
    this.stochastic = new Uint8Array(count);
    this.vm = new Int32Array(count);
    this.submitS = new Float64Array(count);
    this.deadlineS = new Float64Array(count);
    this.startS = new Float64Array(count).fill(NaN);
    this.finishS = new Float64Array(count).fill(NaN);
    this.status = new Uint8Array(count);
  }
}

export interface ProviderEntities {
  hosts: HostTable;
  vms: VmTable;
  cloudlets: CloudletTable;
}

/** Expands the scenario's groups into tables. Only cloudlet lengths with a spread draw randoms. */
export function buildEntities(s: ResolvedProviderScenario, seed: number): ProviderEntities {
  return {
    hosts: buildHosts(s),
    vms: buildVms(s),
    cloudlets: buildCloudlets(s, new RandomStreams(seed)),
  };
}

function buildHosts(s: ResolvedProviderScenario): HostTable {
  const groups = asList(s.hosts);
  const n = groups.reduce((a, g) => a + g.count, 0);
  const curveOffsets = new Map<string, number>();
  const curveValues: number[] = [];
  const curveOffset = (points: readonly number[]): number => {
    const key = points.join(",");
    let off = curveOffsets.get(key);
    if (off === undefined) {
      off = curveValues.length;
      curveValues.push(...points);
      curveOffsets.set(key, off);
    }
    return off;
  };
  const offsets = groups.map((g) => {
    const c = g.powerCurve ?? DEFAULT_PROVIDER_CURVE;
    return curveOffset(typeof c === "string" ? POWER_CURVES[c] : c);
  });
  const labels = groups.map((g) => g.name ?? `${g.pes}x${g.mipsPerPe}MIPS`);
  const t = new HostTable(n, Float64Array.from(curveValues), labels, s.vmScheduler === "time-shared");
  let h = 0;
  groups.forEach((g, gi) => {
    const end = h + g.count;
    t.pes.fill(g.pes, h, end);
    t.mipsPerPe.fill(g.mipsPerPe, h, end);
    t.ramMB.fill(g.ramMB, h, end);
    t.bwMbps.fill(g.bwMbps, h, end);
    t.storageMB.fill(g.storageMB ?? Infinity, h, end);
    t.curve.fill(offsets[gi], h, end);
    t.group.fill(gi, h, end);
    h = end;
  });
  t.freePes.set(t.pes);
  for (let h = 0; h < n; h++) t.freeMips[h] = t.pes[h] * t.mipsPerPe[h];
  t.freeRamMB.set(t.ramMB);
  t.freeBwMbps.set(t.bwMbps);
  t.freeStorageMB.set(t.storageMB);
  if (t.curves.length % CURVE_POINTS !== 0) throw new Error("power curve table is malformed");
  return t;
}

function buildVms(s: ResolvedProviderScenario): VmTable {
  const groups = asList(s.vms);
  const timeShared = s.vmScheduler === "time-shared";
  const t = new VmTable(groups.reduce((a, g) => a + g.count, 0), timeShared);
  let v = 0;
  for (const g of groups) {
    const end = v + g.count;
    t.pes.fill(g.pes, v, end);
    t.mips.fill(g.mips, v, end);
    t.ramMB.fill(g.ramMB, v, end);
    t.bwMbps.fill(g.bwMbps, v, end);
    t.storageMB.fill(g.storageMB, v, end);
    t.demMips.fill(timeShared ? g.pes * g.mips : g.mips, v, end);
    v = end;
  }
  return t;
}

function buildCloudlets(s: ResolvedProviderScenario, streams: RandomStreams): CloudletTable {
  const groups = asList(s.cloudlets);
  const n = groups.reduce((a, g) => a + g.count, 0);
  const t = new CloudletTable(n);
  let c = 0;
  for (const g of groups) {
    const end = c + g.count;
    t.pes.fill(g.pes, c, end);
    const stochastic = g.utilisation === "stochastic";
    t.utilisation.fill(stochastic ? 0.5 : (g.utilisation as number), c, end);
    t.stochastic.fill(stochastic ? 1 : 0, c, end);
    if (g.lengthSpread > 0) {
      const rng = streams.get("cloudlet-lengths");
      for (let i = c; i < end; i++) t.lengthMI[i] = g.lengthMI * rng.uniform(1 - g.lengthSpread, 1 + g.lengthSpread);
    } else {
      t.lengthMI.fill(g.lengthMI, c, end);
    }
    for (let i = c; i < end; i++) t.submitS[i] = g.submitS + (i - c) * g.submitIntervalS;
    t.deadlineS.fill(g.deadlineS ?? Infinity, c, end);
    c = end;
  }
  sortBySubmission(t);
  // CloudSim's default broker: cloudlet i goes to VM i mod nVMs, in submission order.
  const nVm = asList(s.vms).reduce((a, g) => a + g.count, 0);
  for (let i = 0; i < n; i++) t.vm[i] = nVm > 0 ? i % nVm : -1;
  return t;
}

/** Stable reorder by submission time (groups may be listed out of time order). */
function sortBySubmission(t: CloudletTable): void {
  const n = t.count;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (t.submitS[i] < t.submitS[i - 1]) sorted = false;
  if (sorted) return;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => t.submitS[a] - t.submitS[b] || a - b);
  const permute = <A extends Float64Array | Int32Array | Uint8Array>(a: A): void => {
    const copy = a.slice() as A;
    for (let i = 0; i < n; i++) a[i] = copy[order[i]];
  };
  permute(t.pes);
  permute(t.lengthMI);
  permute(t.utilisation);
  permute(t.stochastic);
  permute(t.submitS);
  permute(t.deadlineS);
}
