import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { dataFiles, loadForecastData, observedOnly, type ForecastData } from "../forecast/data.ts";
import { createForecaster, FORECASTER_KINDS, NEURAL_KINDS, type ForecasterKind } from "../forecast/registry.ts";
import type { EpochLog } from "../forecast/types.ts";
import { readPlainSeries, readSeries } from "../traces/index.ts";
import type { CalendarMode } from "../forecast/calendar.ts";
import { chooseCalendar, withCalendar, type CalendarChoice } from "./calendar-choice.ts";
import { computeMetrics, type Metrics } from "./metrics.ts";
import { poolScores, rollingOrigin, scoreForecaster, type ScoredForecasts } from "./rolling.ts";
import { observedOrigins, splitObserved, validationEnd } from "./split.ts";

export { observedOrigins };

export const PROTOCOLS = ["holdout", "vm-load-daily", "google-job"] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

export type Budget = "small" | "full";

export interface ProtocolOptions {
  /** a file or a directory (see each protocol) */
  data: string;
  /** registry names; default every forecaster */
  models?: string[];
  /** per-model hyper-parameter overrides, merged over the protocol's defaults */
  params?: Record<string, Record<string, unknown>>;
  /** value columns: the first is the target, further ones are extra inputs */
  columns?: string[];
  /** serverless data: one function's series (FunctionID) */
  fn?: string;
  /** steps ahead (holdout and google-job; vm-load-daily is one day ahead) */
  horizon?: number;
  seed?: number;
  /** neural training budget: "small" for quick runs (CLI default), "full" for benchmarks */
  budget?: Budget;
  /** google-job: the task file to train on (file name or its leading task number); default the first */
  trainTask?: string;
  /** vm-load-daily: keep the -1 markers inside the daily means, as the published notebook did */
  keepMissingMarkers?: boolean;
  /** calendar inputs of the window models: auto (default: where the data supports them and they
   *  help on validation), on (where supported), off */
  calendar?: CalendarMode;
  onProgress?: (message: string) => void;
  onEpoch?: (model: string, log: EpochLog) => void;
}

export interface ModelResult extends Metrics {
  model: string;
  trainMs: number;
  predictMs: number;
  params: Record<string, unknown>;
  /** google-job: the score on each test task */
  perTask?: { task: string; n: number; mae: number; mase: number }[];
  /** the fitted state of the (first) fit: smoothing constants, scalers, coefficients */
  fitted?: unknown;
  /** auto / ensemble: MASE on the validation part carved from the training part */
  validationMase?: number;
  /** neural models: loss curves of the training run */
  history?: { loss: number[]; valLoss: number[]; lr: number[] };
}

export interface ProtocolResult {
  protocol: ProtocolName;
  data: string;
  horizon: number;
  split: Record<string, unknown>;
  notes: string[];
  results: ModelResult[];
}

interface Setting {
  window: number;
  period: number;
  maWindow: number;
  budget: Budget;
  seed: number;
  /** neural models: train on every stride-th window */
  stride?: number;
}

/** Protocol defaults for a model; user overrides are merged on top. */
export function defaultParams(kind: ForecasterKind, s: Setting): Record<string, unknown> {
  const small = s.budget === "small";
  switch (kind) {
    case "naive":
    case "ses":
    case "holt":
      return {};
    case "seasonal-naive":
    case "holt-winters":
      return { period: s.period };
    case "moving-average":
      return { window: s.maWindow };
    case "ridge":
      return { window: s.window };
    case "lstm":
    case "convformer": {
      // residual over SES with a zero-initialised output: an untrained (or overfitting) network
      // is exactly SES, and early stopping keeps that unless training beats it on validation
      const common = { window: Math.min(16, s.window), stride: s.stride ?? 1, seed: s.seed, target: "ses", batchSize: 64, ...(small ? { epochs: 6, patience: 2 } : { epochs: 15, patience: 3 }) };
      return kind === "lstm" ? { ...common, units: [16] } : { ...common, filters: 16, keyDim: 8, ffUnits: 32 };
    }
  }
}

/** Neural models train on every 3rd window of long series (neighbouring windows nearly coincide). */
function strideFor(trainPoints: number): number {
  return trainPoints > 2000 ? 3 : 1;
}

function resolveModels(models: string[] | undefined, allowChoices = false): ForecasterKind[] {
  const list = models && models.length ? models : FORECASTER_KINDS;
  const known: readonly string[] = allowChoices ? [...FORECASTER_KINDS, ...CHOICE_MODELS] : FORECASTER_KINDS;
  for (const m of list) {
    if (!known.includes(m)) {
      const hint = !allowChoices && (CHOICE_MODELS as readonly string[]).includes(m) ? ` (${m} is chosen on a validation split: holdout protocol on one file only)` : "";
      throw new Error(`--models: unknown model "${m}"${hint} (known: ${known.join(", ")})`);
    }
  }
  return list as ForecasterKind[];
}

/**
 * Daily means of an hourly series (UTC days). Missing hours (mask 0) are left out of their day's
 * mean; a day with no observed hour is interpolated from its neighbours.
 */
export function dailyMeans(times: Float64Array, values: Float64Array, mask: Uint8Array): { days: Float64Array; hours: Int32Array } {
  const first = Math.floor(times[0] / 86400);
  const nDays = Math.floor(times[times.length - 1] / 86400) - first + 1;
  const sum = new Float64Array(nDays);
  const hours = new Int32Array(nDays);
  for (let i = 0; i < values.length; i++) {
    if (!mask[i]) continue;
    const d = Math.floor(times[i] / 86400) - first;
    sum[d] += values[i];
    hours[d]++;
  }
  const days = new Float64Array(nDays);
  for (let d = 0; d < nDays; d++) days[d] = hours[d] ? sum[d] / hours[d] : NaN;
  let prev = -1;
  for (let d = 0; d < nDays; d++) {
    if (Number.isNaN(days[d])) continue;
    if (prev === -1) days.fill(days[d], 0, d);
    else for (let j = prev + 1; j < d; j++) days[j] = days[prev] + ((days[d] - days[prev]) * (j - prev)) / (d - prev);
    prev = d;
  }
  if (prev !== -1 && prev < nDays - 1) days.fill(days[prev], prev + 1);
  return { days, hours };
}

function resultOf(kind: string, params: Record<string, unknown>, m: Metrics, trainMs: number, predictMs: number): ModelResult {
  return { model: kind, ...m, trainMs, predictMs, params };
}

function locate(data: string, candidates: string[], what: string): string {
  if (!existsSync(data)) throw new Error(`--data: ${data} does not exist`);
  if (!statSync(data).isDirectory()) return data;
  for (const c of candidates) {
    const p = path.join(data, c);
    if (existsSync(p)) return p;
  }
  throw new Error(`--data: ${data} holds no ${what} (looked for ${candidates.join(", ")})`);
}

/** The vm-load-daily protocol's data: daily means of vm-load/aa.txt and its fixed split. */
export interface VmLoadDaily {
  file: string;
  days: Float64Array;
  /** midnight (UTC) of each day, seconds */
  times: Float64Array;
  window: number;
  /** days before the first test origin (= window + training windows) */
  trainEnd: number;
  trainWindows: number;
  testOrigins: number[];
  notes: string[];
}

/**
 * vm-load-daily: vm-load/aa.txt, hourly -> daily means, 14-day window, one day ahead, the first
 * 440 windows (80 % of 550 days) train, the remaining 96 test; original units. `keepMarkers`
 * keeps the -1 markers inside the daily means, as the published notebook did.
 */
export async function vmLoadDailyData(data: string, keepMarkers = false): Promise<VmLoadDaily> {
  const file = locate(data, ["vm-load/aa.txt", "aa.txt"], "vm-load/aa.txt");
  const raw = keepMarkers
    ? await readPlainSeries(file, { missingMarker: null, missing: "mask" })
    : await readSeries(file, { missing: "mask" });
  const { days, hours } = dailyMeans(raw.times, raw.values, raw.mask);
  const window = 14;
  const windows = days.length - window;
  const trainWindows = Math.floor(0.8 * days.length);
  const trainEnd = trainWindows + window;
  const testOrigins = Array.from({ length: windows - trainWindows }, (_, i) => trainEnd + i);
  const partial = hours.filter((h) => h > 0 && h < 24).length;
  const kept = raw.values.reduce((c, v) => c + (v === -1 ? 1 : 0), 0);
  const first = Math.floor(raw.times[0] / 86400);
  const times = Float64Array.from(days, (_, d) => (first + d) * 86400);
  const notes = [
    keepMarkers
      ? `${kept} hourly -1 markers kept inside their daily means (as the published notebook did)`
      : `${raw.markerCount} hourly -1 markers are missing values: left out of their day's mean (${partial} days average fewer than 24 hours; the last day is partial)`,
    `one fit per model on the first ${trainEnd} days (${trainWindows} windows, scaling included); forecasts roll one day at a time through the ${testOrigins.length} test days without refitting`,
  ];
  return { file, days, times, window, trainEnd, trainWindows, testOrigins, notes };
}

/** Neural settings for the 440 training windows of vm-load-daily: longer, small batches, more patience. */
export function vmLoadNeuralParams(budget: Budget): Record<string, unknown> {
  // the validation part is only 88 windows, so its loss is noisy
  return budget === "full"
    ? { epochs: 100, patience: 10, batchSize: 32, learningRate: 0.001 }
    : { epochs: 20, patience: 5, batchSize: 32, learningRate: 0.002 };
}

async function vmLoadDaily(o: ProtocolOptions): Promise<ProtocolResult> {
  const v = await vmLoadDailyData(o.data, o.keepMissingMarkers);
  const { file, days, window, trainEnd, trainWindows, testOrigins, notes } = v;
  const setting: Setting = { window, period: 7, maWindow: 3, budget: o.budget ?? "small", seed: o.seed ?? 42 };
  const results: ModelResult[] = [];
  const smallData = vmLoadNeuralParams(setting.budget);
  const cal = await chooseCalendar(o.calendar ?? "auto", [days.slice(0, trainEnd)], v.times.slice(0, trainEnd), 86400, window, 1);
  for (const kind of resolveModels(o.models)) {
    const base = defaultParams(kind, setting);
    const params = withCalendar(kind, { ...base, ...(NEURAL_KINDS.includes(kind) ? smallData : {}), ...(o.params?.[kind] ?? {}) }, cal, o.params?.[kind]);
    o.onProgress?.(`vm-load-daily: ${kind}`);
    const r = await rollingOrigin(() => createForecaster(kind, params), [days], { horizon: 1, trainEnd, origins: testOrigins, times: v.times });
    const state = r.fits[0]?.state as { history?: ModelResult["history"] } | undefined;
    results.push({ ...resultOf(kind, params, r.metrics, r.trainMs, r.predictMs), ...(state?.history ? { history: state.history } : {}) });
  }
  return {
    protocol: "vm-load-daily",
    data: file,
    horizon: 1,
    split: { days: days.length, window, trainWindows, testWindows: testOrigins.length, trainDays: trainEnd, calendar: calendarRecord(cal) },
    notes: [...notes, ...cal.notes],
    results,
  };
}

function taskName(file: string): string {
  return path.basename(file).split("-")[0];
}

/**
 * google-job (and holdout on a directory): train on one task file, test on every other task file
 * of the job. Gaps in a trace are closed up for training (observed points only); a test point is
 * scored only if its whole input window and its target were observed.
 */
async function crossTask(o: ProtocolOptions, name: ProtocolName, setting: Omit<Setting, "budget" | "seed">): Promise<ProtocolResult> {
  let dir = o.data;
  if (existsSync(path.join(dir, "google2019", "job113"))) dir = path.join(dir, "google2019", "job113");
  const files = dataFiles(dir);
  if (files.length < 2) throw new Error(`--data: ${dir} needs at least two task files (one to train on, others to test)`);
  const h = o.horizon ?? 1;
  const trainFile = o.trainTask
    ? files.find((f) => path.basename(f) === o.trainTask || taskName(f) === o.trainTask)
    : files[0];
  if (!trainFile) throw new Error(`--train-task: no task "${o.trainTask}" in ${dir} (tasks: ${files.map(taskName).join(", ")})`);
  const train = await loadForecastData(trainFile, o.columns, { fn: o.fn });
  const tests: { name: string; d: ForecastData; origins: Int32Array }[] = [];
  for (const f of files) {
    if (f === trainFile) continue;
    const d = await loadForecastData(f, o.columns, { fn: o.fn });
    tests.push({ name: taskName(f), d, origins: observedOrigins(d.mask, setting.window, h, setting.window) });
  }
  const trainSeries = observedOnly(train);
  const trainTimes = train.times.filter((_, i) => train.mask[i] === 1);
  const cal = await chooseCalendar(o.calendar ?? "auto", trainSeries, trainTimes, train.stepS, setting.window, h);
  const full: Setting = { ...setting, budget: o.budget ?? "small", seed: o.seed ?? 42, stride: strideFor(trainSeries[0].length) };
  const results: ModelResult[] = [];
  for (const kind of resolveModels(o.models)) {
    const params = withCalendar(kind, { ...defaultParams(kind, full), ...(o.params?.[kind] ?? {}) }, cal, o.params?.[kind]);
    o.onProgress?.(`${name}: fitting ${kind} on task ${taskName(trainFile)} (${trainSeries[0].length} points)`);
    const model = createForecaster(kind, params);
    try {
      const report = await model.fit(trainSeries, {
        horizon: h,
        times: trainTimes,
        onEpoch: o.onEpoch ? (log) => o.onEpoch!(kind, log) : undefined,
      });
      const parts: ScoredForecasts[] = [];
      const perTask: NonNullable<ModelResult["perTask"]> = [];
      for (const t of tests) {
        const s = scoreForecaster(model, t.d.series, t.origins, h, t.d.times);
        parts.push(s);
        perTask.push({ task: t.name, n: s.metrics.n, mae: s.metrics.mae, mase: s.metrics.mase });
      }
      const predictMs = parts.reduce((s, p) => s + p.predictMs, 0);
      results.push({ ...resultOf(kind, params, poolScores(parts), report.trainMs, predictMs), perTask, ...(report.history ? { history: report.history } : {}) });
    } finally {
      model.dispose();
    }
  }
  return {
    protocol: name,
    data: dir,
    horizon: h,
    split: {
      trainTask: taskName(trainFile),
      trainPoints: trainSeries[0].length,
      trainMissing: train.missingCount,
      testTasks: tests.map((t) => ({ task: t.name, points: t.d.series[0].length, scored: t.origins.length })),
      window: setting.window,
      columns: train.columns,
      calendar: calendarRecord(cal),
    },
    notes: [
      ...cal.notes,
      `trained on task ${taskName(trainFile)} (${train.missingCount} missing windows closed up), tested on ${tests.length} other tasks`,
      `a test point is scored only when its ${setting.window}-step input window and target were observed; metrics pool all test tasks`,
    ],
    results,
  };
}

/** Models that are not forecasters but choices among the others, made on a validation split. */
export const CHOICE_MODELS = ["auto", "ensemble"] as const;
/** How many of the best models (by validation MASE) the ensemble averages. */
export const ENSEMBLE_SIZE = 3;

/** Window for a series of `trainPoints`: 30 steps, less on short series (with a warning). */
function holdoutWindow(trainPoints: number, notes: string[]): number {
  const window = Math.min(30, Math.max(2, Math.floor(trainPoints / 10)));
  if (window < 30) notes.push(`warning: the training part has only ${trainPoints} points, too short for the 30-step window: window ${window} used`);
  return window;
}

/**
 * holdout on one file: the first 80 % of the observed points train, forecasts roll through the rest.
 * The split sits on an observed point and the training part is its observed points only (see
 * split.ts), so nothing of the test part reaches any fitted parameter. `auto` and `ensemble` are
 * chosen on a validation part carved from the end of the training part, then scored on the test part.
 */
async function holdoutFile(o: ProtocolOptions): Promise<ProtocolResult> {
  const d = await loadForecastData(o.data, o.columns, { fn: o.fn });
  const h = o.horizon ?? 1;
  const split = splitObserved(d, 0.8);
  const trainEnd = split.trainEnd;
  const notes: string[] = [];
  const perDay = Math.round(86400 / d.stepS);
  const period = perDay >= 2 && perDay * 3 <= trainEnd ? perDay : 7;
  const window = holdoutWindow(trainEnd, notes);
  const setting: Setting = { window, period, maWindow: 6, budget: o.budget ?? "small", seed: o.seed ?? 42, stride: strideFor(trainEnd) };
  const origins = observedOrigins(split.mask, window, h, trainEnd);
  if (origins.length === 0) throw new Error(`--data: ${o.data} has no test point whose ${window}-step window and target were observed`);
  const requested: string[] = resolveModels(o.models, true);
  const choices = requested.filter((m): m is (typeof CHOICE_MODELS)[number] => (CHOICE_MODELS as readonly string[]).includes(m));
  let kinds = requested.filter((m) => !(CHOICE_MODELS as readonly string[]).includes(m)) as ForecasterKind[];
  // a choice alone chooses among every forecaster
  if (choices.length && kinds.length === 0) kinds = [...FORECASTER_KINDS];
  const valEnd = validationEnd(trainEnd, 0.2);
  const valOrigins = choices.length ? observedOrigins(split.mask.subarray(0, trainEnd), window, h, valEnd) : new Int32Array(0);
  if (choices.length && valOrigins.length === 0) throw new Error(`--models auto: the validation part of ${o.data} has no fully observed window`);
  const trainPart = split.series.map((s) => s.subarray(0, trainEnd));
  const cal = await chooseCalendar(o.calendar ?? "auto", trainPart, split.times.subarray(0, trainEnd), d.stepS, window, h);
  notes.push(...cal.notes);
  const results: ModelResult[] = [];
  const forecasts = new Map<string, Float64Array>();
  const valForecasts = new Map<string, Float64Array>();
  let scored: { actual: Float64Array; previous: Float64Array } | null = null;
  let valScored: { actual: Float64Array; previous: Float64Array } | null = null;
  for (const kind of kinds) {
    const params = withCalendar(kind, { ...defaultParams(kind, setting), ...(o.params?.[kind] ?? {}) }, cal, o.params?.[kind]);
    o.onProgress?.(`holdout: ${kind}`);
    const r = await rollingOrigin(() => createForecaster(kind, params), split.series, { horizon: h, trainEnd, origins, times: split.times });
    scored ??= { actual: r.actual, previous: r.previous };
    forecasts.set(kind, r.forecast);
    const state = r.fits[0]?.state as { history?: ModelResult["history"] } | undefined;
    const res: ModelResult = { ...resultOf(kind, params, r.metrics, r.trainMs, r.predictMs), fitted: r.fits[0]?.state, ...(state?.history ? { history: state.history } : {}) };
    if (choices.length) {
      o.onProgress?.(`holdout: ${kind} on the validation part`);
      const v = await rollingOrigin(() => createForecaster(kind, params), [split.series[0].subarray(0, trainEnd), ...split.series.slice(1).map((s) => s.subarray(0, trainEnd))], { horizon: h, trainEnd: valEnd, origins: valOrigins, times: split.times });
      res.validationMase = v.metrics.mase;
      res.trainMs += v.trainMs;
      valForecasts.set(kind, v.forecast);
      valScored ??= { actual: v.actual, previous: v.previous };
    }
    results.push(res);
  }
  if (choices.length && scored && valScored) {
    const ranked = [...results].sort((a, b) => (a.validationMase ?? Infinity) - (b.validationMase ?? Infinity));
    const members = ranked.slice(0, Math.min(ENSEMBLE_SIZE, ranked.length));
    const mean = (from: Map<string, Float64Array>, n: number) => {
      const f = new Float64Array(n);
      for (const p of members) {
        const pf = from.get(p.model)!;
        for (let i = 0; i < n; i++) f[i] += pf[i] / members.length;
      }
      return f;
    };
    const ensembleTest = mean(forecasts, scored.actual.length);
    const ensembleVal = computeMetrics(valScored.actual, mean(valForecasts, valScored.actual.length), valScored.previous).mase;
    const ensemble: ModelResult = {
      ...resultOf("ensemble", { of: members.map((p) => p.model) }, computeMetrics(scored.actual, ensembleTest, scored.previous), members.reduce((s, p) => s + p.trainMs, 0), members.reduce((s, p) => s + p.predictMs, 0)),
      validationMase: ensembleVal,
    };
    // auto: the single model or the ensemble with the best validation score
    const best = ranked[0];
    const auto: ModelResult = (ensembleVal < (best.validationMase ?? Infinity))
      ? { ...ensemble, model: "auto", params: { picked: "ensemble", of: members.map((p) => p.model) } }
      : { ...best, model: "auto", params: { picked: best.model }, history: undefined, fitted: undefined };
    for (const c of choices) results.push(c === "auto" ? auto : ensemble);
    notes.push(`auto and ensemble are chosen by validation MASE: every model is fitted on the first 80 % of the training part and scored on its last 20 % (${trainEnd - valEnd} points); ensemble = mean of the best ${members.length}; auto = the model or ensemble best on validation, scored on the test part`);
  }
  notes.unshift(
    `split on observed points: the first ${trainEnd} observed points train (${split.trainGapsClosed} missing points before the split closed up, none interpolated), the test part starts at the observed point at ${split.splitTime} s`,
    "forecasts roll through the test part without refitting; a test point is scored only when its input window and target were observed",
  );
  return {
    protocol: "holdout",
    data: o.data,
    horizon: h,
    split: { points: d.series[0].length, trainPoints: trainEnd, trainGapsClosed: split.trainGapsClosed, splitTime: split.splitTime, testOrigins: origins.length, window, period, columns: d.columns, calendar: calendarRecord(cal) },
    notes,
    results,
  };
}

/** What an output records of the calendar decision. */
function calendarRecord(c: CalendarChoice): Record<string, unknown> {
  return { mode: c.mode, periods: c.periods, supported: c.supported, ...(c.validation ? { validationMase: c.validation } : {}) };
}

export async function runProtocol(name: string, o: ProtocolOptions): Promise<ProtocolResult> {
  switch (name) {
    case "vm-load-daily":
      return vmLoadDaily(o);
    case "google-job":
      return crossTask(o, "google-job", { window: 30, period: 288, maWindow: 6 });
    case "holdout":
      if (existsSync(o.data) && statSync(o.data).isDirectory()) return crossTask(o, "holdout", { window: 30, period: 288, maWindow: 6 });
      return holdoutFile(o);
    default:
      throw new Error(`--protocol: unknown protocol "${name}" (known: ${PROTOCOLS.join(", ")})`);
  }
}

export { NEURAL_KINDS };
