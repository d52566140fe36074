import { z } from "zod";
import type { ArrivalSource, ArrivalSpec } from "../../simulator/arrivals.ts";
import type { RandomStream } from "../../simulator/engine/random.ts";
import { drawMarks, horizonSchema, parseOptions, requestMarksSchema, type RequestMarks } from "./marks.ts";

export const diurnalOptionsSchema = horizonSchema.extend({
  /** rate averaged over a period, arrivals per second */
  meanRatePerS: z.number().positive(),
  /** relative swing: the rate runs between mean x (1 - amplitude) and mean x (1 + amplitude) */
  amplitude: z.number().min(0).max(1),
  periodS: z.number().positive().default(86_400),
  /** time of the daily peak within the period (default 14:00) */
  peakS: z.number().default(14 * 3600),
  marks: requestMarksSchema,
});
export type DiurnalOptions = z.input<typeof diurnalOptionsSchema>;

/**
 * Non-homogeneous Poisson arrivals with rate
 *   rate(t) = mean x (1 + amplitude x cos(2 pi (t - peak) / period)),
 * drawn by thinning (Lewis and Shedler): candidates at the peak rate, each kept with probability
 * rate(t) / peak rate. Exact for any rate function bounded by the peak rate.
 */
export class DiurnalArrivals implements ArrivalSource {
  private readonly o: z.output<typeof diurnalOptionsSchema>;
  private readonly maxRate: number;
  private readonly marks: RequestMarks;
  private time: number;

  constructor(options: DiurnalOptions, private stream: RandomStream) {
    this.o = parseOptions(diurnalOptionsSchema, options, "DiurnalArrivals");
    this.maxRate = this.o.meanRatePerS * (1 + this.o.amplitude);
    this.marks = this.o.marks;
    this.time = this.o.startS;
  }

  /** the intensity at time t, arrivals per second */
  rateAt(t: number): number {
    const { meanRatePerS, amplitude, periodS, peakS } = this.o;
    return meanRatePerS * (1 + amplitude * Math.cos((2 * Math.PI * (t - peakS)) / periodS));
  }

  next(out: ArrivalSpec): boolean {
    const end = this.o.endS;
    while (this.time <= end) {
      this.time += this.stream.exponential(this.maxRate);
      if (this.time > end) return false;
      if (this.stream.next() * this.maxRate < this.rateAt(this.time)) {
        out.time = this.time;
        drawMarks(this.stream, this.marks, out);
        return true;
      }
    }
    return false;
  }

  clone(): DiurnalArrivals {
    return this.withStream(this.stream.clone());
  }

  /** Memoryless: restarting at `fromS` with a new stream is an exact draw of another future. */
  reseed(stream: RandomStream, fromS?: number): DiurnalArrivals {
    const c = this.withStream(stream);
    if (fromS !== undefined && fromS < c.time) c.time = Math.max(fromS, 0);
    return c;
  }

  private withStream(stream: RandomStream): DiurnalArrivals {
    const c = Object.create(DiurnalArrivals.prototype) as DiurnalArrivals;
    Object.assign(c, this);
    c.stream = stream;
    return c;
  }
}
