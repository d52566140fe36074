import { z } from "zod";
import type { ArrivalSource, ArrivalSpec } from "../../simulator/arrivals.ts";
import type { RandomStream } from "../../simulator/engine/random.ts";
import { drawMarks, horizonSchema, parseOptions, requestMarksSchema, type RequestMarks } from "./marks.ts";

export const burstyOptionsSchema = horizonSchema.extend({
  /** arrival rate in the calm state (0) and the burst state (1), per second */
  ratesPerS: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
  /** mean time spent in each state before switching (exponential), seconds */
  meanSojournS: z.tuple([z.number().positive(), z.number().positive()]),
  /** state at the start; default drawn from the stationary distribution */
  initialState: z.union([z.literal(0), z.literal(1)]).optional(),
  marks: requestMarksSchema,
});
export type BurstyOptions = z.input<typeof burstyOptionsSchema>;

/** Long-run arrival rate of a 2-state MMPP: the sojourn-weighted mix of the two rates. */
export function mmppLongRunRate(ratesPerS: readonly [number, number], meanSojournS: readonly [number, number]): number {
  const [m0, m1] = meanSojournS;
  return (m0 * ratesPerS[0] + m1 * ratesPerS[1]) / (m0 + m1);
}

/**
 * Two-state Markov-modulated Poisson process: a hidden calm/burst state switches after exponential
 * sojourns, and arrivals are Poisson at the current state's rate. Because both clocks are
 * memoryless, a candidate gap that overruns the switch is discarded and redrawn at the new rate.
 */
export class BurstyArrivals implements ArrivalSource {
  private readonly rates: readonly [number, number];
  private readonly sojourn: readonly [number, number];
  private readonly endS: number;
  private readonly marks: RequestMarks;
  private time: number;
  private state: 0 | 1;
  private switchAt: number;

  constructor(options: BurstyOptions, private stream: RandomStream) {
    const o = parseOptions(burstyOptionsSchema, options, "BurstyArrivals");
    if (o.ratesPerS[0] === 0 && o.ratesPerS[1] === 0) throw new Error("BurstyArrivals: invalid options: ratesPerS: at least one rate must be positive");
    this.rates = o.ratesPerS;
    this.sojourn = o.meanSojournS;
    this.endS = o.endS;
    this.marks = o.marks;
    this.time = o.startS;
    const p1 = o.meanSojournS[1] / (o.meanSojournS[0] + o.meanSojournS[1]);
    this.state = o.initialState ?? (stream.next() < p1 ? 1 : 0);
    this.switchAt = this.time + stream.exponential(1 / this.sojourn[this.state]);
  }

  /** the hidden state now (0 calm, 1 burst); for tests and plots */
  get currentState(): 0 | 1 {
    return this.state;
  }

  next(out: ArrivalSpec): boolean {
    while (this.time <= this.endS) {
      const rate = this.rates[this.state];
      const candidate = rate > 0 ? this.time + this.stream.exponential(rate) : Number.POSITIVE_INFINITY;
      if (candidate < this.switchAt) {
        this.time = candidate;
        if (this.time > this.endS) return false;
        out.time = this.time;
        drawMarks(this.stream, this.marks, out);
        return true;
      }
      this.time = this.switchAt;
      this.state = this.state === 0 ? 1 : 0;
      this.switchAt = this.time + this.stream.exponential(1 / this.sojourn[this.state]);
    }
    return false;
  }

  clone(): BurstyArrivals {
    return this.withStream(this.stream.clone());
  }

  /**
   * Continues from the current time with the whole future drawn from `stream`: the hidden state is
   * drawn afresh from the stationary distribution (a copy that knew the true burst state would see
   * the future the state implies, which a policy cannot observe), then the time left in it (exact,
   * as sojourns are memoryless). With `fromS` it restarts at that time.
   */
  reseed(stream: RandomStream, fromS?: number): BurstyArrivals {
    const c = this.withStream(stream);
    if (fromS !== undefined && fromS < c.time) c.time = Math.max(fromS, 0);
    const p1 = c.sojourn[1] / (c.sojourn[0] + c.sojourn[1]);
    c.state = stream.next() < p1 ? 1 : 0;
    c.switchAt = c.time + stream.exponential(1 / c.sojourn[c.state]);
    return c;
  }

  private withStream(stream: RandomStream): BurstyArrivals {
    const c = Object.create(BurstyArrivals.prototype) as BurstyArrivals;
    Object.assign(c, this);
    c.stream = stream;
    return c;
  }
}
