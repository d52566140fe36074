/**
 * Scenario files (YAML or JSON) for the tenant view: the schema is the single source of the type
 * and of the error messages. An unknown key or a wrong type is an error naming the file and the
 * key path.
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import YAML from "yaml";
import { VARIANT_KINDS, type VariantKind } from "./catalogue/applications.ts";
import { DEFAULT_ENERGY_ATTRIBUTION, ENERGY_ATTRIBUTIONS } from "./power.ts";
import { DEFAULT_ECONOMICS, DEFAULT_OBJECTIVE } from "./objective.ts";
import { InputError } from "./errors.ts";
import { checkTenantSize } from "./limits.ts";

const num = z.number().finite();
const pos = num.positive();
const nonneg = num.nonnegative();

const sizeDist = z.discriminatedUnion("dist", [
  z.strictObject({ dist: z.literal("constant"), value: pos.default(1) }),
  z.strictObject({ dist: z.literal("exponential"), mean: pos.default(1) }),
  z.strictObject({ dist: z.literal("lognormal"), mean: pos.default(1), cv: pos.default(1) }),
]);

const deadline = z.strictObject({
  /** uniform whole number of intervals in [min, max] (SciNet: 5-7 intervals of 5 s) */
  intervals: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  /** uniform seconds in [min, max] */
  seconds: z.tuple([pos, pos]).optional(),
});

const workloadCommon = {
  /** relative weight per application (default: uniform) */
  appWeights: z.array(nonneg).optional(),
  deadline: deadline.prefault({ intervals: [5, 7] }),
  size: sizeDist.prefault({ dist: "constant" }),
};

export const workloadSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("poisson"), ratePerInterval: nonneg, ...workloadCommon }),
  z.strictObject({
    kind: z.literal("diurnal"),
    ratePerInterval: nonneg,
    /** relative amplitude of the daily sine in [0, 1] */
    amplitude: num.min(0).max(1).default(0.5),
    periodS: pos.default(86400),
    peakAtS: nonneg.default(14 * 3600),
    ...workloadCommon,
  }),
  z.strictObject({
    kind: z.literal("bursty"),
    /** arrival rates per interval in the calm and the burst state */
    ratesPerInterval: z.tuple([nonneg, nonneg]),
    /** mean time spent in the calm and the burst state, s */
    meanDwellS: z.tuple([pos, pos]),
    ...workloadCommon,
  }),
  z.strictObject({
    kind: z.literal("trace"),
    /** a data set name from `cotwin data list` or a path to a trace file */
    source: z.string().min(1),
    /** arrivals: requests at the trace's timestamps; demand: a per-VM utilisation series as tasks */
    mode: z.enum(["arrivals", "demand"]).default("arrivals"),
    column: z.string().optional(),
    timeScale: pos.default(1),
    sample: num.gt(0).max(1).default(1),
    sizeScale: pos.default(1),
    /** demand mode: busy vCPUs per unit of the column (e.g. 0.01 for a 1-core VM's CPU %) */
    vcpusPerUnit: pos.default(1),
    /** demand mode: replay the series as this many VMs, each rotated by an equal share */
    vms: z.number().int().positive().default(1),
    ...workloadCommon,
  }),
]);
export type WorkloadSpec = z.infer<typeof workloadSchema>;

const fragmentSchema = z.strictObject({ mi: pos, ramMB: nonneg, outMB: nonneg.default(0) });
const variantSchema = z.strictObject({
  kind: z.enum(VARIANT_KINDS as unknown as [VariantKind, ...VariantKind[]]),
  accuracy: num.min(0).max(1),
  parallel: z.boolean().default(false),
  fragments: z.array(fragmentSchema).min(1).max(16),
});
const appSchema = z.strictObject({ name: z.string().min(1), variants: z.array(variantSchema).min(1) });

const assumptionsSchema = z
  .strictObject({
    instructionsPerFlop: pos,
    batchImages: pos,
    compressionSpeedup: pos,
    unpublishedInt8AccuracyFactor: num.gt(0).max(1),
    semanticAccuracyFactor: num.gt(0).max(1),
    layerSplitParts: z.number().int().min(2).max(16),
    semanticSplitParts: z.number().int().min(2).max(16),
    runtimeOverheadMB: nonneg,
    activationMBPerImage: nonneg,
    outputMBPerImage: nonneg,
  })
  .partial();

const hostGroupSchema = z.strictObject({
  size: z.string().min(1),
  count: z.number().int().positive().default(1),
  initial: z.enum(["on", "off"]).default("on"),
  bootS: nonneg.optional(),
  /** a named SPECpower curve or 11 watts values */
  powerCurve: z.union([z.string(), z.array(nonneg).length(11)]).optional(),
  initialCredits: nonneg.optional(),
  /** CPU cores of the server behind the power curve (for `energyAttribution: vcpu-share`) */
  serverCores: z.number().int().positive().optional(),
});

/** A host size defined by the scenario, beside the built-in Azure catalogue. */
const customSizeSchema = z.strictObject({
  name: z.string().min(1),
  vcpus: z.number().int().positive(),
  ramMB: pos,
  mipsPerVcpu: pos,
  pricePerHour: nonneg,
  /** a named SPECpower curve or 11 watts values */
  powerCurve: z.union([z.string(), z.array(nonneg).length(11)]),
  bootS: nonneg.default(60),
  credits: z.strictObject({ basePercent: num.gt(0).max(100), creditsPerHour: pos, maxBanked: pos }).optional(),
  /** CPU cores of the server behind the power curve (for `energyAttribution: vcpu-share`) */
  serverCores: z.number().int().positive().optional(),
});
export type CustomSize = z.infer<typeof customSizeSchema>;

export { DEFAULT_OBJECTIVE };

export const tenantScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  view: z.literal("tenant").default("tenant"),
  intervalS: pos,
  intervals: z.number().int().positive(),
  /** extra host sizes, usable by name in `hosts` */
  sizes: z.array(customSizeSchema).optional(),
  hosts: z.array(hostGroupSchema).min(1),
  applications: z
    .strictObject({
      catalogue: z.string().default("imagenet-7"),
      custom: z.array(appSchema).min(1).optional(),
      variants: z.array(z.enum(VARIANT_KINDS as unknown as [VariantKind, ...VariantKind[]])).min(1).default([...VARIANT_KINDS]),
      assumptions: assumptionsSchema.prefault({}),
    })
    .prefault({}),
  workload: workloadSchema,
  network: z.strictObject({ latencyS: nonneg.default(0.001), bandwidthMBps: pos.default(125) }).prefault({}),
  failures: z
    .strictObject({
      ratePerHostHour: nonneg.default(0),
      onFailure: z.enum(["requeue", "fail"]).default("requeue"),
      repairS: nonneg.default(600),
    })
    .prefault({}),
  admission: z.enum(["interval", "arrival"]).default("interval"),
  /** how much of its server's power each host draws: the whole server (COSCO) or its vCPU share */
  energyAttribution: z.enum(ENERGY_ATTRIBUTIONS).default(DEFAULT_ENERGY_ATTRIBUTION),
  /** a request not deployed this many intervals after arriving is rejected */
  maxPendingIntervals: pos.default(10),
  /** a named objective (usd-per-request, scinet-weighted) or an expression (see `cotwin objective`) */
  objective: z.string().min(1).default(DEFAULT_OBJECTIVE),
  /** prices of the money objective (see simulator/objective.ts for the defaults' sources) */
  economics: z
    .strictObject({
      energyUSDPerKWh: nonneg.default(DEFAULT_ECONOMICS.energyUSDPerKWh),
      lateUSD: nonneg.default(DEFAULT_ECONOMICS.lateUSD),
      unservedUSD: nonneg.default(DEFAULT_ECONOMICS.unservedUSD),
      accuracyPointUSD: nonneg.default(DEFAULT_ECONOMICS.accuracyPointUSD),
    })
    .prefault({}),
  /**
   * After the last interval arrivals stop and the run goes on under the same policy until every
   * request has ended, at most this many intervals (default: long enough for any request to end
   * or expire); requests still in flight then count as unfinished (violations).
   */
  drainIntervals: z.number().int().nonnegative().optional(),
  /** forecaster for Observation.forecast (see `cotwin forecast`), with its horizon in intervals */
  forecast: z
    .strictObject({
      model: z.string().min(1),
      horizon: z.number().int().positive().default(3),
      /** hyper-parameters of a forecaster named by kind (see `cotwin forecast`) */
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
  /** the policy `cotwin simulate` uses when none is given */
  policy: z.string().optional(),
});
export type TenantScenario = z.infer<typeof tenantScenarioSchema>;

/** A scenario error: names the file (or built-in) and the key path. */
export class ScenarioError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioError";
  }
}

/** Formats schema issues as `file: key.path: message` lines. */
export function formatIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = keyPath(i.path);
      if (i.code === "unrecognized_keys") {
        const keys = (i as { keys: string[] }).keys;
        return keys.map((k) => `${source}: ${path ? `${path}.` : ""}${k}: unknown key`).join("\n");
      }
      return `${source}: ${path || "(top level)"}: ${cleanMessage(i.message)}`;
    })
    .join("\n");
}

function keyPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s;
}

function cleanMessage(m: string): string {
  return m.replace(/^Invalid input: /, "");
}

/** Parses YAML or JSON text, with the parser's line/column on syntax errors. */
export function parseScenarioText(text: string, source: string): unknown {
  // A byte-order mark is not part of the document: YAML skips it, JSON.parse would refuse it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    if (source.endsWith(".json")) return JSON.parse(text);
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const pos = e.linePos?.[0];
      throw new ScenarioError(`${source}${pos ? `:${pos.line}:${pos.col}` : ""}: ${e.message.split("\n")[0]}`);
    }
    return doc.toJS();
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`${source}: ${(e as Error).message}`);
  }
}

export function validateTenantScenario(raw: unknown, source: string): TenantScenario {
  const r = tenantScenarioSchema.safeParse(raw);
  if (!r.success) throw new ScenarioError(formatIssues(source, r.error.issues));
  const s = r.data;
  // the count of weights is checked against the applications when the model is built
  if (s.workload.appWeights && s.workload.appWeights.length > 0 && !s.workload.appWeights.some((w) => w > 0)) {
    throw new ScenarioError(`${source}: workload.appWeights: every weight is 0, so no application could be requested; give at least one a positive weight`);
  }
  if (s.workload.deadline.intervals && s.workload.deadline.intervals[0] > s.workload.deadline.intervals[1]) {
    throw new ScenarioError(`${source}: workload.deadline.intervals: minimum ${s.workload.deadline.intervals[0]} is above maximum ${s.workload.deadline.intervals[1]}`);
  }
  if (s.workload.deadline.seconds && s.workload.deadline.seconds[0] > s.workload.deadline.seconds[1]) {
    throw new ScenarioError(`${source}: workload.deadline.seconds: minimum ${s.workload.deadline.seconds[0]} is above maximum ${s.workload.deadline.seconds[1]}`);
  }
  if (s.workload.kind === "bursty" && s.workload.ratesPerInterval[0] === 0 && s.workload.ratesPerInterval[1] === 0) {
    throw new ScenarioError(`${source}: workload.ratesPerInterval: both rates are 0; give the burst state a positive rate (or use kind: poisson)`);
  }
  checkTenantSize(s, source);
  return s;
}

/** A scenario file is text of a few kB; anything far larger (or a device like /dev/zero) is not one. */
export const MAX_SCENARIO_BYTES = 10_000_000;

export function readScenarioFile(file: string): unknown {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isFile() && st.size > MAX_SCENARIO_BYTES) throw new ScenarioError(`${file}: ${st.size} bytes is not a scenario file (at most ${MAX_SCENARIO_BYTES} bytes)`);
    if (!st.isFile() && !st.isDirectory()) throw new ScenarioError(`${file}: not a regular file`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`${file}: cannot read scenario file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseScenarioText(text, file);
}
