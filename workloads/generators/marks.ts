import { z } from "zod";
import type { ArrivalSpec } from "../../simulator/arrivals.ts";
import type { RandomStream } from "../../simulator/engine/random.ts";

/** Work multiplier distribution (1 = the application's nominal size). */
export const sizeDistributionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("constant"), value: z.number().positive() }),
  z.object({ kind: z.literal("exponential"), mean: z.number().positive() }),
  /** parametrised by mean and coefficient of variation, so `mean` keeps its meaning across kinds */
  z.object({ kind: z.literal("lognormal"), mean: z.number().positive(), cv: z.number().nonnegative() }),
]);
export type SizeDistribution = z.infer<typeof sizeDistributionSchema>;

/** What each synthetic request carries besides its time: application, deadline, size. */
export const requestMarksSchema = z.object({
  /** relative weights of the scenario's applications (index = application) */
  appWeights: z.array(z.number().nonnegative()).min(1).refine((w) => w.some((x) => x > 0), "at least one weight must be positive"),
  /** deadline in seconds after arrival, drawn uniformly in [lo, hi] */
  deadlineS: z.tuple([z.number().positive(), z.number().positive()]).refine(([lo, hi]) => lo <= hi, "deadline range must have lo <= hi"),
  size: sizeDistributionSchema,
});
export type RequestMarks = z.infer<typeof requestMarksSchema>;

/** Time window of a generator: arrivals after startS, none after endS. */
export const horizonSchema = z.object({
  startS: z.number().nonnegative().default(0),
  endS: z.number().positive().default(Number.POSITIVE_INFINITY),
});

/** Draws one value of a size distribution. */
export function drawSize(stream: RandomStream, size: SizeDistribution): number {
  switch (size.kind) {
    case "constant":
      return size.value;
    case "exponential":
      return stream.exponential(1 / size.mean);
    case "lognormal": {
      if (size.cv === 0) return size.mean;
      // mean m and cv c: sigma^2 = ln(1 + c^2), mu = ln m - sigma^2 / 2.
      const s2 = Math.log(1 + size.cv * size.cv);
      return Math.exp(stream.normal(Math.log(size.mean) - s2 / 2, Math.sqrt(s2)));
    }
  }
}

/**
 * Fills app, deadline and size of `out`, always in that order, so a generator's sequence of draws
 * (and hence its output for a seed) does not depend on which fields a caller reads.
 */
export function drawMarks(stream: RandomStream, marks: RequestMarks, out: ArrivalSpec): void {
  out.app = marks.appWeights.length === 1 ? 0 : stream.weighted(marks.appWeights);
  out.deadline = stream.uniform(marks.deadlineS[0], marks.deadlineS[1]);
  out.size = drawSize(stream, marks.size);
}

/** zod parse with the generator's name in the message (config errors must say where they come from). */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(options)"}: ${i.message}`).join("; ");
    throw new Error(`${what}: invalid options: ${issues}`);
  }
  return r.data;
}
