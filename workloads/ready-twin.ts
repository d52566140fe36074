/**
 * A scenario and a seed turned into a ready twin: the compiled model, the arrival source (a
 * generator, or a trace read beforehand), the fitted forecaster and the objective. The runner,
 * the oracle's workers and data set, the learner's DAgger rounds and the online loop all build
 * their twins here, so they see the same run for the same scenario and seed.
 */
import type { ArrivalSource } from "../simulator/arrivals.ts";
import { RandomStreams } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import type { Objective } from "../simulator/objective.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import { buildTwinModel, scenarioObjective } from "../simulator/scenarios.ts";
import { Twin, type TwinOptions } from "../simulator/twin.ts";
import { prepareForecast } from "./forecast-hook.ts";
import { buildArrivals, loadArrivals } from "./scenario-workload.ts";

export interface TwinInputs {
  scenario: TenantScenario;
  /** where the scenario came from, for error messages */
  source: string;
  seed: number;
  /** keep per-request records and response times (default true; the benchmark times the loop without them) */
  record?: boolean;
  /** arrivals read beforehand (trace replay); default: the scenario's generator */
  arrivals?: ArrivalSource;
  /** the scenario's forecaster, prepared beforehand (see forecast-hook.ts) */
  forecast?: TwinOptions["forecast"];
}

export interface ReadyTwin {
  model: TwinModel;
  twin: Twin;
  objective: Objective;
  streams: RandomStreams;
}

/** Builds the model, the twin and the objective of a run whose inputs are ready (see prepareInputs). */
export function buildReadyTwin(o: TwinInputs): ReadyTwin {
  const objective = scenarioObjective(o.scenario, o.source);
  const model = buildTwinModel(o.scenario, o.source);
  const streams = new RandomStreams(o.seed);
  // A given source is cloned: sources are stateful cursors, and one may serve several runs.
  const arrivals = o.arrivals ? o.arrivals.clone() : buildArrivals(o.scenario, model, streams, o.source);
  if (o.scenario.forecast && !o.forecast) {
    throw new Error(`${o.source}: the scenario names a forecaster: prepare the run's inputs first (prepareInputs), which fits it`);
  }
  const twin = new Twin(model, arrivals, o.seed, { record: o.record ?? true, forecast: o.forecast });
  return { model, twin, objective, streams };
}

/** Reads a trace and fits the scenario's forecaster, when the scenario has them. */
export async function prepareInputs<T extends TwinInputs>(o: T): Promise<T> {
  let arrivals = o.arrivals;
  if (!arrivals && o.scenario.workload.kind === "trace") {
    const model = buildTwinModel(o.scenario, o.source);
    arrivals = await loadArrivals(o.scenario, model, new RandomStreams(o.seed), o.source);
  }
  let forecast = o.forecast;
  if (!forecast && o.scenario.forecast) {
    const model = buildTwinModel(o.scenario, o.source);
    const src = arrivals ?? buildArrivals(o.scenario, model, new RandomStreams(o.seed), o.source);
    forecast = await prepareForecast(o.scenario, src, o.seed, o.source);
  }
  return { ...o, arrivals, forecast };
}

/** prepareInputs, then buildReadyTwin. */
export async function readyTwin(o: TwinInputs): Promise<ReadyTwin> {
  return buildReadyTwin(await prepareInputs(o));
}
