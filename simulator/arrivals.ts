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

/** How a reseeded copy of a replayed trace draws its future: blocks of its own past. */
export interface BootstrapSettings {
  /** length of a block of the past replayed as a unit, s */
  blockS: number;
  /** how far back blocks are drawn from, s */
  windowS: number;
}

/** Replays a materialised, time-ordered table of arrivals (traces, tests). */
export class TableArrivals implements ArrivalSource {
  constructor(
    readonly times: Float64Array,
    readonly apps: Int32Array,
    readonly deadlines: Float64Array,
    readonly sizes: Float64Array,
    private cursor = 0,
    /** with it, a reseeded copy draws its future by block bootstrap of the past (see BootstrapArrivals) */
    readonly bootstrap?: BootstrapSettings,
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

  /**
   * Without bootstrap settings, a trace is replayed as recorded: the future is the same whatever
   * the stream (a clairvoyant copy). With them, the copy's future after `fromS` is drawn from the
   * trace's past before `fromS` (BootstrapArrivals): it never sees the rows still to come.
   */
  reseed(stream: RandomStream, fromS?: number): ArrivalSource {
    if (this.bootstrap && fromS !== undefined) return new BootstrapArrivals(this, stream, fromS, this.bootstrap);
    const c = this.clone();
    if (fromS !== undefined && c.cursor > 0) c.cursor--;
    return c;
  }
}

/**
 * A future drawn from the past: the moving-block bootstrap of a replayed trace. From `fromS` on,
 * it replays blocks of `blockS` seconds cut at random start times from the trace's own rows in
 * the last `windowS` seconds before `fromS` (times shifted to follow each other), so bursts,
 * diurnal slopes within a block and the application mix are kept, and nothing at or after `fromS`
 * is read. With no past rows there is no future: the copy is exhausted.
 */
export class BootstrapArrivals implements ArrivalSource {
  private blockStart = 0; // source time where the current block starts
  private outStart = 0; // output time that block start maps to
  private k = 0; // next source row within the block
  private end: number; // rows of the past: [first, end)
  private first: number;

  constructor(
    private readonly table: TableArrivals,
    private stream: RandomStream,
    private readonly fromS: number,
    private readonly settings: BootstrapSettings,
  ) {
    const t = table.times;
    let end = 0;
    while (end < t.length && t[end] < fromS) end++;
    let first = end;
    while (first > 0 && t[first - 1] >= fromS - settings.windowS) first--;
    this.end = end;
    this.first = first;
    this.outStart = fromS;
    this.drawBlock();
  }

  private drawBlock(): void {
    const t = this.table.times;
    const lo = Math.max(0, this.fromS - this.settings.windowS);
    const hi = Math.max(lo, this.fromS - this.settings.blockS);
    this.blockStart = lo + this.stream.next() * (hi - lo);
    let k = this.first;
    while (k < this.end && t[k] < this.blockStart) k++;
    this.k = k;
  }

  next(out: ArrivalSpec): boolean {
    if (this.end === this.first) return false;
    const t = this.table.times;
    const B = Math.min(this.settings.blockS, this.fromS);
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (this.k < this.end && t[this.k] < this.blockStart + B) {
        const k = this.k++;
        out.time = this.outStart + (t[k] - this.blockStart);
        out.app = this.table.apps[k];
        out.deadline = this.table.deadlines[k];
        out.size = this.table.sizes[k];
        return true;
      }
      this.outStart += B;
      this.drawBlock();
    }
    return false;
  }

  clone(): BootstrapArrivals {
    const c = Object.create(BootstrapArrivals.prototype) as BootstrapArrivals;
    Object.assign(c, this);
    c.stream = this.stream.clone();
    return c;
  }

  /** Drawn again from the same past (the rows before the original `fromS`) with another stream. */
  reseed(stream: RandomStream, fromS?: number): BootstrapArrivals {
    return new BootstrapArrivals(this.table, stream, Math.min(fromS ?? this.fromS, this.fromS), this.settings);
  }
}
