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
import { BurstyArrivals, mmppLongRunRate } from "./generators/bursty.ts";
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

/**
 * What the scenario's workload model expects: the mean number of arrivals in each of the
 * `intervals` intervals that begin at `fromS` - the rate of a Poisson workload, the integral of a
 * diurnal one's rate over each interval, the long-run rate of a bursty one (its hidden state is
 * not observed). Null for a trace, which has no model (a forecaster stands in for it). The same
 * knowledge the oracle's look-ahead draws its futures from; a prior, not the run's future.
 */
export function expectedArrivals(s: TenantScenario, fromS: number, intervals: number): Float64Array | null {
  const w = s.workload;
  const I = s.intervalS;
  const out = new Float64Array(intervals);
  switch (w.kind) {
    case "poisson":
      out.fill(w.ratePerInterval);
      return out;
    case "diurnal": {
      // integral of mean x (1 + a cos(2 pi (t - peak) / P)) over [t0, t0 + I]
      const mean = w.ratePerInterval / I;
      const k = (2 * Math.PI) / w.periodS;
      for (let i = 0; i < intervals; i++) {
        const t0 = fromS + i * I;
        out[i] = mean * (I + (w.amplitude / k) * (Math.sin(k * (t0 + I - w.peakAtS)) - Math.sin(k * (t0 - w.peakAtS))));
      }
      return out;
    }
    case "bursty":
      out.fill(mmppLongRunRate(w.ratesPerInterval, w.meanDwellS));
      return out;
    case "trace":
      return null;
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
