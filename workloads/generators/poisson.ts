import { z } from "zod";
import type { ArrivalSource, ArrivalSpec } from "../../simulator/arrivals.ts";
import type { RandomStream } from "../../simulator/engine/random.ts";
import { drawMarks, horizonSchema, parseOptions, requestMarksSchema, type RequestMarks } from "./marks.ts";

export const poissonOptionsSchema = horizonSchema.extend({
  /** arrivals per second */
  ratePerS: z.number().positive(),
  marks: requestMarksSchema,
});
export type PoissonOptions = z.input<typeof poissonOptionsSchema>;

/** Homogeneous Poisson arrivals: exponential gaps of mean 1 / rate. */
export class PoissonArrivals implements ArrivalSource {
  private readonly rate: number;
  private readonly endS: number;
  private readonly marks: RequestMarks;
  /** time of the last arrival (or the start) */
  private time: number;

  constructor(options: PoissonOptions, private stream: RandomStream) {
    const o = parseOptions(poissonOptionsSchema, options, "PoissonArrivals");
    this.rate = o.ratePerS;
    this.endS = o.endS;
    this.marks = o.marks;
    this.time = o.startS;
  }

  next(out: ArrivalSpec): boolean {
    if (this.time > this.endS) return false;
    this.time += this.stream.exponential(this.rate);
    if (this.time > this.endS) return false;
    out.time = this.time;
    drawMarks(this.stream, this.marks, out);
    return true;
  }

  clone(): PoissonArrivals {
    return this.withStream(this.stream.clone());
  }

  /** Memoryless: restarting at `fromS` with a new stream is an exact draw of another future. */
  reseed(stream: RandomStream, fromS?: number): PoissonArrivals {
    const c = this.withStream(stream);
    if (fromS !== undefined && fromS < c.time) c.time = Math.max(fromS, 0);
    return c;
  }

  // Options are immutable after parsing and the rest is numbers, so a shallow copy is exact.
  private withStream(stream: RandomStream): PoissonArrivals {
    const c = Object.create(PoissonArrivals.prototype) as PoissonArrivals;
    Object.assign(c, this);
    c.stream = stream;
    return c;
  }
}
