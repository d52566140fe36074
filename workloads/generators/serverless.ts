import { z } from "zod";
import { RandomStreams, type RandomStream } from "../../simulator/engine/random.ts";
import { drawSize, parseOptions } from "./marks.ts";

/** One function of the synthetic serverless platform. */
export const serverlessFunctionSchema = z.object({
  /** no commas, quotes or line breaks: it is written to CSV as is */
  id: z.string().regex(/^[^,"\r\n]+$/, "a non-empty id without commas, quotes or line breaks"),
  /** mean invocation rate, per second */
  ratePerS: z.number().positive(),
  /**
   * 1: Poisson arrivals. b > 1: a two-state modulated Poisson process whose bursts (a share
   * burstShare of the time) run at b times the mean rate and the calm periods slower, so the mean
   * stays ratePerS; b at most 1 / burstShare (then the calm periods are silent).
   */
  burstiness: z.number().min(1).default(1),
  burstShare: z.number().gt(0).lt(1).default(0.1),
  /** mean length of a burst, seconds (exponential) */
  burstMeanS: z.number().positive().default(30),
  /** CPU-seconds one invocation needs on one vCPU (lognormal with workCv) */
  meanWorkS: z.number().positive(),
  workCv: z.number().nonnegative().default(0.5),
  /** CPU allocated to the function, shared by its running invocations (one invocation uses at most 1 vCPU) */
  vcpus: z.number().positive(),
  /** memory allocated to the function, MB */
  memoryMb: z.number().positive(),
  /** runtime footprint while warm, MB */
  baseMemoryMb: z.number().nonnegative().default(64),
  memoryPerInvocationMb: z.number().nonnegative().default(32),
  /** an instance idle longer than this is reclaimed; the next invocation starts cold */
  keepAliveS: z.number().nonnegative(),
  /** cold start latency (lognormal with coldStartCv), seconds */
  coldStartMeanS: z.number().nonnegative(),
  coldStartCv: z.number().nonnegative().default(0.3),
  /** invocations in flight beyond which new ones are throttled (rejected) */
  concurrencyLimit: z.number().int().positive(),
  /** probability that an executed invocation fails with no throttling around */
  baseErrorRate: z.number().min(0).max(1).default(0.01),
  /** added failure probability per unit of the recent throttling rate (overload breaks things) */
  throttleErrorGain: z.number().nonnegative().default(0.5),
});
export type ServerlessFunctionSpec = z.input<typeof serverlessFunctionSchema>;

/**
 * Load knobs over every function (so that throttling and cold starts happen on demand): the
 * rates scaled, burstiness, keep-alive and concurrency limit replaced.
 */
export const serverlessLoadSchema = z.strictObject({
  rateScale: z.number().positive().max(1000).optional(),
  burstiness: z.number().min(1).max(100).optional(),
  keepAliveS: z.number().nonnegative().optional(),
  concurrencyLimit: z.number().int().positive().optional(),
});
export type ServerlessLoad = z.input<typeof serverlessLoadSchema>;
type FunctionSpec = z.output<typeof serverlessFunctionSchema>;

export const serverlessOptionsSchema = z.object({
  functions: z.array(serverlessFunctionSchema).min(1)
    .refine((fs) => new Set(fs.map((f) => f.id)).size === fs.length, "function ids must be unique"),
  /** invocations arrive in [0, durationS]; all of them run to completion */
  durationS: z.number().positive(),
  /** run seed; each function draws from its own stream derived from it */
  seed: z.union([z.string(), z.number()]),
  /** trailing window for ThrottlingRate and ErrorRate, seconds */
  rateWindowS: z.number().positive().default(60),
  load: serverlessLoadSchema.optional(),
});
export type ServerlessOptions = z.input<typeof serverlessOptionsSchema>;

/** One executed invocation. Throttled invocations are not rows; they show in ThrottlingRate. */
export interface ServerlessRow {
  FunctionID: string;
  /** arrival, seconds from midnight of day 0 */
  Timestamp: number;
  /** completion minus arrival, seconds (cold start and processor-sharing slowdown included) */
  ResponseTime: number;
  /** mean use of the function's allocated CPU while the invocation was in flight, percent */
  CPUUtilization: number;
  /** mean memory in use over allocated while in flight, percent (capped at 100) */
  MemoryUtilization: number;
  ColdStart: 0 | 1;
  /** seconds; 0 for a warm start */
  ColdStartLatency: number;
  /** throttled / all invocations of the function in the trailing window, at arrival */
  ThrottlingRate: number;
  /** failed / executed invocations of the function in the trailing window, at arrival */
  ErrorRate: number;
}

export interface ServerlessFunctionStats {
  id: string;
  invocations: number;
  throttled: number;
  coldStarts: number;
  errors: number;
}

export interface ServerlessData {
  rows: ServerlessRow[];
  stats: ServerlessFunctionStats[];
}

interface Job {
  arrival: number;
  cold: boolean;
  remaining: number;
  coldLatency: number;
  /** integral of the function's CPU utilisation (0..1) over the job's time in flight */
  cpuInt: number;
  /** integral of the number of invocations in flight */
  nInt: number;
  throttlingRate: number;
  errorRate: number;
}

/** Times in a trailing window (times are appended in order, so a moving start index suffices). */
class TrailingCount {
  private readonly times: number[] = [];
  private start = 0;
  add(t: number): void {
    this.times.push(t);
  }
  countSince(fromExclusive: number): number {
    while (this.start < this.times.length && this.times[this.start] <= fromExclusive) this.start++;
    return this.times.length - this.start;
  }
}

/**
 * Arrival times of one function: Poisson at ratePerS, or with burstiness b > 1 a two-state
 * Markov-modulated Poisson process (burst rate b * rate for a share f of the time, calm rate
 * rate * (1 - f b) / (1 - f)), switching after exponential sojourns. Memorylessness makes the
 * redraw at each switch exact.
 */
class ModulatedPoisson {
  private burst = false;
  private switchAt: number;
  private readonly rates: [number, number];
  private readonly means: [number, number];

  constructor(
    private readonly fn: FunctionSpec,
    private readonly stream: RandomStream,
  ) {
    const b = fn.burstiness;
    const f = fn.burstShare;
    this.rates = [Math.max(0, (fn.ratePerS * (1 - f * b)) / (1 - f)), fn.ratePerS * b];
    this.means = [(fn.burstMeanS * (1 - f)) / f, fn.burstMeanS];
    this.switchAt = b > 1 ? stream.exponential(1 / this.means[0]) : Number.POSITIVE_INFINITY;
  }

  next(now: number): number {
    if (this.fn.burstiness <= 1) return now + this.stream.exponential(this.fn.ratePerS);
    let t = now;
    for (;;) {
      const rate = this.rates[this.burst ? 1 : 0];
      const cand = rate > 0 ? t + this.stream.exponential(rate) : Number.POSITIVE_INFINITY;
      if (cand <= this.switchAt) return cand;
      t = this.switchAt;
      this.burst = !this.burst;
      this.switchAt = t + this.stream.exponential(1 / this.means[this.burst ? 1 : 0]);
    }
  }
}

/**
 * One function as a small queueing system: (modulated) Poisson arrivals; an admission check against the
 * concurrency limit; a cold start when nothing is in flight and the function has been idle longer
 * than the keep-alive (arrivals during the boot wait for it); processor sharing of the allocated
 * vCPUs among the invocations in flight (each gets min(1, vcpus / n) of a vCPU), so response time
 * grows with concurrent load.
 */
function simulateFunction(fn: FunctionSpec, durationS: number, windowS: number, stream: RandomStream, rows: ServerlessRow[]): ServerlessFunctionStats {
  const stats: ServerlessFunctionStats = { id: fn.id, invocations: 0, throttled: 0, coldStarts: 0, errors: 0 };
  const arrivals = new TrailingCount();
  const throttles = new TrailingCount();
  const executed = new TrailingCount();
  const failures = new TrailingCount();
  const jobs: Job[] = [];
  let now = 0;
  let bootEnd = Number.NEGATIVE_INFINITY;
  /** when the function last became idle; undefined until its first invocation completes */
  let idleSince: number | undefined;
  const arrivalsOf = new ModulatedPoisson(fn, stream);
  let nextArrival = arrivalsOf.next(0);

  for (;;) {
    const running = now >= bootEnd ? jobs.length : 0;
    const share = running > 0 ? Math.min(1, fn.vcpus / running) : 0;
    let first = -1;
    for (let i = 0; i < running; i++) if (first === -1 || jobs[i].remaining < jobs[first].remaining) first = i;
    const tDone = first === -1 ? Number.POSITIVE_INFINITY : now + jobs[first].remaining / share;
    const tBoot = bootEnd > now ? bootEnd : Number.POSITIVE_INFINITY;
    const tArrive = nextArrival <= durationS ? nextArrival : Number.POSITIVE_INFINITY;
    const t = Math.min(tDone, tBoot, tArrive);
    if (t === Number.POSITIVE_INFINITY) break;

    const dt = t - now;
    const util = running > 0 ? Math.min(running, fn.vcpus) / fn.vcpus : 0;
    for (const j of jobs) {
      if (running > 0) j.remaining -= share * dt;
      j.cpuInt += util * dt;
      j.nInt += jobs.length * dt;
    }
    now = t;

    if (t === tDone) {
      jobs[first].remaining = 0; // exact, whatever the rounding of share * dt
      for (let i = jobs.length - 1; i >= 0; i--) {
        const j = jobs[i];
        if (j.remaining > 1e-12 * fn.meanWorkS) continue;
        const response = now - j.arrival;
        rows.push({
          FunctionID: fn.id,
          Timestamp: j.arrival,
          ResponseTime: response,
          CPUUtilization: (100 * j.cpuInt) / response,
          MemoryUtilization: Math.min(100, (100 * (fn.baseMemoryMb + (fn.memoryPerInvocationMb * j.nInt) / response)) / fn.memoryMb),
          ColdStart: j.cold ? 1 : 0,
          ColdStartLatency: j.coldLatency,
          ThrottlingRate: j.throttlingRate,
          ErrorRate: j.errorRate,
        });
        jobs.splice(i, 1);
      }
      if (jobs.length === 0) idleSince = now;
    }

    if (t === tArrive) {
      stats.invocations++;
      arrivals.add(now);
      const throttle = jobs.length >= fn.concurrencyLimit;
      if (throttle) {
        stats.throttled++;
        throttles.add(now);
      }
      const since = now - windowS;
      const throttlingRate = throttles.countSince(since) / arrivals.countSince(since);
      if (!throttle) {
        const cold = jobs.length === 0 && (idleSince === undefined || now - idleSince > fn.keepAliveS);
        let coldLatency = 0;
        if (cold) {
          stats.coldStarts++;
          coldLatency = fn.coldStartMeanS > 0 ? drawSize(stream, { kind: "lognormal", mean: fn.coldStartMeanS, cv: fn.coldStartCv }) : 0;
          bootEnd = now + coldLatency;
        }
        const work = drawSize(stream, { kind: "lognormal", mean: fn.meanWorkS, cv: fn.workCv });
        const failed = stream.next() < Math.min(1, fn.baseErrorRate + fn.throttleErrorGain * throttlingRate);
        executed.add(now);
        if (failed) {
          stats.errors++;
          failures.add(now);
        }
        const job: Job = {
          arrival: now, cold, remaining: work, coldLatency, cpuInt: 0, nInt: 0, throttlingRate,
          errorRate: failures.countSince(since) / executed.countSince(since),
        };
        jobs.push(job);
      }
      nextArrival = arrivalsOf.next(now);
    }
  }
  return stats;
}

/**
 * Generates serverless performance rows (one per executed invocation), ordered by arrival time.
 * Same options and seed, same rows.
 */
export function generateServerlessData(options: ServerlessOptions): ServerlessData {
  const o = parseOptions(serverlessOptionsSchema, options, "generateServerlessData");
  const l = o.load ?? {};
  const functions = o.functions.map((f) => ({
    ...f,
    ratePerS: f.ratePerS * (l.rateScale ?? 1),
    burstiness: l.burstiness ?? f.burstiness,
    keepAliveS: l.keepAliveS ?? f.keepAliveS,
    concurrencyLimit: l.concurrencyLimit ?? f.concurrencyLimit,
  }));
  for (const f of functions) {
    if (f.burstiness * f.burstShare > 1) throw new Error(`generateServerlessData: function ${f.id}: burstiness ${f.burstiness} is more than 1 / burstShare (${(1 / f.burstShare).toFixed(3)}): the calm rate would be negative`);
  }
  const streams = new RandomStreams(o.seed);
  const rows: ServerlessRow[] = [];
  const stats = functions.map((fn) => simulateFunction(fn, o.durationS, o.rateWindowS, streams.get(`serverless:${fn.id}`), rows));
  const order = new Map(o.functions.map((f, i) => [f.id, i]));
  rows.sort((a, b) => a.Timestamp - b.Timestamp || order.get(a.FunctionID)! - order.get(b.FunctionID)!);
  return { rows, stats };
}

export const SERVERLESS_COLUMNS = [
  "FunctionID", "Timestamp", "ResponseTime", "CPUUtilization", "MemoryUtilization",
  "ColdStart", "ColdStartLatency", "ThrottlingRate", "ErrorRate",
] as const satisfies readonly (keyof ServerlessRow)[];

/** CSV text with a header; numbers as JavaScript prints them (round-trips exactly). */
export function serverlessCsv(rows: readonly ServerlessRow[]): string {
  const lines = [SERVERLESS_COLUMNS.join(",")];
  for (const r of rows) lines.push(SERVERLESS_COLUMNS.map((c) => String(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}
