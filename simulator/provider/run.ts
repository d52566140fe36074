import { performance } from "node:perf_hooks";
import { RandomStreams } from "../engine/random.ts";
import type { HostRow, IntervalRow, RunSummary } from "../summary.ts";
import { vmAllocationPolicy } from "./allocation/index.ts";
import { ProviderDatacenter } from "./datacenter.ts";
import { buildEntities, type CloudletTable } from "./entities.ts";
import { buildHostRows, buildIntervals, buildSummary, type ObjectiveTerms } from "./report.ts";
import { resolveProviderScenario, type ProviderScenario, type ResolvedProviderScenario } from "./scenario.ts";
import { cloudletSchedulers } from "./scheduler/index.ts";

export interface ProviderRunOptions {
  seed: number;
  /** VM allocation policy name; overrides the scenario's vmAllocation */
  policy?: string;
  /** called with the resolved fraction of cloudlets, 0 at the start and 1 at the end */
  onProgress?(frac: number): void;
  /** per-host rows (default true); off for very large runs that only need the summary */
  hostRows?: boolean;
}

export interface ProviderRunResult {
  summary: RunSummary;
  hosts: HostRow[];
  intervals: IntervalRow[];
  /** the scenario as run, defaults filled in, policy override applied */
  config: ResolvedProviderScenario;
  /** the objective's terms before weighting (see report.ts) */
  objectiveTerms: ObjectiveTerms;
  /** per-cloudlet times and outcomes (typed arrays, cloudlets in submission order) */
  cloudlets: CloudletTable;
  /** host of each VM, -1 for a VM that did not fit */
  vmHost: Int32Array;
  /** wall time of the simulation itself (placing the VMs and the event loop), ms: a measured figure */
  simulatorMs: number;
}

/**
 * Runs one provider-view scenario: validates it, builds the entity tables, places the VMs at
 * time 0 with the allocation policy, binds cloudlet i to VM i mod nVMs, and runs submissions and
 * completions as events. VMs stay allocated (their hosts on) until the run ends. A cloudlet bound
 * to a VM that could not be placed is rejected ("cloudlet bound to unplaced vm"; CloudSim Plus's
 * broker would send it to another VM instead). Same scenario + same seed = same summary apart
 * from wallMs and decisionMs.
 */
export function runProvider(config: ProviderScenario, opts: ProviderRunOptions): ProviderRunResult {
  const t0 = performance.now();
  const s = resolveProviderScenario(opts.policy ? { ...config, vmAllocation: opts.policy } : config);
  const entities = buildEntities(s, opts.seed);
  const policy = vmAllocationPolicy(s.vmAllocation)(entities.hosts, entities.vms);
  const dc = new ProviderDatacenter(entities, cloudletSchedulers[s.cloudletScheduler], {
    emptyHostsIdle: s.emptyHosts === "idle",
    maxTimeS: s.maxTimeS ?? Infinity,
    onProgress: opts.onProgress,
    utilisationFrameS: s.utilisationFrameS,
    utilisationRng: new RandomStreams(opts.seed).get("cloudlet-utilisation"),
  });
  const s0 = performance.now();
  dc.placeVms(policy);
  dc.run();
  const simulatorMs = performance.now() - s0;
  const { summary, objectiveTerms } = buildSummary(dc, s, opts.seed, policy.name, 0);
  const intervals = buildIntervals(dc, s);
  const hosts = opts.hostRows === false ? [] : buildHostRows(dc, s);
  summary.wallMs = performance.now() - t0;
  return { summary, hosts, intervals, config: s, objectiveTerms, cloudlets: entities.cloudlets, vmHost: entities.vms.host, simulatorMs };
}
