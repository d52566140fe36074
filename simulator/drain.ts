/**
 * The end of a run (src/runner.ts, and the learner's training episodes, learner/data/rollout.ts):
 * arrivals stop after the last interval and the run goes on under the same policy until every
 * request has ended, at most `drainLimit` intervals; what is still in flight then counts as
 * unfinished, a violation.
 */
import type { TwinModel } from "./model.ts";
import type { TenantScenario } from "./scenario.ts";

/**
 * The drain limit when the scenario sets none: long enough for a request pending at the end to
 * be served after a host boots, or to expire, and for running work to finish (60 intervals more).
 */
export function autoDrainIntervals(model: TwinModel): number {
  let boot = 0;
  for (let h = 0; h < model.hostCount; h++) boot = Math.max(boot, model.bootS[h]);
  return Math.ceil(model.maxPendingS / model.intervalS) + Math.ceil(boot / model.intervalS) + 60;
}

/** The drain limit of a run: the scenario's `drainIntervals`, else autoDrainIntervals. */
export function drainLimit(scenario: Pick<TenantScenario, "drainIntervals">, model: TwinModel): number {
  return scenario.drainIntervals ?? autoDrainIntervals(model);
}
