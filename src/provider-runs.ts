/**
 * Provider-view scenarios (physical hosts, VMs, cloudlets) as the command line sees them:
 * built-in names (`cloudsim-scale`, `cloudsim-scale-published`, `cloudsim-months`,
 * `cloudsim-ladder`, and `cloudsim-ladder-k<N>` for ladder step N) or files with `view: provider`.
 */
import { formatIssues, ScenarioError, readScenarioFile } from "../simulator/scenario.ts";
import { asList, LADDER_MAX_STEP, ladderStep, providerBuiltins, providerScenarioSchema, VM_ALLOCATION_POLICY_NAMES, type ProviderScenario } from "../simulator/provider/scenario.ts";
import { checkProviderSize } from "../simulator/limits.ts";
import { UsageError } from "./usage-error.ts";
import type { RunRecord } from "../simulator/summary.ts";

const LADDER_NAME = /^cloudsim-ladder-k(\d+)$/;

/** The fixed built-in names (the ladder's steps are named by pattern, see ladderPattern). */
export function providerBuiltinNames(): string[] {
  return Object.keys(providerBuiltins);
}

/** How `cotwin scenarios` shows the ladder's step names. */
export const ladderPattern = {
  name: "cloudsim-ladder-k<N>",
  description: `scaling ladder step N (0..${LADDER_MAX_STEP}): 2,500 x 2^N hosts = VMs = cloudlets with the cloudsim-scale entities`,
};

/** A built-in provider scenario's name: a fixed one or a ladder step (cloudsim-ladder-k3). */
export function isProviderBuiltin(name: string): boolean {
  return name in providerBuiltins || LADDER_NAME.test(name);
}

export function loadProviderScenario(nameOrFile: string): { scenario: ProviderScenario; source: string } {
  const loaded = readProviderScenario(nameOrFile);
  checkProviderSize(providerSize(loaded.scenario), nameOrFile);
  return loaded;
}

function readProviderScenario(nameOrFile: string): { scenario: ProviderScenario; source: string } {
  const builtin = providerBuiltins[nameOrFile];
  if (builtin) return { scenario: builtin, source: `built-in scenario ${nameOrFile}` };
  const step = LADDER_NAME.exec(nameOrFile);
  if (step) {
    const k = Number(step[1]);
    if (k > LADDER_MAX_STEP) throw new ScenarioError(`${nameOrFile}: the ladder has steps 0 to ${LADDER_MAX_STEP} (cloudsim-ladder-k0 .. cloudsim-ladder-k${LADDER_MAX_STEP})`);
    return { scenario: ladderStep(k), source: `built-in scenario ${nameOrFile}` };
  }
  const raw = readScenarioFile(nameOrFile);
  const r = providerScenarioSchema.safeParse(raw);
  if (!r.success) throw new ScenarioError(formatIssues(nameOrFile, r.error.issues));
  return { scenario: r.data, source: nameOrFile };
}

/** Entity counts of a provider scenario, for the size check. */
function providerSize(s: ProviderScenario): { hosts: number; vms: number; cloudlets: number; intervals: number } {
  const total = (g: ProviderScenario["hosts"] | ProviderScenario["vms"] | ProviderScenario["cloudlets"]) => asList<{ count: number }>(g).reduce((n, x) => n + x.count, 0);
  return { hosts: total(s.hosts), vms: total(s.vms), cloudlets: total(s.cloudlets), intervals: s.intervals ?? 50 };
}

/**
 * A provider-view run takes a VM allocation rule as its policy; anything else (a tenant policy,
 * the oracle) is refused here, naming the rules, instead of failing deep in the schema.
 */
export function checkProviderPolicy(policy: string | undefined, scenario: string): void {
  if (policy === undefined || (VM_ALLOCATION_POLICY_NAMES as readonly string[]).includes(policy)) return;
  const why = policy === "oracle" || policy === "learner" ? `the ${policy} decides for tenant scenarios only` : `"${policy}" is not one of them`;
  throw new UsageError(
    `--policy ${policy}: ${scenario} is a provider-view scenario, whose policy is a VM allocation rule (${VM_ALLOCATION_POLICY_NAMES.join(", ")}); ${why}`,
  );
}

export async function runProviderScenario(
  scenario: ProviderScenario,
  _source: string,
  opts: { seed: number; policy?: string; onProgress?: (done: number, total: number) => void },
): Promise<RunRecord> {
  // the provider model loads only when a provider scenario runs
  const { runProvider } = await import("../simulator/provider/run.ts");
  const r = runProvider(scenario, {
    seed: opts.seed,
    policy: opts.policy,
    onProgress: opts.onProgress ? (f) => opts.onProgress!(f, 1) : undefined,
  });
  // Per-cloudlet rows are not kept in the provider view (50,000+ rows); the summary counts them.
  return { config: r.config, summary: r.summary, intervals: r.intervals, requests: [], hosts: r.hosts };
}
