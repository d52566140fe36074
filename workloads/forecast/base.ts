import path from "node:path";
import { z } from "zod";
import { cotwinVersion, readJSONFile, writeFileAtomic } from "./io.ts";
import type { FitOptions, FitReport, Forecaster, SavedModel, SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";
import { ForecastInputError } from "./errors.ts";
import { makeDirectories } from "../output/out-path.ts";

/** Parses hyper-parameters with a model's schema; the error names the model and the field. */
export function parseParams<S extends z.ZodType>(kind: string, schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new Error(`invalid parameters for ${kind}: ${z.prettifyError(r.error).replace(/\n/g, "; ")}`);
  return r.data;
}

export const savedModelSchema = z.object({
  format: z.literal("cotwin-forecaster"),
  formatVersion: z.literal(1),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  state: z.unknown(),
  tfjs: z.object({ modelTopology: z.unknown(), weightSpecs: z.array(z.unknown()), weightsFile: z.string() }).optional(),
  fit: z.unknown().optional(),
  savedBy: z.object({ version: z.string(), backend: z.string().optional() }),
});

export function readSavedModel(dir: string): SavedModel {
  const file = path.join(dir, "model.json");
  let raw: unknown;
  try {
    raw = readJSONFile(file, "model");
  } catch (e) {
    throw new ForecastInputError((e as Error).message);
  }
  const r = savedModelSchema.safeParse(raw);
  if (!r.success) throw new ForecastInputError(`model: ${file} is not a cotwin forecaster (${z.prettifyError(r.error).replace(/\n/g, "; ")})`);
  const bad = firstNonFinite(r.data.state, "state");
  if (bad) throw new ForecastInputError(`model: ${file}: ${bad} is not a finite number`);
  return r.data as SavedModel;
}

/** The path of the first value in fitted state that is not a finite number (null stands for NaN in JSON). */
export function firstNonFinite(v: unknown, at: string): string | null {
  if (v === null) return at;
  if (typeof v === "number") return Number.isFinite(v) ? null : at;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const b = firstNonFinite(v[i], `${at}[${i}]`);
      if (b) return b;
    }
    return null;
  }
  if (typeof v === "object" && v !== undefined) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const b = firstNonFinite(x, `${at}.${k}`);
      if (b) return b;
    }
  }
  return null;
}

function checkSeries(set: SeriesSet, what: string): void {
  if (set.length === 0) throw new Error(`${what}: no series given`);
  const n = set[0].length;
  for (const s of set) {
    if (!(s instanceof Float64Array)) throw new Error(`${what}: series must be Float64Array`);
    if (s.length !== n) throw new Error(`${what}: input series have different lengths (${n} vs ${s.length})`);
  }
}

/**
 * Shared plumbing: params validated once, fitted state kept apart, save/load of model.json.
 * A subclass supplies fitState (training) and forecastFrom (one forecast from a history).
 */
export abstract class BaseForecaster<P extends Record<string, unknown>, S> implements Forecaster {
  abstract readonly kind: string;
  readonly params: Readonly<P>;
  protected state: S | null = null;
  protected report: FitReport | undefined;

  protected constructor(params: P) {
    this.params = Object.freeze({ ...params });
  }

  get isFitted(): boolean {
    return this.state !== null;
  }

  /** The fitted state; throws when fit/load has not run. */
  protected fitted(): S {
    if (this.state === null) throw new Error(`${this.kind}: predict called before fit`);
    return this.state;
  }

  get fitReport(): FitReport | undefined {
    return this.report;
  }

  async fit(series: SeriesSet | Float64Array, opts: FitOptions = {}): Promise<FitReport> {
    const set = asSeriesSet(series);
    checkSeries(set, `${this.kind}.fit`);
    const t0 = performance.now();
    const extra = await this.fitState(set, opts);
    this.report = { ...(extra ?? {}), trainMs: performance.now() - t0 };
    return this.report;
  }

  protected abstract fitState(series: SeriesSet, opts: FitOptions): Promise<Omit<FitReport, "trainMs"> | void>;

  /** One forecast of `horizon` steps after the end of `history` (all series same length). */
  protected abstract forecastFrom(history: SeriesSet, horizon: number, times?: ArrayLike<number>): Float64Array;

  predict(history: SeriesSet | Float64Array, horizon: number, times?: ArrayLike<number>): Float64Array {
    const set = asSeriesSet(history);
    checkSeries(set, `${this.kind}.predict`);
    if (!(horizon >= 1) || !Number.isInteger(horizon)) throw new Error(`${this.kind}.predict: horizon must be a positive integer`);
    if (set[0].length === 0) throw new Error(`${this.kind}.predict: empty history`);
    this.fitted();
    return this.forecastFrom(set, horizon, times);
  }

  predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number, times?: ArrayLike<number>): Float64Array[] {
    const set = asSeriesSet(series);
    checkSeries(set, `${this.kind}.predictAt`);
    this.fitted();
    const out: Float64Array[] = [];
    for (let i = 0; i < origins.length; i++) {
      const t = origins[i];
      if (t < 1 || t > set[0].length) throw new Error(`${this.kind}.predictAt: origin ${t} outside 1..${set[0].length}`);
      out.push(this.forecastFrom(set.map((s) => s.subarray(0, t)), horizon, times));
    }
    return out;
  }

  stateJSON(): unknown {
    return JSON.parse(JSON.stringify(this.fitted()));
  }

  async save(dir: string): Promise<void> {
    const state = this.fitted();
    makeDirectories(dir);
    const saved: SavedModel = {
      format: "cotwin-forecaster",
      formatVersion: 1,
      kind: this.kind,
      params: { ...this.params },
      state,
      fit: this.report,
      savedBy: { version: cotwinVersion() },
      ...(await this.saveExtras(dir)),
    };
    writeFileAtomic(path.join(dir, "model.json"), JSON.stringify(saved, null, 1) + "\n");
  }

  /** Neural models write their weights here and return the tfjs descriptor. */
  protected async saveExtras(_dir: string): Promise<Partial<SavedModel>> {
    return {};
  }

  /** Puts a saved state back (called by load on a model built from the saved params). */
  async restore(saved: SavedModel, _dir: string): Promise<void> {
    this.state = saved.state as S;
    this.report = saved.fit as FitReport | undefined;
  }

  dispose(): void {}
}

/** Loads a saved model of a known class, checking the kind matches. */
export async function loadAs<T extends BaseForecaster<Record<string, unknown>, unknown>>(
  dir: string,
  kind: string,
  make: (params: Record<string, unknown>) => T,
): Promise<T> {
  const saved = readSavedModel(dir);
  if (saved.kind !== kind) throw new ForecastInputError(`model: ${dir} holds a ${saved.kind} model, not ${kind}`);
  let m: T;
  try {
    m = make(saved.params);
  } catch (e) {
    throw new ForecastInputError(`model: ${path.join(dir, "model.json")}: ${(e as Error).message}`);
  }
  await m.restore(saved, dir);
  return m;
}
