/**
 * Provider-view scenarios (physical hosts, VMs, cloudlets) as the command line sees them:
 * built-in names (`cloudsim-scale`, `cloudsim-ladder`, and `cloudsim-ladder-k<N>` for ladder
 * step N) or files with `view: provider`.
 */
import { formatIssues, ScenarioError, readScenarioFile } from "../simulator/scenario.ts";
import { ladderStep, providerBuiltins, providerScenarioSchema, type ProviderScenario } from "../simulator/provider/scenario.ts";
import type { RunRecord } from "../simulator/summary.ts";

export function providerBuiltinNames(): string[] {
  return Object.keys(providerBuiltins);
}

export function loadProviderScenario(nameOrFile: string): { scenario: ProviderScenario; source: string } {
  const builtin = providerBuiltins[nameOrFile];
  if (builtin) return { scenario: builtin, source: `built-in scenario ${nameOrFile}` };
  const step = /^cloudsim-ladder-k(\d+)$/.exec(nameOrFile);
  if (step) return { scenario: ladderStep(Number(step[1])), source: `built-in scenario ${nameOrFile}` };
  const raw = readScenarioFile(nameOrFile);
  const r = providerScenarioSchema.safeParse(raw);
  if (!r.success) throw new ScenarioError(formatIssues(nameOrFile, r.error.issues));
  return { scenario: r.data, source: nameOrFile };
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
