/**
 * What an expert (the oracle) tells the learner about one decision point: the state as a deployed
 * policy observes it, the expert's decision, and the best few alternatives it scored, so training
 * can use soft targets and ignore near-ties. The learner's data sets and its DAgger rounds both
 * speak this type.
 */
import type { Twin } from "../simulator/twin.ts";
import type { Decision, Observation } from "../simulator/types.ts";

export interface ScoredDecision {
  decision: Decision;
  /** look-ahead objective, lower is better */
  score: number;
}

export interface LabelledState {
  /** the episode it came from (train/validation splits are by episode) */
  episode: string;
  /** decision point index within the episode */
  step: number;
  observation: Observation;
  /** the expert's decision (the best it found) */
  decision: Decision;
  /** the best distinct candidates scored, best first (the decision itself first); may be empty */
  alternatives: ScoredDecision[];
  /**
   * the acting policy's account of the work each host holds at this state, MI
   * (simulator/policies/work-tracker.ts, kept over the decisions applied before it); absent: none
   */
  workMI?: number[];
  /**
   * the scenario workload model's expected arrivals in the next intervals at this state
   * (workloads/scenario-workload.ts expectedArrivals), a learner input; absent: none (a trace)
   */
  prior?: number[];
}

/** Labels any observed state of a twin (the oracle's query, used by DAgger rounds). */
export interface Expert {
  readonly name: string;
  /** labels the state `twin` is in (observed as `obs`); must not change `twin` */
  label(twin: Twin, obs: Observation, episode: string, step: number): LabelledState;
  /** told the decision applied at `obs` when another policy acts (the expert's own state follows it) */
  applied?(obs: Observation, decision: Decision, episode: string): void;
}
