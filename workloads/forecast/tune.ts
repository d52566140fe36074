import seedrandom from "seedrandom";
import { z } from "zod";
import { rollingOrigin } from "../eval/rolling.ts";
import { observedOrigins, validationEnd } from "../eval/split.ts";
import { createForecaster } from "./registry.ts";
import { formatTable } from "./table.ts";
import type { SeriesSet } from "./types.ts";

/**
 * Hyper-parameter search: random search, Hyperband (successive halving over epoch budgets), and
 * BOHB (Hyperband whose new configurations come from a TPE-like model: the ratio of a kernel
 * density over the good configurations to one over the bad ones, at the largest budget with
 * enough results). Seeded; the budget is counted in trials (evaluations) and epochs.
 */
export type ParamSpec =
  | { type: "float"; min: number; max: number; log?: boolean }
  | { type: "int"; min: number; max: number; log?: boolean }
  | { type: "choice"; values: readonly unknown[] };
export type SearchSpace = Record<string, ParamSpec>;
export type Config = Record<string, unknown>;
export type TuneMethod = "random" | "hyperband" | "bohb";

export interface Trial {
  id: number;
  config: Config;
  /** epochs given to this evaluation */
  budget: number;
  score: number;
  ms: number;
  /** Hyperband bracket (s) and rung (i), absent for random search */
  bracket?: number;
  rung?: number;
  /** how the configuration was proposed */
  sampler: "random" | "model";
  /** why the trial could not be scored */
  error?: string;
}

export interface TuneOptions {
  space: SearchSpace;
  /** lower is better; must train with `budget` epochs (iterative models) */
  objective: (config: Config, budget: number) => Promise<number>;
  method: TuneMethod;
  /** evaluations in total */
  maxTrials: number;
  /** epochs of the largest rung (and of every random-search trial) */
  maxBudget: number;
  minBudget?: number;
  eta?: number;
  seed?: number;
  /** BOHB: share of configurations still drawn at random */
  randomFraction?: number;
  onTrial?: (t: Trial) => void;
}

export interface TuneResult {
  method: TuneMethod;
  trials: Trial[];
  best: Trial;
  epochsUsed: number;
}

type Rng = () => number;

function encode(space: SearchSpace, c: Config): number[] {
  return Object.entries(space).map(([k, s]) => {
    const v = c[k];
    if (s.type === "choice") return s.values.findIndex((x) => JSON.stringify(x) === JSON.stringify(v));
    const x = Number(v);
    const [lo, hi] = numericRange(s);
    return s.log ? Math.log(x / lo) / Math.log(hi / lo) : (x - lo) / (hi - lo);
  });
}

/**
 * The continuous range a dimension is searched in. An integer dimension gets every value an
 * equal-width bin (min - 0.5 .. max + 0.5) so its bounds are drawn as often as inner values.
 */
function numericRange(s: Exclude<ParamSpec, { type: "choice" }>): [number, number] {
  if (s.type === "float") return [s.min, s.max];
  const lo = s.log ? Math.max(s.min - 0.5, s.min / 2) : s.min - 0.5;
  return [lo, s.max + 0.5];
}

function decodeDim(s: ParamSpec, u: number): unknown {
  if (s.type === "choice") return s.values[Math.min(s.values.length - 1, Math.max(0, Math.round(u)))];
  const c = Math.min(1, Math.max(0, u));
  const [lo, hi] = numericRange(s);
  const x = s.log ? lo * Math.pow(hi / lo, c) : lo + c * (hi - lo);
  return s.type === "int" ? Math.min(s.max, Math.max(s.min, Math.round(x))) : Math.min(s.max, Math.max(s.min, x));
}

function decode(space: SearchSpace, u: number[]): Config {
  const out: Config = {};
  Object.entries(space).forEach(([k, s], i) => (out[k] = decodeDim(s, u[i])));
  return out;
}

export function sampleRandom(space: SearchSpace, rng: Rng): Config {
  return decode(
    space,
    Object.values(space).map((s) => (s.type === "choice" ? Math.floor(rng() * s.values.length) : rng())),
  );
}

/** Product of per-dimension kernel densities (Gaussian on [0,1] for numbers, smoothed counts for choices). */
class Kde {
  private readonly bw: number[];
  constructor(
    private readonly space: SearchSpace,
    private readonly points: number[][],
  ) {
    const specs = Object.values(space);
    this.bw = specs.map((s, d) => {
      if (s.type === "choice") return 0;
      const xs = points.map((p) => p[d]);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
      // Scott's rule, with a floor so identical points still give a usable density
      return Math.max(0.05, sd * Math.pow(xs.length, -1 / 5));
    });
  }
  logDensity(u: number[]): number {
    const specs = Object.values(this.space);
    let lp = 0;
    specs.forEach((s, d) => {
      if (s.type === "choice") {
        const same = this.points.filter((p) => p[d] === u[d]).length;
        lp += Math.log((same + 1) / (this.points.length + s.values.length));
      } else {
        let dens = 0;
        for (const p of this.points) dens += Math.exp(-0.5 * ((u[d] - p[d]) / this.bw[d]) ** 2) / this.bw[d];
        lp += Math.log(dens / this.points.length + 1e-12);
      }
    });
    return lp;
  }
  /** a point near one of the good configurations, perturbed by a widened bandwidth */
  sample(rng: Rng, widen = 3): number[] {
    const specs = Object.values(this.space);
    const base = this.points[Math.floor(rng() * this.points.length)];
    return specs.map((s, d) => {
      if (s.type === "choice") return rng() < 0.8 ? base[d] : Math.floor(rng() * s.values.length);
      // a truncated normal around the good point: redraw outside [0, 1] rather than clamp, so
      // proposals do not pile up at the bounds (Box-Muller from the seeded stream)
      for (let tries = 0; tries < 32; tries++) {
        const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
        const u = base[d] + z * this.bw[d] * widen;
        if (u >= 0 && u <= 1) return u;
      }
      return base[d];
    });
  }
}

/**
 * BOHB's proposal: at the largest budget with at least d+2 results, split them into good (best
 * 15 %, at least 2) and bad, and return the candidate (of 64 drawn around good points) with the
 * highest l(x)/g(x). Null when no budget has enough results yet.
 */
export function proposeTpe(space: SearchSpace, trials: Trial[], rng: Rng, candidates = 64, seen?: Set<string>): Config | null {
  const d = Object.keys(space).length;
  const byBudget = new Map<number, Trial[]>();
  for (const t of trials) if (Number.isFinite(t.score)) byBudget.set(t.budget, [...(byBudget.get(t.budget) ?? []), t]);
  const budgets = [...byBudget.keys()].sort((a, b) => b - a);
  const usable = budgets.find((b) => (byBudget.get(b)?.length ?? 0) >= d + 2);
  if (usable === undefined) return null;
  const obs = [...byBudget.get(usable)!].sort((a, b) => a.score - b.score);
  const nGood = Math.max(2, Math.ceil(0.15 * obs.length));
  if (obs.length - nGood < 2) return null;
  const good = new Kde(space, obs.slice(0, nGood).map((t) => encode(space, t.config)));
  const bad = new Kde(space, obs.slice(nGood).map((t) => encode(space, t.config)));
  let best: number[] | null = null;
  let bestRatio = -Infinity;
  for (let i = 0; i < candidates; i++) {
    const u = good.sample(rng);
    if (seen?.has(configKey(decode(space, u)))) continue;
    const r = good.logDensity(u) - bad.logDensity(u);
    if (r > bestRatio) {
      bestRatio = r;
      best = u;
    }
  }
  return best ? decode(space, best) : null;
}

/** Identity of a configuration (for refusing duplicate proposals). */
export function configKey(c: Config): string {
  return JSON.stringify(Object.keys(c).sort().map((k) => [k, c[k]]));
}

/** How many distinct configurations a space holds (Infinity with a float dimension). */
export function spaceSize(space: SearchSpace): number {
  let n = 1;
  for (const s of Object.values(space)) n *= s.type === "choice" ? s.values.length : s.type === "int" ? s.max - s.min + 1 : Infinity;
  return n;
}

/** Hyperband's brackets for budgets in [minBudget, maxBudget]: (n configs, r epochs) per bracket. */
export function hyperbandBrackets(maxBudget: number, minBudget: number, eta: number): { s: number; n: number; r: number }[] {
  const sMax = Math.floor(Math.log(maxBudget / minBudget) / Math.log(eta) + 1e-9);
  const out: { s: number; n: number; r: number }[] = [];
  for (let s = sMax; s >= 0; s--) {
    out.push({ s, n: Math.ceil(((sMax + 1) / (s + 1)) * Math.pow(eta, s)), r: maxBudget * Math.pow(eta, -s) });
  }
  return out;
}

export async function tune(o: TuneOptions): Promise<TuneResult> {
  const rng = seedrandom.alea(`${o.seed ?? 42}:tune:${o.method}`);
  const eta = o.eta ?? 3;
  const minBudget = Math.max(1, o.minBudget ?? 1);
  const trials: Trial[] = [];
  let epochsUsed = 0;
  const evaluate = async (config: Config, budget: number, sampler: Trial["sampler"], bracket?: number, rung?: number): Promise<Trial> => {
    const t0 = performance.now();
    let score: number;
    let error: string | undefined;
    try {
      score = await o.objective(config, budget);
    } catch (e) {
      // a configuration that cannot be trained (e.g. window longer than the data) loses
      score = Infinity;
      error = (e as Error).message;
    }
    if (!Number.isFinite(score)) {
      score = Infinity;
      error ??= "the score is not a finite number";
    }
    const t: Trial = { id: trials.length + 1, config, budget, score, ms: performance.now() - t0, sampler, ...(bracket !== undefined ? { bracket, rung } : {}), ...(error ? { error } : {}) };
    trials.push(t);
    epochsUsed += budget;
    o.onTrial?.(t);
    return t;
  };
  // every new configuration differs from those proposed before, while the space has new ones
  const seen = new Set<string>();
  const finite = spaceSize(o.space);
  const propose = (): { config: Config; sampler: Trial["sampler"] } => {
    const fresh = seen.size < finite;
    let pick: { config: Config; sampler: Trial["sampler"] } | null = null;
    if (o.method === "bohb" && rng() >= (o.randomFraction ?? 1 / 3)) {
      const c = proposeTpe(o.space, trials, rng, 64, fresh ? seen : undefined);
      if (c) pick = { config: c, sampler: "model" };
    }
    for (let tries = 0; !pick && tries < 200; tries++) {
      const c = sampleRandom(o.space, rng);
      if (!fresh || !seen.has(configKey(c))) pick = { config: c, sampler: "random" };
    }
    pick ??= { config: sampleRandom(o.space, rng), sampler: "random" };
    seen.add(configKey(pick.config));
    return pick;
  };

  if (o.method === "random") {
    while (trials.length < o.maxTrials) await evaluate(propose().config, o.maxBudget, "random");
  } else {
    outer: while (trials.length < o.maxTrials) {
      for (const { s, n, r } of hyperbandBrackets(o.maxBudget, minBudget, eta)) {
        let configs = Array.from({ length: n }, () => propose());
        for (let i = 0; i <= s && configs.length > 0; i++) {
          const budget = Math.max(1, Math.round(r * Math.pow(eta, i)));
          const scored: { c: (typeof configs)[number]; t: Trial }[] = [];
          for (const c of configs) {
            if (trials.length >= o.maxTrials) break outer;
            scored.push({ c, t: await evaluate(c.config, budget, c.sampler, s, i) });
          }
          scored.sort((a, b) => a.t.score - b.t.score);
          configs = scored.slice(0, Math.floor(configs.length / eta)).map((x) => x.c);
        }
      }
    }
  }
  if (trials.length === 0) throw new Error("tune: --trials must be at least 1");
  if (!trials.some((t) => Number.isFinite(t.score))) throw new Error(`tune: every one of the ${trials.length} trials failed (first: ${trials[0].error})`);
  // the best result at the largest budget it reached (a low score on a tiny budget is not comparable)
  const top = Math.max(...trials.filter((t) => Number.isFinite(t.score)).map((t) => t.budget), 0);
  const pool = trials.filter((t) => t.budget === top && Number.isFinite(t.score));
  const best = (pool.length ? pool : trials).reduce((a, b) => (b.score < a.score ? b : a));
  return { method: o.method, trials, best, epochsUsed };
}

/** Rows for printing: one per trial. */
export function trialTable(r: TuneResult): string {
  const keys = [...new Set(r.trials.flatMap((t) => Object.keys(t.config)))];
  const show = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : JSON.stringify(v));
  return formatTable(
    ["trial", "bracket", "rung", "epochs", "sampler", ...keys, "score", "ms"],
    r.trials.map((t) => [t.id, t.bracket ?? "-", t.rung ?? "-", t.budget, t.sampler, ...keys.map((k) => show(t.config[k])), t.score, Math.round(t.ms)]),
  );
}

/** Default search spaces of the models worth tuning. */
export const SEARCH_SPACES: Record<string, SearchSpace> = {
  "moving-average": { window: { type: "int", min: 1, max: 48 } },
  ridge: {
    window: { type: "int", min: 4, max: 96 },
    l2: { type: "float", min: 1e-3, max: 100, log: true },
    target: { type: "choice", values: ["delta", "level"] },
  },
  lstm: {
    learningRate: { type: "float", min: 1e-4, max: 1e-2, log: true },
    units: { type: "choice", values: [[16], [32], [16, 8], [32, 16]] },
    dropout: { type: "float", min: 0, max: 0.4 },
    batchSize: { type: "choice", values: [32, 64, 128] },
  },
  convformer: {
    learningRate: { type: "float", min: 1e-4, max: 1e-2, log: true },
    filters: { type: "choice", values: [8, 16, 32] },
    heads: { type: "choice", values: [1, 2, 4] },
    keyDim: { type: "choice", values: [4, 8, 16] },
    ffUnits: { type: "choice", values: [16, 32, 64] },
    dropout: { type: "float", min: 0, max: 0.4 },
  },
};

/**
 * Objective for a forecaster on a TRAINING part: fit on its first (1 - validation) share with
 * `budget` epochs, score MASE of rolling forecasts on the rest (observed windows only). The test
 * part is not given here, so a search can never select on it.
 */
export function forecastObjective(
  kind: string,
  train: SeriesSet,
  base: Config = {},
  opts: { horizon?: number; validation?: number; mask?: Uint8Array } = {},
) {
  const n = train[0].length;
  const valEnd = validationEnd(n, opts.validation ?? 0.2);
  const h = opts.horizon ?? 1;
  return async (config: Config, budget: number): Promise<number> => {
    const params = { ...base, ...config };
    const window = Number(params.window ?? 1);
    const origins = opts.mask ? observedOrigins(opts.mask.subarray(0, n), Number.isFinite(window) ? window : 1, h, valEnd) : undefined;
    const r = await rollingOrigin(() => createForecaster(kind, params), train, { horizon: h, trainEnd: valEnd, epochs: budget, origins });
    return r.metrics.mase;
  };
}

/** Checks a search space against a model before any trial: every corner must build the model. */
export function checkSpace(kind: string, space: SearchSpace, base: Config = {}): void {
  const corners: Config[] = [];
  for (const [k, s] of Object.entries(space)) {
    if (s.type === "choice") for (const v of s.values) corners.push({ [k]: v });
    else corners.push({ [k]: s.min }, { [k]: s.max }, { [k]: decodeDim(s, 0.5) });
  }
  for (const c of corners) {
    try {
      createForecaster(kind, { ...base, ...c }).dispose();
    } catch (e) {
      throw new Error(`--space: ${JSON.stringify(c)} is not a valid ${kind} setting (${(e as Error).message})`);
    }
  }
}

const specSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("float"), min: z.number(), max: z.number(), log: z.boolean().optional() }),
  z.strictObject({ type: z.literal("int"), min: z.number().int(), max: z.number().int(), log: z.boolean().optional() }),
  z.strictObject({ type: z.literal("choice"), values: z.array(z.unknown()).min(1) }),
]);

/** A search space from JSON: each entry's type, bounds (min <= max, log needs min > 0) checked. */
export function parseSpace(raw: unknown): SearchSpace {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new Error('--space: expected a JSON object of hyper-parameters, e.g. {"l2":{"type":"float","min":0.01,"max":10,"log":true}}');
  }
  const out: SearchSpace = {};
  for (const [k, v] of Object.entries(raw)) {
    const r = specSchema.safeParse(v);
    if (!r.success) throw new Error(`--space: "${k}": ${z.prettifyError(r.error).replace(/\n/g, "; ")} (give {"type":"float"|"int","min":..,"max":..} or {"type":"choice","values":[..]})`);
    const s = r.data;
    if (s.type !== "choice") {
      if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) throw new Error(`--space: "${k}": min and max must be finite`);
      if (s.min > s.max) throw new Error(`--space: "${k}": min ${s.min} is greater than max ${s.max}`);
      if (s.log && s.min <= 0) throw new Error(`--space: "${k}": a log scale needs min > 0, got ${s.min}`);
    }
    out[k] = s as ParamSpec;
  }
  return out;
}
