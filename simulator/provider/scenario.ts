import { z } from "zod";
import { POWER_CURVE_NAMES } from "./power-curves.ts";
import { formatIssues, ScenarioError } from "../scenario.ts";

/**
 * The provider-view scenario: the `view: "provider"` section of a scenario file. Entities come in
 * groups (one object, or a list of them for heterogeneous fleets); every group expands to `count`
 * identical entities, numbered in list order. Strict objects: an unknown key is an error.
 */

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();
const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();

const powerCurve = z.union([
  z.enum(POWER_CURVE_NAMES),
  z.array(nonNegative).length(11, "a power curve has 11 points (0 %, 10 %, ..., 100 % load)"),
]);

export const hostGroupSchema = z.strictObject({
  count,
  /** label in per-host rows; default "<pes>x<mipsPerPe>" */
  name: z.string().min(1).optional(),
  pes: positiveInt,
  mipsPerPe: positive,
  ramMB: nonNegative,
  bwMbps: nonNegative,
  /** omitted = storage is not a placement constraint */
  storageMB: nonNegative.optional(),
  /** watts at 0 %, 10 %, ..., 100 % CPU, or a named SPECpower curve; default ibm-x3650-m2 */
  powerCurve: powerCurve.optional(),
});

export const vmGroupSchema = z.strictObject({
  count,
  pes: positiveInt,
  /** MIPS of each of the VM's PEs */
  mips: positive,
  ramMB: nonNegative,
  bwMbps: nonNegative,
  storageMB: nonNegative.default(0),
});

export const cloudletGroupSchema = z.strictObject({
  count,
  pes: positiveInt,
  /** million instructions per PE (CloudSim Plus semantics) */
  lengthMI: positive,
  /** lengths are drawn uniformly in lengthMI * [1 - s, 1 + s] from the seeded stream; 0 = fixed */
  lengthSpread: z.number().min(0).lt(1).default(0),
  /**
   * fraction of its PEs' MIPS the cloudlet uses (and so progresses at), in (0, 1]; or
   * "stochastic": drawn uniformly in (0, 1] when it starts and again at every multiple of the
   * scenario's `utilisationFrameS` while it runs (CloudSim Plus's UtilizationModelStochastic
   * draws a new value for each new time it is asked at)
   */
  utilisation: z.union([z.number().gt(0).max(1), z.literal("stochastic")]).default(1),
  /** submission time of the group's first cloudlet, seconds */
  submitS: nonNegative.default(0),
  /** gap between consecutive submissions within the group, seconds */
  submitIntervalS: nonNegative.default(0),
  /** response-time deadline after submission, seconds; omitted = no SLA */
  deadlineS: positive.optional(),
});

const groups = <T extends z.ZodType>(g: T) => z.union([g, z.array(g).min(1)]);

export const VM_ALLOCATION_POLICY_NAMES = [
  "first-fit",
  "next-fit",
  "best-fit",
  "worst-fit",
  "round-robin",
] as const;
export const CLOUDLET_SCHEDULER_NAMES = ["space-shared", "time-shared"] as const;
/**
 * How a host shares its PEs among its VMs (CloudSim's VmScheduler): space-shared gives each VM
 * whole PEs of at least its MIPS; time-shared (VmSchedulerTimeShared) lets VMs share PEs as long
 * as the host has as many PEs as the VM and the MIPS it asks for in total (no over-subscription,
 * so every VM runs at its full MIPS).
 */
export const VM_SCHEDULER_NAMES = ["space-shared", "time-shared"] as const;

export const objectiveWeightsSchema = z.strictObject({
  energy: nonNegative.default(0.3),
  cost: nonNegative.default(0.1),
  response: nonNegative.default(0.3),
  sla: nonNegative.default(0.2),
  rejected: nonNegative.default(0.1),
});

export const providerScenarioSchema = z.strictObject({
  name: z.string().min(1),
  view: z.literal("provider"),
  description: z.string().optional(),
  hosts: groups(hostGroupSchema),
  vms: groups(vmGroupSchema),
  cloudlets: groups(cloudletGroupSchema),
  vmAllocation: z.enum(VM_ALLOCATION_POLICY_NAMES).default("first-fit"),
  vmScheduler: z.enum(VM_SCHEDULER_NAMES).default("space-shared"),
  /** the time frame of stochastic cloudlet utilisation: new draws at every multiple of it, seconds */
  utilisationFrameS: positive.default(1),
  cloudletScheduler: z.enum(CLOUDLET_SCHEDULER_NAMES).default("space-shared"),
  /** hosts without VMs: switched off (0 W, not billed) or left idle (curve at 0 %, billed) */
  emptyHosts: z.enum(["off", "idle"]).default("off"),
  /** price of one host-hour while it is on, USD */
  hostPricePerHour: nonNegative.default(0),
  /** stop the run at this time (unfinished cloudlets stay in flight); default: run to the end */
  maxTimeS: positive.optional(),
  /** number of equal time buckets in the per-interval output */
  intervals: positiveInt.default(50),
  /** weights of the objective's terms (see report.ts); lower objective is better */
  objectiveWeights: objectiveWeightsSchema.prefault({}),
}).superRefine((s, ctx) => {
  // best-fit and worst-fit rank hosts by free PEs, which VMs do not use up when they time-share PEs
  if (s.vmScheduler === "time-shared" && (s.vmAllocation === "best-fit" || s.vmAllocation === "worst-fit")) {
    ctx.addIssue({
      code: "custom",
      path: ["vmAllocation"],
      message: `${s.vmAllocation} ranks hosts by free PEs, which VMs do not use up under vmScheduler time-shared; use first-fit, next-fit or round-robin`,
    });
  }
});

/** A scenario as written (defaults may be omitted). */
export type ProviderScenario = z.input<typeof providerScenarioSchema>;
/** A validated scenario with every default filled in. */
export type ResolvedProviderScenario = z.output<typeof providerScenarioSchema>;
export type HostGroup = z.output<typeof hostGroupSchema>;
export type VmGroup = z.output<typeof vmGroupSchema>;
export type CloudletGroup = z.output<typeof cloudletGroupSchema>;
export type VmAllocationPolicyName = (typeof VM_ALLOCATION_POLICY_NAMES)[number];
export type CloudletSchedulerName = (typeof CLOUDLET_SCHEDULER_NAMES)[number];
export type VmSchedulerName = (typeof VM_SCHEDULER_NAMES)[number];

/** Validates and fills defaults; a ScenarioError names the scenario and the offending key. */
export function resolveProviderScenario(input: unknown): ResolvedProviderScenario {
  const r = providerScenarioSchema.safeParse(input);
  if (r.success) return r.data;
  const name = typeof (input as { name?: unknown } | null)?.name === "string" ? (input as { name: string }).name : "provider scenario";
  throw new ScenarioError(formatIssues(name, r.error.issues));
}

export function asList<T>(g: T | T[]): T[] {
  return Array.isArray(g) ? g : [g];
}

// The CloudSim Plus performance scenario (docs/performance.md of cloudsimplus: 1 datacenter,
// 20,000 hosts, 40,000 VMs, 50,000 cloudlets, FirstFit: 1.3 min on a 2-core laptop), with the
// entity sizes of the scenario files it was run from (cloudsimplus/cloud-simulation-comparison).
const CLOUDSIM_HOST = { pes: 8, mipsPerPe: 50_000, ramMB: 1_000_000, bwMbps: 100_000 } as const;
const CLOUDSIM_VM = { pes: 4, mips: 1_000, ramMB: 2_000, bwMbps: 1_000 } as const;
const CLOUDSIM_CLOUDLET = { pes: 2, lengthMI: 10_000, utilisation: 1 } as const;

/**
 * cotwin's configuration of it (space-shared VM scheduler, full CPU use, cotwin's first-fit):
 * the one run side by side with CloudSim Plus 8.5.7, with identical placement and response times.
 */
function cloudsim(name: string, hosts: number, vms: number, cloudlets: number, description: string): ProviderScenario {
  return {
    name,
    view: "provider",
    description,
    hosts: { count: hosts, ...CLOUDSIM_HOST },
    vms: { count: vms, ...CLOUDSIM_VM },
    cloudlets: { count: cloudlets, ...CLOUDSIM_CLOUDLET },
    vmAllocation: "first-fit",
    cloudletScheduler: "space-shared",
  };
}

/**
 * As the published runs were configured: the scenario files give hosts a time-shared VM
 * scheduler and 40,000 MB of storage, VMs 500 MB and a space-shared cloudlet scheduler, and the
 * performance page's second table names UtilizationModelStochastic for cloudlet CPU. CloudSim
 * Plus's VmAllocationPolicyFirstFit resumes from the last host it used: cotwin's next-fit.
 * Storage (80 VMs of 500 MB per host) is what limits a host then, not PEs.
 */
function cloudsimPublished(name: string, hosts: number, vms: number, cloudlets: number, description: string, submitIntervalS = 0): ProviderScenario {
  return {
    name,
    view: "provider",
    description,
    hosts: { count: hosts, ...CLOUDSIM_HOST, storageMB: 40_000 },
    vms: { count: vms, ...CLOUDSIM_VM, storageMB: 500 },
    cloudlets: { count: cloudlets, pes: 2, lengthMI: 10_000, utilisation: "stochastic", submitIntervalS },
    vmAllocation: "next-fit",
    vmScheduler: "time-shared",
    cloudletScheduler: "space-shared",
    utilisationFrameS: 1,
  };
}

/** 3.86 months of 30.436875 days (the mean Gregorian month), s */
export const MONTHS_3_86_S = 3.86 * 30.436875 * 86_400;

/** The last step of the scaling ladder (2,500 * 2^16 = 163,840,000 hosts). */
export const LADDER_MAX_STEP = 16;

/** Step k of the scaling ladder: 2,500 * 2^k hosts, VMs and cloudlets, CloudSim-scale entities. */
export function ladderStep(k: number): ProviderScenario {
  if (!Number.isInteger(k) || k < 0 || k > LADDER_MAX_STEP) throw new RangeError(`ladder step must be an integer in [0, ${LADDER_MAX_STEP}], got ${k}`);
  const n = 2_500 * 2 ** k;
  return cloudsim(
    `cloudsim-ladder-k${k}`,
    n,
    n,
    n,
    `scaling ladder step ${k}: ${n} hosts = VMs = cloudlets with the cloudsim-scale entities`,
  );
}

export const providerBuiltins: Record<string, ProviderScenario> = {
  "cloudsim-scale": cloudsim(
    "cloudsim-scale",
    20_000,
    40_000,
    50_000,
    "CloudSim Plus performance scenario: 1 datacenter, 20,000 hosts, 40,000 VMs, 50,000 cloudlets, first-fit",
  ),
  "cloudsim-scale-published": cloudsimPublished(
    "cloudsim-scale-published",
    20_000,
    40_000,
    50_000,
    "cloudsim-scale as published: time-shared VM scheduler, stochastic cloudlet CPU, CloudSim Plus's FirstFit (next-fit)",
  ),
  "cloudsim-months": cloudsimPublished(
    "cloudsim-months",
    50_000,
    100_000,
    100_000,
    "50,000 hosts, 100,000 VMs, 100,000 cloudlets arriving over 3.86 simulated months, entities as cloudsim-scale-published",
    MONTHS_3_86_S / 100_000,
  ),
  "cloudsim-ladder": ladderStep(0),
};
