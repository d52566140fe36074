import { TableArrivals } from "../../simulator/arrivals.ts";

/** The parts of a trace series that demand conversion needs (a `Series` from the readers fits). */
export interface DemandSeries {
  times: Float64Array;
  values: Float64Array;
  stepS: number;
}

export interface DemandArrivalsOptions {
  /**
   * The scenario's scheduling interval, seconds. It fixes the unit of size (see below).
   */
  intervalS: number;
  /**
   * Busy vCPUs per unit of the series value. E.g. Bitbrains "CPU usage [%]" of a 4-core VM: 4 / 100;
   * Bitbrains "CPU usage [MHZ]" on 2.6 GHz cores: 1 / 2600; Azure avg_cpu (percent) of a 2-core
   * VM: 2 / 100; Google avg_cpu_usage (fraction of the largest machine) on 96-vCPU machines: 96.
   */
  vcpusPerUnit: number;
  /** application index of the tasks, one for all series or one per series; default 0 */
  app?: number | number[];
  /** deadline, seconds after arrival; default the window length (finish before the next window's work) */
  deadlineS?: number;
  /** subtracted from trace times so the run starts at 0; default the earliest window of all series */
  startS?: number;
  /** windows with fewer busy vCPUs than this make no task; default 0 (any demand makes one) */
  minVcpus?: number;
}

/**
 * Turns per-VM utilisation series (Bitbrains, Azure VM, Google) into tasks: each window with demand
 * becomes one task arriving at the window start.
 *
 * Unit convention: size 1 (the application's nominal size) is one vCPU fully busy for one
 * scheduling interval of the scenario, i.e. intervalS vCPU-seconds of work. A window of stepS
 * seconds in which the VM keeps d vCPUs busy holds d x stepS vCPU-seconds, so its task has
 * size d x stepS / intervalS. With 300 s windows and 300 s intervals (COSCO), size = busy vCPUs.
 * The scenario must give the application (size 1) the matching work: intervalS x MIPS of one vCPU.
 *
 * Windows whose value is not finite (NaN: a missing point in "mask" mode) make no task; with
 * "interpolate" mode the filled values do, because the caller asked for them.
 */
export function demandArrivals(series: DemandSeries | DemandSeries[], options: DemandArrivalsOptions): TableArrivals {
  const all = Array.isArray(series) ? series : [series];
  const { intervalS, vcpusPerUnit } = options;
  if (!(intervalS > 0)) throw new Error(`demandArrivals: intervalS must be positive, got ${intervalS}`);
  if (!(vcpusPerUnit > 0)) throw new Error(`demandArrivals: vcpusPerUnit must be positive, got ${vcpusPerUnit}`);
  const apps = options.app ?? 0;
  if (Array.isArray(apps) && apps.length !== all.length) {
    throw new Error(`demandArrivals: app has ${apps.length} entries for ${all.length} series`);
  }
  const minVcpus = options.minVcpus ?? 0;
  let start = options.startS;
  if (start === undefined) {
    start = Number.POSITIVE_INFINITY;
    for (const s of all) if (s.times.length) start = Math.min(start, s.times[0]);
  }

  const rows: { t: number; s: number; app: number; deadline: number; size: number }[] = [];
  all.forEach((s, si) => {
    if (!(s.stepS > 0)) throw new Error(`demandArrivals: series ${si} has no valid stepS (${s.stepS})`);
    const app = Array.isArray(apps) ? apps[si] : apps;
    const deadline = options.deadlineS ?? s.stepS;
    for (let i = 0; i < s.times.length; i++) {
      const vcpus = s.values[i] * vcpusPerUnit;
      if (!Number.isFinite(vcpus) || vcpus <= 0 || vcpus < minVcpus) continue;
      rows.push({ t: s.times[i] - start!, s: si, app, deadline, size: (vcpus * s.stepS) / intervalS });
    }
  });
  // Several VMs share window starts: order by time, then by series, so the table is reproducible.
  rows.sort((a, b) => a.t - b.t || a.s - b.s);
  return new TableArrivals(
    Float64Array.from(rows, (r) => r.t),
    Int32Array.from(rows, (r) => r.app),
    Float64Array.from(rows, (r) => r.deadline),
    Float64Array.from(rows, (r) => r.size),
  );
}
