import { TableArrivals } from "../../simulator/arrivals.ts";
import type { RandomStream } from "../../simulator/engine/random.ts";
import type { AzureLlmTrace } from "../traces/azure-llm.ts";

export interface TraceArrivalsOptions {
  /** which token count sizes a request; default "total" (context + generated) */
  tokens?: "context" | "generated" | "total";
  /**
   * size per token. Default: 1 / (mean tokens of the kept requests), so the mean request has size 1,
   * the application's nominal size.
   */
  sizePerToken?: number;
  /** arrival time = trace time x timeScale (0.5 replays twice as fast); default 1 */
  timeScale?: number;
  /** keep each request independently with this probability (needs `stream`); default 1 */
  sampleFraction?: number;
  /** application index, or weights to draw one per request (needs `stream`); default 0 */
  app?: number | { weights: number[] };
  /** deadline in seconds after arrival, or a [lo, hi] range drawn uniformly (needs `stream`) */
  deadlineS: number | [number, number];
  /** source of the random choices above; draws per request: keep?, then app, then deadline */
  stream?: RandomStream;
  /** added to every arrival time; default 0 */
  offsetS?: number;
}

function tokenCount(trace: AzureLlmTrace, i: number, which: "context" | "generated" | "total"): number {
  if (which === "context") return trace.contextTokens[i];
  if (which === "generated") return trace.generatedTokens[i];
  return trace.contextTokens[i] + trace.generatedTokens[i];
}

/** Replays the Azure LLM inference trace as requests: real arrival times, sizes from token counts. */
export function traceArrivals(trace: AzureLlmTrace, options: TraceArrivalsOptions): TableArrivals {
  const which = options.tokens ?? "total";
  const timeScale = options.timeScale ?? 1;
  const fraction = options.sampleFraction ?? 1;
  const app = options.app ?? 0;
  const deadline = options.deadlineS;
  const offset = options.offsetS ?? 0;
  if (!(timeScale > 0)) throw new Error(`traceArrivals: timeScale must be positive, got ${timeScale}`);
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`traceArrivals: sampleFraction must be in (0, 1], got ${fraction}`);
  if (options.sizePerToken !== undefined && !(options.sizePerToken > 0)) throw new Error(`traceArrivals: sizePerToken must be positive, got ${options.sizePerToken}`);
  const lo = typeof deadline === "number" ? deadline : deadline[0];
  const hi = typeof deadline === "number" ? deadline : deadline[1];
  if (!(lo > 0 && lo <= hi)) throw new Error(`traceArrivals: deadlineS must be positive (and lo <= hi), got ${JSON.stringify(deadline)}`);
  const weights = typeof app === "number" ? undefined : app.weights;
  if (typeof app === "number" && !(Number.isInteger(app) && app >= 0)) throw new Error(`traceArrivals: app must be a non-negative integer, got ${app}`);
  const stream = options.stream;
  if (!stream && (fraction < 1 || weights || lo !== hi)) {
    throw new Error("traceArrivals: sampling, app weights and deadline ranges need a RandomStream (options.stream)");
  }

  const kept: number[] = [];
  const apps: number[] = [];
  const deadlines: number[] = [];
  for (let i = 0; i < trace.times.length; i++) {
    if (fraction < 1 && stream!.next() >= fraction) continue;
    kept.push(i);
    apps.push(weights ? stream!.weighted(weights) : (app as number));
    deadlines.push(lo === hi ? lo : stream!.uniform(lo, hi));
  }
  let perToken = options.sizePerToken;
  if (perToken === undefined) {
    let total = 0;
    for (const i of kept) total += tokenCount(trace, i, which);
    perToken = total > 0 ? kept.length / total : 1;
  }
  const n = kept.length;
  const times = new Float64Array(n);
  const sizes = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = kept[k];
    times[k] = offset + trace.times[i] * timeScale;
    sizes[k] = tokenCount(trace, i, which) * perToken;
  }
  return new TableArrivals(times, Int32Array.from(apps), Float64Array.from(deadlines), sizes);
}
