/**
 * Experts the learner imitates (the oracle/labels.ts contract): a baseline policy (a simple,
 * deterministic expert that proves the pipeline learns), and the oracle's own OracleExpert
 * (oracle/policy.ts: it labels any state of the twin it is given with its decision and the best
 * alternatives it scored, forking the twin, never changing it).
 */
import type { Expert, LabelledState } from "../../oracle/labels.ts";
import { createOracle, OracleExpert } from "../../oracle/policy.ts";
import type { OracleSettings } from "../../oracle/settings.ts";
import { createPolicy, type PolicyContext } from "../../simulator/policies/registry.ts";
import type { Twin } from "../../simulator/twin.ts";
import type { Observation, Policy } from "../../simulator/types.ts";

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

/** How to make the expert of an episode, given that episode's policy context. */
export type ExpertFactory = (ctx: PolicyContext) => Expert;

/**
 * "oracle" (with the given settings) or a baseline policy name, e.g. compressed+least-loaded.
 * Throws the registry's PolicyError for an unknown name.
 */
export function expertFactory(name: string, oracleSettings: Partial<OracleSettings> = {}): ExpertFactory {
  if (name === "oracle") {
    // the oracle's own expert (oracle/policy.ts): it labels the twin it is given, so its twin
    // provider (for decide(), which labelling does not call) is never asked
    const noProvider = (): never => {
      throw new Error("oracle expert: labels the twin passed to label()");
    };
    return (ctx) => new OracleExpert(() => createOracle(ctx, noProvider, { ...oracleSettings, workers: 0 }));
  }
  return (ctx) => new PolicyExpert(createPolicy(name, ctx));
}

/** Oracle settings for labelling: its defaults, which are reproducible (an evaluation budget, no wall clock). */
export const LABELLING_ORACLE: Partial<OracleSettings> = { budgetMs: null };
