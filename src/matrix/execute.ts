/**
 * One run of a matrix, wherever it happens (in this process, a worker thread, a queue worker on
 * another machine): the spec in, the result that is checkpointed out. The result keeps what the
 * report needs: the summary, the per-interval rows as columns, and the host totals summed by
 * host size (the provider view has tens of thousands of hosts; the report breaks totals down by
 * size). Per-request rows are not kept: a run directory (`cotwin simulate --out`) has them.
 */
import type { HostRow, IntervalRow, RunRecord, RunSummary } from "../../simulator/summary.ts";
import type { TenantScenario } from "../../simulator/scenario.ts";
import type { ProviderScenario } from "../../simulator/provider/scenario.ts";
import { runTenantAsync } from "../runner.ts";
import { runProviderScenario } from "../provider-runs.ts";
import type { RunSpec } from "./plan.ts";

export interface RunResult {
  key: string;
  scenario: string;
  policy: string;
  seed: number;
  configHash: string;
  version: string;
  summary: RunSummary;
  /** per-interval values by IntervalRow field (null where the value is undefined, e.g. no request completed) */
  intervals: Record<string, Array<number | null>>;
  /** HostRow numeric fields summed over the hosts of each size, plus the number of hosts */
  hostsBySize: Record<string, Record<string, number>>;
}

function intervalColumns(rows: readonly IntervalRow[]): Record<string, Array<number | null>> {
  const out: Record<string, Array<number | null>> = {};
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v !== "number") continue;
      (out[k] ??= []).push(Number.isFinite(v) ? v : null);
    }
  }
  return out;
}

function sumBySize(hosts: readonly HostRow[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const h of hosts) {
    const acc = (out[h.size] ??= { hosts: 0 });
    acc.hosts++;
    for (const [k, v] of Object.entries(h)) {
      if (k === "host" || typeof v !== "number" || !Number.isFinite(v)) continue;
      acc[k] = (acc[k] ?? 0) + v;
    }
  }
  return out;
}

export function resultFromRecord(spec: RunSpec, record: RunRecord): RunResult {
  return {
    key: spec.key,
    scenario: spec.scenario,
    policy: spec.policy,
    seed: spec.seed,
    configHash: spec.configHash,
    version: spec.version,
    summary: record.summary,
    intervals: intervalColumns(record.intervals),
    hostsBySize: sumBySize(record.hosts),
  };
}

export async function executeRun(spec: RunSpec): Promise<RunResult> {
  const record =
    spec.view === "provider"
      ? await runProviderScenario(spec.config as ProviderScenario, spec.source, { seed: spec.seed, policy: spec.policy })
      : await runTenantAsync({ scenario: spec.config as TenantScenario, source: spec.source, policy: spec.policy, seed: spec.seed, policyOptions: spec.policyOptions });
  return resultFromRecord(spec, record);
}

/** The summary without the measured times: equal for equal runs wherever they ran. */
export function simulatedPart(s: RunSummary): Omit<RunSummary, "wallMs" | "decisionMs"> {
  const { wallMs: _w, decisionMs: _d, ...rest } = s;
  return rest;
}
