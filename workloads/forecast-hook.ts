/**
 * Forecasts in the observation: a scenario's `forecast: { model, horizon }` names a forecaster
 * (a kind from `cotwin forecast`, or a directory saved by `cotwin forecast train`) that predicts
 * arrivals per interval for the next `horizon` intervals from the arrivals seen so far.
 *
 * A forecaster named by kind is fitted before the run on a warm-up history drawn from an
 * independent copy of the workload generator (another random stream: the run's own future is
 * never seen). A trace workload needs a saved model instead (trained on other data), because a
 * copy of a trace is the run's future.
 */
import { existsSync } from "node:fs";
import type { ArrivalSource, ArrivalSpec } from "../simulator/arrivals.ts";
import { RandomStreams } from "../simulator/engine/random.ts";
import { ScenarioError, type TenantScenario } from "../simulator/scenario.ts";
import type { TwinOptions } from "../simulator/twin.ts";

/** Intervals of synthetic history a forecaster named by kind is fitted on. */
export const WARMUP_INTERVALS = 500;

export async function prepareForecast(
  s: TenantScenario,
  arrivals: ArrivalSource,
  seed: number,
  where: string,
): Promise<TwinOptions["forecast"] | undefined> {
  if (!s.forecast) return undefined;
  const { model: name, horizon, params } = s.forecast;
  // Loaded on demand: the neural forecasters pull in TensorFlow.js.
  const { createForecaster, isForecasterKind, loadForecaster, FORECASTER_KINDS } = await import("./forecast/registry.ts");
  let forecaster;
  if (isForecasterKind(name)) {
    if (s.workload.kind === "trace") {
      throw new ScenarioError(`${where}: forecast.model: a trace workload needs a saved model directory (train one with \`cotwin forecast train\`), not the kind "${name}"`);
    }
    const history = warmupCounts(arrivals.reseed(new RandomStreams(seed).get("forecast-warmup")), s.intervalS, WARMUP_INTERVALS);
    try {
      forecaster = createForecaster(name, params);
      await forecaster.fit(history, { horizon });
    } catch (e) {
      throw new ScenarioError(`${where}: forecast: ${(e as Error).message}`);
    }
  } else if (existsSync(name)) {
    try {
      forecaster = await loadForecaster(name);
    } catch (e) {
      throw new ScenarioError(`${where}: forecast.model: ${(e as Error).message}`);
    }
  } else {
    throw new ScenarioError(`${where}: forecast.model: "${name}" is neither a forecaster (${FORECASTER_KINDS.join(", ")}) nor a saved model directory`);
  }
  const f = forecaster;
  const need = minHistory(f.params);
  // a model that cannot forecast a plain history (NaN weights, nonsense state) is refused before the run
  let probe: Float64Array;
  try {
    probe = f.predict(new Float64Array(Math.max(need, 2)).fill(1), horizon);
  } catch (e) {
    throw new ScenarioError(`${where}: forecast.model ${name}: ${(e as Error).message}`);
  }
  if (!probe.every(Number.isFinite)) throw new ScenarioError(`${where}: forecast.model ${name} forecasts non-finite values (NaN or Infinity): not a working model`);
  return (recent: Float64Array, interval: number) => {
    const seen = Math.min(interval, recent.length);
    if (seen < 2) return null;
    if (seen < need) return null;
    const out = f.predict(recent.subarray(recent.length - seen), horizon);
    for (let i = 0; i < out.length; i++) {
      // never silently replaced: a NaN forecast is a broken model, not "zero arrivals"
      if (!Number.isFinite(out[i])) throw new ScenarioError(`${where}: forecast.model ${name} forecast a non-finite value (${out[i]}) at interval ${interval}`);
      // arrivals cannot be negative
      if (out[i] < 0) out[i] = 0;
    }
    return out;
  };
}

/** Arrivals per interval over `n` intervals of a source. */
export function warmupCounts(src: ArrivalSource, intervalS: number, n: number): Float64Array {
  const counts = new Float64Array(n);
  const a: ArrivalSpec = { time: 0, app: 0, deadline: 0, size: 1 };
  while (src.next(a)) {
    const k = Math.floor(a.time / intervalS);
    if (k >= n) break;
    counts[k]++;
  }
  return counts;
}

/** History a forecaster needs before it can predict (lag window or season), in intervals. */
function minHistory(params: Readonly<Record<string, unknown>>): number {
  let n = 2;
  for (const k of ["window", "period", "season"]) {
    const v = params[k];
    if (typeof v === "number") n = Math.max(n, v);
  }
  return n;
}
