/**
 * A scenario's workload as the twin's arrival source: the synthetic generators, or a trace read
 * before the run (trace-workload.ts).
 */
import type { ArrivalSource } from "../simulator/arrivals.ts";
import { TableArrivals } from "../simulator/arrivals.ts";
import type { RandomStreams } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import { ScenarioError, type TenantScenario } from "../simulator/scenario.ts";
import { PoissonArrivals } from "./generators/poisson.ts";
import { DiurnalArrivals } from "./generators/diurnal.ts";
import { BurstyArrivals } from "./generators/bursty.ts";
import type { RequestMarks } from "./generators/marks.ts";

/**
 * The arrival source of a scenario. Generators draw from the "arrivals" stream of the run's
 * streams. Arrivals are not cut at the run's end: look-ahead forks may run past it.
 */
export function buildArrivals(s: TenantScenario, model: TwinModel, streams: RandomStreams, where: string): ArrivalSource {
  const w = s.workload;
  const I = s.intervalS;
  const deadlineS: [number, number] = w.deadline.seconds
    ? [w.deadline.seconds[0], w.deadline.seconds[1]]
    : w.deadline.intervals
      ? [w.deadline.intervals[0] * I, w.deadline.intervals[1] * I]
      : [5 * I, 7 * I];
  const size: RequestMarks["size"] =
    w.size.dist === "constant"
      ? { kind: "constant", value: w.size.value }
      : w.size.dist === "exponential"
        ? { kind: "exponential", mean: w.size.mean }
        : { kind: "lognormal", mean: w.size.mean, cv: w.size.cv };
  const marks: RequestMarks = {
    appWeights: w.appWeights ?? new Array(model.apps.length).fill(1),
    deadlineS,
    size,
  };
  const rng = streams.get("arrivals");
  switch (w.kind) {
    case "poisson":
      if (w.ratePerInterval === 0) return emptyArrivals();
      return new PoissonArrivals({ ratePerS: w.ratePerInterval / I, marks }, rng);
    case "diurnal":
      if (w.ratePerInterval === 0) return emptyArrivals();
      return new DiurnalArrivals({ meanRatePerS: w.ratePerInterval / I, amplitude: w.amplitude, periodS: w.periodS, peakS: w.peakAtS, marks }, rng);
    case "bursty":
      return new BurstyArrivals({ ratesPerS: [w.ratesPerInterval[0] / I, w.ratesPerInterval[1] / I], meanSojournS: w.meanDwellS, marks }, rng);
    case "trace":
      throw new ScenarioError(`${where}: workload.kind: a trace is read before the run (loadArrivals)`);
  }
}

function emptyArrivals(): TableArrivals {
  return new TableArrivals(new Float64Array(0), new Int32Array(0), new Float64Array(0), new Float64Array(0));
}

/** The arrival source of a scenario, reading trace files first when the workload is a trace. */
export async function loadArrivals(s: TenantScenario, model: TwinModel, streams: RandomStreams, where: string): Promise<ArrivalSource> {
  if (s.workload.kind !== "trace") return buildArrivals(s, model, streams, where);
  const { loadTraceArrivals } = await import("./trace-workload.ts");
  return loadTraceArrivals(s, model, streams, where);
}
