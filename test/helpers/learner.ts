/** Shared pieces of the learner's tests: the small test fleet, expert episodes, random-weight models. */
import path from "node:path";
import type { LabelledState } from "../../oracle/labels.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import type { TenantScenario } from "../../simulator/scenario.ts";
import { expertFactory } from "../../learner/data/experts.ts";
import { runEpisode } from "../../learner/data/rollout.ts";
import type { ModelSizes } from "../../learner/encoding/layout.ts";
import { initWeights, isChunked, paramSpecs, type Architecture, type Weights } from "../../learner/model/architecture.ts";
import { ChunkHead } from "../../learner/decode/step.ts";
import { exportOnnx } from "../../learner/model/onnx-export.ts";
import { OnnxSession } from "../../learner/onnx/runtime.ts";
import { tokenInputs } from "../../learner/model-file.ts";
import { LearnerPolicy, onnxScorer, type PriorFn } from "../../learner/policy.ts";
import { repoRoot } from "./data.ts";

export const FLEET_FILE = path.join(repoRoot, "test", "fixtures", "learner-fleet.yaml");

/** The test fleet (6 identical hosts, one application), optionally with another host count. */
export function fleet(hosts?: number): TenantScenario {
  const { scenario } = loadTenantScenario(FLEET_FILE);
  if (hosts === undefined) return scenario;
  return { ...scenario, hosts: [{ ...scenario.hosts[0], count: hosts }], workload: { ...scenario.workload, ratePerInterval: 2 * hosts } as TenantScenario["workload"] };
}

export const SMALL_SIZES: ModelSizes = { hosts: 8, requests: 8, apps: 2, fragments: 2 };
/** a small attention network decoded by chunk (layout 5, the default), and the same decoded pass by pass (layout 4) */
export const TINY_ATTENTION: Architecture = { kind: "attention", dModel: 16, heads: 2, layers: 1, ffn: 32, decode: "chunk" };
export const TINY_PASS_ATTENTION: Architecture = { kind: "attention", dModel: 16, heads: 2, layers: 1, ffn: 32 };

/** Episodes of `intervals` intervals labelled (and decided) by a baseline policy, one per seed. */
export async function expertEpisodes(scenario: TenantScenario, expert: string, seeds: number[], intervals: number, prefix = "seed"): Promise<LabelledState[]> {
  const out: LabelledState[] = [];
  for (const seed of seeds) {
    const r = await runEpisode({ scenario, source: "learner-fleet.yaml", seed, intervals, episode: `${prefix}${seed}`, expert: expertFactory(expert) });
    out.push(...r.states);
  }
  return out;
}

/** A learner policy (and its session) on given weights, reading `prior` if given. */
export function policyOn(arch: Architecture, sizes: ModelSizes, weights: Weights): { policy: (prior?: PriorFn | null) => LearnerPolicy; session: OnnxSession } {
  const session = new OnnxSession(exportOnnx(arch, sizes, weights));
  const chunked = isChunked(arch);
  const head = chunked && arch.kind === "attention" ? new ChunkHead(weights, arch.dModel) : null;
  const model = { sizes, scorer: onnxScorer(session, sizes, tokenInputs(session), chunked), head };
  return { policy: (prior: PriorFn | null = null) => new LearnerPolicy(model, undefined, undefined, "argmax", prior), session };
}

/** Random (seeded) initial weights of an architecture. */
export function randomWeights(arch: Architecture, sizes: ModelSizes, seed = 1): Weights {
  return initWeights(paramSpecs(arch, sizes), seed);
}
