import type { RandomStream } from "./engine/random.ts";

/** One arriving request, as a source produces it. */
export interface ArrivalSpec {
  /** arrival time, seconds from the start of the run */
  time: number;
  /** application index into the scenario's application list */
  app: number;
  /** deadline, seconds after arrival */
  deadline: number;
  /** work multiplier (1 = the application's nominal size) */
  size: number;
}

/**
 * Where requests come from, as the twin sees it. Synthetic generators and trace replays both
 * implement it. The twin pulls one arrival at a time (lazily), so a fork can either continue the
 * same future (`clone`) or draw an independent one (`reseed`).
 */
export interface ArrivalSource {
  /** Writes the next arrival into `out`; returns false when the source is exhausted. */
  next(out: ArrivalSpec): boolean;
  /** An exact copy: the same future arrivals. */
  clone(): ArrivalSource;
  /**
   * A copy whose future is drawn from another random stream. With `fromS` (the twin's clock when it
   * forks), the arrival already drawn for later than `fromS` is drawn again too: a generator
   * restarts at `fromS`; a replay steps back one row so the same arrival comes again.
   */
  reseed(stream: RandomStream, fromS?: number): ArrivalSource;
}

/** Replays a materialised, time-ordered table of arrivals (traces, tests). */
export class TableArrivals implements ArrivalSource {
  constructor(
    readonly times: Float64Array,
    readonly apps: Int32Array,
    readonly deadlines: Float64Array,
    readonly sizes: Float64Array,
    private cursor = 0,
  ) {
    for (let i = 1; i < times.length; i++) {
      if (times[i] < times[i - 1]) throw new Error(`arrival table is not time-ordered at row ${i}`);
    }
  }

  next(out: ArrivalSpec): boolean {
    const i = this.cursor;
    if (i >= this.times.length) return false;
    out.time = this.times[i];
    out.app = this.apps[i];
    out.deadline = this.deadlines[i];
    out.size = this.sizes[i];
    this.cursor = i + 1;
    return true;
  }

  clone(): TableArrivals {
    const c = Object.create(TableArrivals.prototype) as TableArrivals;
    Object.assign(c, this);
    return c;
  }

  /** A trace is replayed as recorded: the future is the same whatever the stream. */
  reseed(_stream: RandomStream, fromS?: number): TableArrivals {
    const c = this.clone();
    if (fromS !== undefined && c.cursor > 0) c.cursor--;
    return c;
  }
}
