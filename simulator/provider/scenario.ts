import { z } from "zod";
import { POWER_CURVE_NAMES } from "./power-curves.ts";

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
  /** fraction of its PEs' MIPS the cloudlet uses (and so progresses at), in (0, 1] */
  utilisation: z.number().gt(0).max(1).default(1),
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

/** Validates and fills defaults; throws a ZodError naming the offending key. */
export function resolveProviderScenario(input: unknown): ResolvedProviderScenario {
  return providerScenarioSchema.parse(input);
}

export function asList<T>(g: T | T[]): T[] {
  return Array.isArray(g) ? g : [g];
}

// The CloudSim Plus performance scenario (docs/performance.md of cloudsimplus: 1 datacenter,
// 20,000 hosts, 40,000 VMs, 50,000 cloudlets, FirstFit: 1.3 min on a 2-core laptop).
const CLOUDSIM_HOST = { pes: 8, mipsPerPe: 50_000, ramMB: 1_000_000, bwMbps: 100_000 } as const;
const CLOUDSIM_VM = { pes: 4, mips: 1_000, ramMB: 2_000, bwMbps: 1_000 } as const;
const CLOUDSIM_CLOUDLET = { pes: 2, lengthMI: 10_000, utilisation: 1 } as const;

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

/** Step k of the scaling ladder: 2,500 * 2^k hosts, VMs and cloudlets, CloudSim-scale entities. */
export function ladderStep(k: number): ProviderScenario {
  if (!Number.isInteger(k) || k < 0 || k > 16) throw new RangeError(`ladder step must be an integer in [0, 16], got ${k}`);
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
  "cloudsim-ladder": ladderStep(0),
};
