/**
 * The run plan of a benchmark matrix: every scenario x policy x seed, each with the key its
 * result is filed under. The key hashes what decides a run's outcome: the resolved scenario config
 * (with the run length applied) and the contents of the trace files it reads, the policy (and the
 * contents of a policy file), the policy's options, the seed and the cotwin version. A changed
 * config, input file, policy file or version gives a new key, so a checkpointed result is
 * reused only for exactly the run that produced it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolveScenario } from "../commands/run.ts";
import { loadTenantScenario, buildTwinModel } from "../../simulator/scenarios.ts";
import { loadProviderScenario } from "../provider-runs.ts";
import { createPolicy, isRegistered } from "../../simulator/policies/registry.ts";
import { isPolicyFile } from "../../simulator/policies/policy-file.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";
import type { TenantScenario } from "../../simulator/scenario.ts";
import { VERSION } from "../../simulator/version.ts";
import { DEFAULT_MODEL_FILE, shippedModelFor } from "../../learner/model-file.ts";
import { ensurePolicies } from "../policies.ts";
import { UsageError } from "../usage-error.ts";

export interface PlannedScenario {
  /** as the user named it: a built-in name or a file */
  name: string;
  view: "tenant" | "provider";
  /** the resolved, validated config as it runs (run length applied) */
  config: unknown;
  /** where the config came from, for error messages inside the run */
  source: string;
  /** sha256 of the trace files the workload reads, by path */
  inputs: Record<string, string>;
  configHash: string;
  /** the objective expression (tenant view), for the sign check of relative changes */
  objective?: string;
}

/** Everything a worker (thread, process or another machine) needs to make one run. */
export interface RunSpec {
  key: string;
  scenario: string;
  view: "tenant" | "provider";
  config: unknown;
  source: string;
  configHash: string;
  policy: string;
  /** sha256 of what the policy reads besides its settings: a policy file's contents, the learner's model file */
  policyHash?: string;
  policyOptions?: Record<string, unknown>;
  seed: number;
  version: string;
}

export interface PlanOptions {
  scenarios: string[];
  policies: string[];
  seeds: number[];
  /** run length in intervals (tenant view; default each scenario's own) */
  intervals?: number;
  policyOptions?: Record<string, unknown>;
  /** recorded in every key (default the running cotwin's VERSION) */
  version?: string;
}

export interface Plan {
  version: string;
  scenarios: PlannedScenario[];
  policies: string[];
  seeds: number[];
  intervals?: number;
  policyOptions?: Record<string, unknown>;
  runs: RunSpec[];
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function fileHash(file: string, what: string): string {
  try {
    return sha256(readFileSync(file));
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

async function traceInputs(s: TenantScenario, source: string): Promise<Record<string, string>> {
  if (s.workload.kind !== "trace") return {};
  const { traceFiles } = await import("../../workloads/trace-workload.ts");
  const out: Record<string, string> = {};
  for (const f of traceFiles(s.workload.source, source)) out[f] = fileHash(f, "trace file");
  return out;
}

export async function planScenario(name: string, intervals: number | undefined): Promise<PlannedScenario> {
  const r = resolveScenario(name);
  if (r.view === "provider") {
    const { scenario, source } = loadProviderScenario(r.name);
    const config = scenario as unknown;
    return { name, view: "provider", config, source, inputs: {}, configHash: sha256(canonicalJson({ view: "provider", config })) };
  }
  const { scenario, source } = loadTenantScenario(r.name);
  const config: TenantScenario = intervals === undefined ? scenario : { ...scenario, intervals };
  const inputs = await traceInputs(config, source);
  return { name, view: "tenant", config, source, inputs, objective: config.objective, configHash: sha256(canonicalJson({ view: "tenant", config, inputs })) };
}

/**
 * Loads what the policies need and checks every name against every tenant scenario (an unknown
 * part, or a variant the scenario does not offer), so a typo fails before any run starts.
 */
async function checkPolicies(policies: string[], scenarios: PlannedScenario[]): Promise<void> {
  await ensurePolicies(...policies);
  for (const p of policies) {
    if (isPolicyFile(p) || isRegistered(p)) continue;
    for (const s of scenarios) {
      if (s.view !== "tenant") continue;
      const model = buildTwinModel(s.config as TenantScenario, s.source);
      createPolicy(p, { model, seed: 1, streams: new RandomStreams(1) });
    }
  }
}

/** The model file the learner policy of a matrix reads on a scenario: `options.model`, else the shipped one made for its fleet. */
export function learnerModelFile(options: Record<string, unknown> | undefined, scenario: PlannedScenario): string {
  const m = options?.model;
  if (m !== undefined && (typeof m !== "string" || m === "")) throw new UsageError(`--model: must be a file name, got ${JSON.stringify(m)}`);
  if (m !== undefined) return m;
  if (scenario.view !== "tenant") return DEFAULT_MODEL_FILE;
  return shippedModelFor(buildTwinModel(scenario.config as TenantScenario, scenario.source)) ?? DEFAULT_MODEL_FILE;
}

export function runKey(parts: Omit<RunSpec, "key" | "config" | "source" | "scenario" | "view">): string {
  return sha256(canonicalJson(parts)).slice(0, 32);
}

export async function makePlan(o: PlanOptions): Promise<Plan> {
  const version = o.version ?? VERSION;
  const dup = (xs: readonly (string | number)[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  const d = dup(o.scenarios) ?? dup(o.policies) ?? dup(o.seeds);
  if (d !== undefined) throw new UsageError(`"${d}" is listed twice`);
  const scenarios: PlannedScenario[] = [];
  for (const name of o.scenarios) scenarios.push(await planScenario(name, o.intervals));
  await checkPolicies(o.policies, scenarios);
  const policyHashes = new Map(o.policies.filter(isPolicyFile).map((p) => [p, fileHash(p, "policy file")]));
  const runs: RunSpec[] = [];
  for (const s of scenarios) {
    // the learner's model is part of its runs' key (each scenario may read another shipped model)
    const learnerHash = o.policies.includes("learner") ? fileHash(learnerModelFile(o.policyOptions, s), "learner model") : undefined;
    for (const policy of o.policies) {
      for (const seed of o.seeds) {
        const policyHash = policy === "learner" ? learnerHash : policyHashes.get(policy);
        const parts = { configHash: s.configHash, policy, policyHash, policyOptions: o.policyOptions, seed, version };
        runs.push({ key: runKey(parts), scenario: s.name, view: s.view, config: s.config, source: s.source, ...parts });
      }
    }
  }
  return { version, scenarios, policies: o.policies, seeds: o.seeds, intervals: o.intervals, policyOptions: o.policyOptions, runs };
}

/** Parses a seed list: "1..10", "1,2,7", "1..3,8", or one seed "4". */
export function parseSeeds(text: string, flag = "--seeds"): number[] {
  const out: number[] = [];
  for (const raw of text.split(",")) {
    const part = raw.trim();
    const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new UsageError(`${flag}: range "${part}" runs backwards (write ${b}..${a})`);
      if (b - a >= 100_000) throw new UsageError(`${flag}: range "${part}" has more than 100,000 seeds`);
      for (let s = a; s <= b; s++) out.push(s);
    } else if (/^\d+$/.test(part) && Number.isSafeInteger(Number(part))) {
      out.push(Number(part));
    } else {
      throw new UsageError(`${flag}: "${part}" is not a seed or a range like 1..10 (got "${text}")`);
    }
  }
  const dup = out.find((s, i) => out.indexOf(s) !== i);
  if (dup !== undefined) throw new UsageError(`${flag}: seed ${dup} is listed twice in "${text}"`);
  return out;
}
