/**
 * Labelled states made by running the twin: one episode per seed, stepped from decision point to
 * decision point exactly as the runner does (oracle/replay.ts), the expert labelling every state
 * and either the expert (behaviour cloning) or another policy (a DAgger round: the learner) choosing
 * what is applied. The twin never rejects a learner decision (the masks see to it): a rejection of
 * the acting policy's decision is an error here, not a statistic.
 *
 * With `drain`, an episode ends as a run does (simulator/drain.ts): arrivals stop after its
 * intervals and the states of the drain are labelled too, until every request has ended or the
 * drain limit is reached, so a learner is taught what to do when work runs out (shed the hosts
 * that have nothing left to do) - the runner scores every run's drain.
 */
import type { Expert, LabelledState } from "../../oracle/labels.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import type { PolicyContext } from "../../simulator/policies/registry.ts";
import type { TenantScenario } from "../../simulator/scenario.ts";
import type { Policy } from "../../simulator/types.ts";
import { WorkTracker } from "../../simulator/policies/work-tracker.ts";
import { buildReadyTwin, prepareInputs } from "../../workloads/ready-twin.ts";
import { sameDecision } from "../decode/compare.ts";
import type { ExpertFactory } from "./experts.ts";
import { expectedArrivals } from "../../workloads/scenario-workload.ts";
import { FORECAST_STEPS } from "../encoding/layout.ts";
import { drainLimit } from "../../simulator/drain.ts";

export interface EpisodeOptions {
  scenario: TenantScenario;
  source: string;
  seed: number;
  /** intervals to run */
  intervals: number;
  /** then drain as a run does, labelling the drain's states (default false) */
  drain?: boolean;
  /** episode name recorded in the states */
  episode: string;
  expert: ExpertFactory;
  /** the policy whose decisions are applied (default: the expert's own) */
  actor?: (ctx: PolicyContext) => Policy;
  /** a twin rejection of the actor's decision is an error (the learner); false: counted (a baseline) */
  strictActor?: boolean;
  /** called after each decision point */
  onStep?: () => void;
}

export interface EpisodeResult {
  states: LabelledState[];
  /** drain intervals run after `intervals` (0 without `drain`) */
  drainIntervals: number;
  /** decision points where the applied decision differed from the expert's label */
  disagreements: number;
  /** parts of expert decisions the twin rejected (expert-driven episodes; a learner's never are) */
  expertRejections: number;
}

export async function runEpisode(o: EpisodeOptions): Promise<EpisodeResult> {
  const ready = buildReadyTwin(await prepareInputs({ scenario: o.scenario, source: o.source, seed: o.seed, record: false }));
  const ctx: PolicyContext = { model: ready.model, seed: o.seed, streams: ready.streams, options: { scenario: o.scenario, source: o.source } };
  const expert: Expert = o.expert(ctx);
  const actor = o.actor?.(ctx) ?? null;
  const stepper = new TwinStepper(ready.twin);
  const states: LabelledState[] = [];
  let intervals = 0;
  let disagreements = 0;
  let expertRejections = 0;
  // the acting policy's account of the hosts' work, as a deployed learner keeps it (an input)
  const work = new WorkTracker();
  const step = (): boolean => {
    const obs = stepper.observe();
    work.observe(obs);
    const label = expert.label(ready.twin, obs, o.episode, states.length);
    label.workMI = Array.from(work.remainingMI);
    const expected = expectedArrivals(o.scenario, obs.time, FORECAST_STEPS);
    if (expected) label.prior = Array.from(expected);
    states.push(label);
    const decision = actor ? actor.decide(obs) : label.decision;
    if (actor && !sameDecision(decision, label.decision)) disagreements++;
    if (actor) expert.applied?.(obs, decision, o.episode);
    work.redo(obs, decision);
    const { rejections, intervalClosed } = stepper.apply(decision);
    if (rejections.length > 0 && actor && o.strictActor !== false) {
      throw new Error(`${o.episode}: the twin rejected the ${actor.name} decision at step ${states.length - 1}: ${rejections.map((r) => r.reason).join("; ")}`);
    }
    expertRejections += rejections.length;
    o.onStep?.();
    return intervalClosed;
  };
  while (intervals < o.intervals) if (step()) intervals++;
  let drained = 0;
  if (o.drain) {
    const limit = drainLimit(o.scenario, ready.model);
    ready.twin.closeArrivals();
    // checked at interval starts only, as the runner does
    while (ready.twin.inFlight > 0 && drained < limit) {
      while (!step());
      drained++;
    }
  }
  (expert as { endEpisode?: (e: string) => void }).endEpisode?.(o.episode);
  return { states, drainIntervals: drained, disagreements, expertRejections };
}
