/**
 * Experts the learner imitates (the oracle/labels.ts contract): a baseline policy (a simple,
 * deterministic expert that proves the pipeline learns), and the oracle.
 *
 * The oracle adapter uses only the OraclePolicy's public search: it labels the state of the twin
 * it is given (forking it, never changing it) with the best decision found and the runner-up,
 * with their look-ahead scores, so training can weigh near-ties. The oracle's own data set and
 * query may replace it (see learner/README.md).
 */
import type { Expert, LabelledState, ScoredDecision } from "../../oracle/labels.ts";
import { SearchSpace } from "../../oracle/candidate.ts";
import { createOracle } from "../../oracle/policy.ts";
import type { OracleSettings } from "../../oracle/settings.ts";
import { createPolicy, type PolicyContext } from "../../simulator/policies/registry.ts";
import type { Twin } from "../../simulator/twin.ts";
import type { Decision, Observation, Policy } from "../../simulator/types.ts";

/** A policy as an expert: its decision is the label, with no alternatives (hard targets). */
export class PolicyExpert implements Expert {
  readonly name: string;
  constructor(private readonly policy: Policy) {
    this.name = policy.name;
  }
  label(_twin: Twin, obs: Observation, episode: string, step: number): LabelledState {
    return { episode, step, observation: obs, decision: this.policy.decide(obs), alternatives: [] };
  }
}

/** The oracle as an expert: its best and runner-up candidates at the given state, scored by look-ahead. */
export class OracleExpert implements Expert {
  readonly name = "oracle";
  private current: Twin | null = null;
  private readonly oracle;

  constructor(
    private readonly ctx: PolicyContext,
    settings: Partial<OracleSettings>,
  ) {
    this.oracle = createOracle(ctx, () => {
      if (!this.current) throw new Error("oracle expert: no twin to label");
      return this.current;
    }, { ...settings, workers: 0 });
  }

  label(twin: Twin, obs: Observation, episode: string, step: number): LabelledState {
    const space = new SearchSpace(obs, this.ctx.model);
    if (space.changeable.length === 0 && space.requests.length === 0) return { episode, step, observation: obs, decision: {}, alternatives: [] };
    this.current = twin;
    try {
      // the salt names the state, so the same state is labelled the same way in every round
      const ctx = this.oracle.search(space, obs, twin, `${this.ctx.seed}:${episode}:${step}`);
      const alternatives: ScoredDecision[] = [];
      if (ctx.best) alternatives.push({ decision: space.toDecision(ctx.best.candidate), score: ctx.best.score });
      if (ctx.runnerUp) alternatives.push({ decision: space.toDecision(ctx.runnerUp.candidate), score: ctx.runnerUp.score });
      const decision: Decision = alternatives[0]?.decision ?? {};
      return { episode, step, observation: obs, decision, alternatives };
    } finally {
      this.current = null;
    }
  }
}

/** How to make the expert of an episode, given that episode's policy context. */
export type ExpertFactory = (ctx: PolicyContext) => Expert;

/**
 * "oracle" (with the given settings) or a baseline policy name, e.g. compressed+least-loaded.
 * Throws the registry's PolicyError for an unknown name.
 */
export function expertFactory(name: string, oracleSettings: Partial<OracleSettings> = {}): ExpertFactory {
  if (name === "oracle") return (ctx) => new OracleExpert(ctx, oracleSettings);
  return (ctx) => new PolicyExpert(createPolicy(name, ctx));
}

/** Reproducible oracle settings for labelling: an evaluation budget only (no wall clock). */
export const LABELLING_ORACLE: Partial<OracleSettings> = { budgetMs: null, budgetEvals: 4000, patience: 600 };
