/**
 * `cotwin forecast ...`: evaluate, train, predict with, tune, select and plot workload forecasters.
 *   cotwin forecast eval    --data <file|dir> [--protocol holdout|vm-load-daily|google-job] [--models a,b] [--json]
 *   cotwin forecast train   --data <file> --model <kind> [--params json] --out <dir>
 *   cotwin forecast predict --model <dir> --data <file> [--horizon h]
 *   cotwin forecast tune    --data <file|dir> --model <kind> [--method random|hyperband|bohb] [--trials n]
 *   cotwin forecast select  --data <dir> [--model kind] [--measures dtw,euclidean,pearson]
 *   cotwin forecast plot    --data <file> [--model dir] --out <dir>
 *   cotwin forecast study   response-time|max-memory [--data ...] [--method bohb] [--trials n]
 */
import { SingleBar } from "cli-progress";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import yargs from "yargs";
import { CHOICE_MODELS, defaultParams, runProtocol, PROTOCOLS, vmLoadDailyData, vmLoadNeuralParams, type ProtocolResult } from "../../workloads/eval/protocols.ts";
import { computeMetrics } from "../../workloads/eval/metrics.ts";
import { scoreForecaster } from "../../workloads/eval/rolling.ts";
import { initBackend } from "../../workloads/forecast/backend.ts";
import { CALENDAR_MODES, type CalendarMode } from "../../workloads/forecast/calendar.ts";
import { CALENDAR_KINDS, chooseCalendar, withCalendar } from "../../workloads/eval/calendar-choice.ts";
import { ForecastInputError } from "../../workloads/forecast/errors.ts";
import { dataFiles, loadForecastData, observedOnly, readNumericTable } from "../../workloads/forecast/data.ts";
import { cotwinVersion, readJSONFile, writeFileAtomic } from "../../workloads/forecast/io.ts";
import { checkOutputDirectory, checkOutputFile } from "../../workloads/output/out-path.ts";
import { checkNumericFlags, checkRepeatedFlags } from "./flags.ts";
import { io as processStreams } from "../io.ts";
import { reportError } from "../errors.ts";
import { correlationMatrix, heatmap, histogram, lineChart, scatter, writeChart } from "../../workloads/forecast/plot.ts";
import { createForecaster, FORECASTER_KINDS, isForecasterKind, loadForecaster } from "../../workloads/forecast/registry.ts";
import { evaluateSelection, selectionTable, SIMILARITIES, type Similarity } from "../../workloads/forecast/select.ts";
import { formatTable } from "../../workloads/forecast/table.ts";
import { checkSpace, forecastObjective, parseSpace, SEARCH_SPACES, trialTable, tune, type SearchSpace, type TuneMethod } from "../../workloads/forecast/tune.ts";
import { observedOrigins, splitObserved, validationEnd } from "../../workloads/eval/split.ts";
import { rollingOrigin } from "../../workloads/eval/rolling.ts";

/** Where the command writes; tests pass their own. */
export interface ForecastCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** progress bars only on an interactive stderr */
  interactive: boolean;
}

const processIo = (): ForecastCommandIo => ({
  out: (t) => processStreams.out(t),
  err: (t) => processStreams.err(t),
  interactive: Boolean(process.stderr.isTTY),
});

/** Errors that are the input's fault (flags, model files, trace rows): message alone, exit code 2. */
const INPUT_ERRORS = new Set(["YError", "ForecastInputError", "TraceRowError"]);

/** Forecasts must be numbers: a model that gives NaN or Infinity is a broken model file. */
function checkFinite(forecast: ArrayLike<number>, dir: string): void {
  for (let i = 0; i < forecast.length; i++) {
    if (!Number.isFinite(forecast[i])) throw new ForecastInputError(`model: ${dir} forecast a non-finite value (${forecast[i]}) at step ${i + 1}: its weights or state are not a working model`);
  }
}

/** A mistake in the command line: exit code 2, message names the flag or file. */
export class ForecastUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForecastUsageError";
  }
}

function parseJsonFlag(flag: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ForecastUsageError(`${flag}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ForecastUsageError(`${flag}: expected a JSON object`);
  return v as Record<string, unknown>;
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function positiveInt(flag: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1) throw new ForecastUsageError(`${flag} must be a positive integer, got ${String(v)}`);
  return x;
}

function boundedInt(flag: string, v: number | undefined, lo: number, hi: number): number {
  if (v === undefined || !Number.isInteger(v) || v < lo || v > hi) throw new ForecastUsageError(`${flag} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return v;
}

function needPath(flag: string, p: string | undefined): string {
  if (!p) throw new ForecastUsageError(`${flag} is required`);
  if (!existsSync(p)) throw new ForecastUsageError(`${flag}: ${p} does not exist`);
  return p;
}

async function backendLine(io: ForecastCommandIo): Promise<string> {
  const b = await initBackend();
  io.err(`cotwin forecast: tensorflow.js backend ${b}\n`);
  return b;
}

function bar(io: ForecastCommandIo, json: boolean, total: number, label: string): SingleBar | null {
  if (!io.interactive || json) return null;
  const b = new SingleBar({ format: `${label} [{bar}] {value}/{total} {task}`, stream: process.stderr, hideCursor: true, clearOnComplete: true });
  b.start(total, 0, { task: "" });
  return b;
}

// ---------------------------------------------------------------- eval

interface EvalArgs {
  function?: string;
  data?: string;
  column?: string;
  models?: string;
  horizon?: number;
  protocol: string;
  json: boolean;
  seed: number;
  budget: string;
  trainTask?: string;
  params?: string;
  out?: string;
  force?: boolean;
  keepMarkers?: boolean;
  calendar: string;
}

/** --calendar: auto, on or off. */
function calendarMode(v: string): CalendarMode {
  if (!(CALENDAR_MODES as readonly string[]).includes(v)) throw new ForecastUsageError(`--calendar must be one of ${CALENDAR_MODES.join(", ")}, got "${v}"`);
  return v as CalendarMode;
}

/** An earlier `forecast eval --out` result (safe to replace). */
function isEvalOutput(text: string): boolean {
  try {
    const d = JSON.parse(text) as { writtenBy?: unknown };
    return d.writtenBy === EVAL_WRITER;
  } catch {
    return false;
  }
}
const EVAL_WRITER = "cotwin forecast eval";

async function evalCommand(a: EvalArgs, io: ForecastCommandIo): Promise<number> {
  const data = needPath("--data", a.data);
  if (a.out !== undefined) checkOutputFile(a.out, { what: "--out", force: a.force, owned: isEvalOutput });
  if (!(PROTOCOLS as readonly string[]).includes(a.protocol)) throw new ForecastUsageError(`--protocol: unknown protocol "${a.protocol}" (known: ${PROTOCOLS.join(", ")})`);
  if (a.budget !== "small" && a.budget !== "full") throw new ForecastUsageError(`--budget must be small or full, got "${a.budget}"`);
  const calendar = calendarMode(a.calendar);
  const models = list(a.models);
  for (const m of models ?? []) {
    if (!isForecasterKind(m) && !(CHOICE_MODELS as readonly string[]).includes(m)) throw new ForecastUsageError(`--models: unknown model "${m}" (known: ${[...FORECASTER_KINDS, ...CHOICE_MODELS].join(", ")})`);
  }
  const params = parseJsonFlag("--params", a.params) as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(params)) if (!isForecasterKind(k)) throw new ForecastUsageError(`--params: unknown model "${k}" (give {"model": {...}})`);
  const backend = await backendLine(io);
  const count = (models ?? FORECASTER_KINDS).length;
  const progress = bar(io, a.json, count, "eval");
  let done = 0;
  let r: ProtocolResult;
  try {
    r = await runProtocol(a.protocol, {
      data,
      models,
      params,
      columns: list(a.column),
      fn: a.function,
      horizon: a.horizon === undefined ? undefined : positiveInt("--horizon", a.horizon, 1),
      seed: a.seed,
      budget: a.budget,
      trainTask: a.trainTask,
      keepMissingMarkers: a.keepMarkers,
      calendar,
      onProgress: (msg) => {
        progress?.update(done++, { task: msg });
      },
      onEpoch: (m, log) => progress?.update({ task: `${m} epoch ${log.epoch} val ${log.valLoss.toFixed(4)}` }),
    });
  } finally {
    progress?.stop();
  }
  const results = r.results.map((x) => ({ model: x.model, mae: x.mae, rmse: x.rmse, smape: x.smape, r2: x.r2, mase: x.mase }));
  const doc = {
    writtenBy: EVAL_WRITER,
    results,
    protocol: r.protocol,
    data: r.data,
    horizon: r.horizon,
    split: r.split,
    notes: r.notes,
    trainMs: Object.fromEntries(r.results.map((x) => [x.model, Math.round(x.trainMs)])),
    perTask: Object.fromEntries(r.results.filter((x) => x.perTask).map((x) => [x.model, x.perTask])),
    params: Object.fromEntries(r.results.map((x) => [x.model, x.params])),
    validationMase: Object.fromEntries(r.results.filter((x) => x.validationMase !== undefined).map((x) => [x.model, x.validationMase])),
    seed: a.seed,
    budget: a.budget,
    backend,
    version: cotwinVersion(),
  };
  for (const n of r.notes) if (n.startsWith("warning: ")) io.err(`cotwin forecast: ${n}\n`);
  if (a.out) writeFileAtomic(a.out, JSON.stringify(doc, null, 1) + "\n");
  if (a.json) {
    io.out(JSON.stringify(doc) + "\n");
    return 0;
  }
  io.out(`protocol ${r.protocol} on ${r.data} (horizon ${r.horizon}, seed ${a.seed}, budget ${a.budget}, backend ${backend})\n`);
  io.out(
    formatTable(
      ["model", "MAE", "RMSE", "sMAPE %", "R2", "MASE", "train s"],
      r.results.map((x) => [x.model, x.mae, x.rmse, x.smape, x.r2, x.mase, x.trainMs / 1000]),
      4,
    ) + "\n",
  );
  for (const x of r.results) if (x.model === "auto" || x.model === "ensemble") io.out(`${x.model}: ${JSON.stringify(x.params)}\n`);
  for (const n of r.notes) io.out(`note: ${n}\n`);
  io.out("MASE = MAE / MAE of the previous-value forecast on the same points (< 1 beats persistence)\n");
  return 0;
}

// ---------------------------------------------------------------- train / predict

interface TrainArgs {
  function?: string;
  data?: string;
  model?: string;
  params?: string;
  column?: string;
  horizon?: number;
  out?: string;
  force?: boolean;
  seed?: number;
  json: boolean;
  holdout?: number;
  protocol?: string;
  keepMarkers: boolean;
  budget: string;
  calendar: string;
}

/** What training.json records next to a saved model: enough for plot to redraw the same split. */
interface TrainingInfo {
  data?: string;
  columns?: string[];
  protocol?: "vm-load-daily";
  keepMarkers?: boolean;
  function?: string;
  /** share of observed points held out after training (holdout split), and where they start */
  holdout?: number;
  splitTime?: number;
}

async function trainCommand(a: TrainArgs, io: ForecastCommandIo): Promise<number> {
  const data = needPath("--data", a.data);
  if (!a.model) throw new ForecastUsageError("--model is required (one of " + FORECASTER_KINDS.join(", ") + ")");
  if (!isForecasterKind(a.model)) throw new ForecastUsageError(`--model: unknown model "${a.model}" (known: ${FORECASTER_KINDS.join(", ")})`);
  if (!a.out) throw new ForecastUsageError("--out is required (the model directory to write)");
  checkOutputDirectory(a.out, { what: "--out", force: a.force, owned: (_d, entries) => entries.includes("model.json"), kind: "a model directory of forecast train (one with model.json)" });
  if (a.protocol !== undefined && a.protocol !== "vm-load-daily") throw new ForecastUsageError(`--protocol: train knows vm-load-daily (its daily series and split), got "${a.protocol}"`);
  if (a.holdout !== undefined && !(a.holdout > 0 && a.holdout < 1)) throw new ForecastUsageError(`--holdout must be a fraction between 0 and 1, got ${String(a.holdout)}`);
  if (a.holdout !== undefined && a.protocol) throw new ForecastUsageError("--holdout: vm-load-daily has its own split; give one or the other");
  if (a.budget !== "small" && a.budget !== "full") throw new ForecastUsageError(`--budget must be small or full, got "${a.budget}"`);
  if (!a.protocol && statSync(data).isDirectory()) throw new ForecastUsageError(`--data: ${data} is a directory; train takes one file`);
  const user = parseJsonFlag("--params", a.params);
  const neural = a.model === "lstm" || a.model === "convformer";
  if (a.seed !== undefined && neural && user.seed === undefined) user.seed = a.seed;
  const horizon = positiveInt("--horizon", a.horizon, 1);
  const calMode = calendarMode(a.calendar);
  const backend = await backendLine(io);
  let series: Float64Array[];
  let times: ArrayLike<number>;
  let stepS: number;
  let params: Record<string, unknown> = user;
  let info: Record<string, unknown>;
  if (a.protocol === "vm-load-daily") {
    const v = await vmLoadDailyData(data, a.keepMarkers);
    series = [v.days.slice(0, v.trainEnd)];
    times = v.times.slice(0, v.trainEnd);
    stepS = 86400;
    // the protocol's settings, so a trained model is the one eval scores
    const setting = { window: v.window, period: 7, maWindow: 3, budget: a.budget as "small" | "full", seed: a.seed ?? 42 };
    params = { ...defaultParams(a.model, setting), ...(neural ? vmLoadNeuralParams(setting.budget) : {}), ...user };
    info = { data: v.file, columns: ["daily mean"], protocol: "vm-load-daily", keepMarkers: a.keepMarkers, points: v.trainEnd, splitTime: v.times[v.trainEnd] };
  } else {
    const d = await loadForecastData(data, list(a.column), { fn: a.function });
    stepS = d.stepS;
    if (a.holdout !== undefined) {
      const split = splitObserved(d, 1 - a.holdout);
      series = split.series.map((x) => x.slice(0, split.trainEnd));
      times = split.times.slice(0, split.trainEnd);
      info = { data, columns: d.columns, ...(a.function !== undefined ? { function: a.function } : {}), holdout: a.holdout, splitTime: split.splitTime, points: split.trainEnd, missingClosedUp: split.trainGapsClosed };
    } else {
      series = observedOnly(d);
      times = d.times.filter((_, i) => d.mask[i] === 1);
      info = { data, columns: d.columns, ...(a.function !== undefined ? { function: a.function } : {}), points: series[0].length, missingClosedUp: d.missingCount };
    }
  }
  // calendar inputs (window models): decided on the training series only, recorded in training.json
  let calNotes: string[] = [];
  if (CALENDAR_KINDS.includes(a.model)) {
    const window = Number(createForecaster(a.model, params).params.window);
    const choice = await chooseCalendar(calMode, series, times, stepS, window, horizon);
    params = withCalendar(a.model, params, choice, user);
    calNotes = "calendar" in user ? [`calendar input from --params: ${JSON.stringify(user.calendar)}`] : choice.notes;
    info = { ...info, calendar: { mode: calMode, periods: (params.calendar as string[] | undefined) ?? [], supported: choice.supported, ...(choice.validation ? { validationMase: choice.validation } : {}) } };
  }
  const model = createForecaster(a.model, params);
  const progress = bar(io, a.json, Number(model.params.epochs ?? 1), `train ${a.model}`);
  let report;
  try {
    report = await model.fit(series, { horizon, times, onEpoch: (log) => progress?.update(log.epoch, { task: `val ${log.valLoss.toFixed(4)} lr ${log.lr.toPrecision(2)}` }) });
  } finally {
    progress?.stop();
  }
  await model.save(a.out);
  info = { ...info, horizon, backend, version: cotwinVersion() };
  writeFileAtomic(path.join(a.out, "training.json"), JSON.stringify(info, null, 1) + "\n");
  model.dispose();
  const summary = { model: a.model, out: a.out, trainMs: Math.round(report.trainMs), epochs: report.epochsRun, bestEpoch: report.bestEpoch, ...info, params: model.params, notes: calNotes };
  if (a.json) io.out(JSON.stringify(summary) + "\n");
  else {
    io.out(`trained ${a.model} on ${series[0].length} points of ${(info.columns as string[]).join(", ")} from ${data} in ${(report.trainMs / 1000).toFixed(2)} s`);
    io.out(report.epochsRun ? ` (${report.epochsRun} epochs, best ${report.bestEpoch})\n` : "\n");
    if (info.splitTime !== undefined) io.out(`held out: everything from ${new Date(Number(info.splitTime) * 1000).toISOString()} on (plot marks the boundary)\n`);
    for (const n of calNotes) io.out(`note: ${n}\n`);
    io.out(`saved to ${a.out}\n`);
  }
  return 0;
}

interface PredictArgs {
  function?: string;
  model?: string;
  data?: string;
  horizon?: number;
  column?: string;
  json: boolean;
}

async function predictCommand(a: PredictArgs, io: ForecastCommandIo): Promise<number> {
  const dir = needPath("--model", a.model);
  if (!existsSync(path.join(dir, "model.json"))) throw new ForecastUsageError(`--model: ${dir} has no model.json (train one with cotwin forecast train)`);
  const data = needPath("--data", a.data);
  const horizon = positiveInt("--horizon", a.horizon, 1);
  const backend = await backendLine(io);
  const model = await loadForecaster(dir);
  const info = existsSync(path.join(dir, "training.json")) ? (readJSONFile(path.join(dir, "training.json"), "--model") as TrainingInfo) : {};
  const columns = list(a.column) ?? info.columns;
  const d = await loadForecastData(data, columns, { fn: a.function ?? info.function });
  // a model with calendar inputs takes the data's time stamps; the forecast steps continue them
  const forecast = model.predict(d.series, horizon, d.times);
  checkFinite(forecast, dir);
  const step = d.stepS;
  const last = d.times[d.times.length - 1];
  const times = Array.from({ length: horizon }, (_, k) => last + (k + 1) * step);
  model.dispose();
  if (a.json) io.out(JSON.stringify({ model: model.kind, data, columns: d.columns, horizon, times, forecast: Array.from(forecast), backend, version: cotwinVersion() }) + "\n");
  else {
    io.out(`${model.kind} forecast of ${d.columns[0]} after ${d.series[0].length} points of ${data}:\n`);
    io.out(formatTable(["step", "time s", "forecast"], times.map((t, k) => [k + 1, t, forecast[k]]), 6) + "\n");
  }
  return 0;
}

// ---------------------------------------------------------------- tune

interface TuneArgs {
  data?: string;
  model?: string;
  method: string;
  trials: number;
  maxEpochs: number;
  minEpochs: number;
  eta: number;
  seed: number;
  space?: string;
  params?: string;
  column?: string;
  json: boolean;
}

/** Hyperband's brackets grow as log(max / min) / log(eta); beyond this many the search is a mistake. */
const MAX_BRACKETS = 12;

/** --trials, --max-epochs, --min-epochs, --eta of a search: checked so that every search ends. */
function searchBudget(a: { trials: number; maxEpochs: number; minEpochs: number; eta: number }): { trials: number; maxEpochs: number; minEpochs: number } {
  const trials = boundedInt("--trials", a.trials, 1, 10000);
  const maxEpochs = boundedInt("--max-epochs", a.maxEpochs, 1, 10000);
  const minEpochs = boundedInt("--min-epochs", a.minEpochs, 1, 10000);
  if (minEpochs > maxEpochs) throw new ForecastUsageError(`--min-epochs ${minEpochs} is greater than --max-epochs ${maxEpochs}`);
  if (!(Number.isFinite(a.eta) && a.eta > 1)) throw new ForecastUsageError(`--eta must be a number greater than 1 (Hyperband keeps 1/eta of each rung), got ${String(a.eta)}`);
  const brackets = Math.floor(Math.log(maxEpochs / minEpochs) / Math.log(a.eta) + 1e-9) + 1;
  if (brackets > MAX_BRACKETS) throw new ForecastUsageError(`--eta ${a.eta} with epochs ${minEpochs}..${maxEpochs} gives ${brackets} Hyperband brackets (at most ${MAX_BRACKETS}): use a larger --eta`);
  return { trials, maxEpochs, minEpochs };
}

async function tuneCommand(a: TuneArgs, io: ForecastCommandIo): Promise<number> {
  const data = needPath("--data", a.data);
  if (!a.model || !isForecasterKind(a.model)) throw new ForecastUsageError(`--model: give one of ${Object.keys(SEARCH_SPACES).join(", ")} (or any model with --space)`);
  if (!["random", "hyperband", "bohb"].includes(a.method)) throw new ForecastUsageError(`--method must be random, hyperband or bohb, got "${a.method}"`);
  const { trials, maxEpochs, minEpochs } = searchBudget(a);
  let space: SearchSpace | undefined;
  const base: Record<string, unknown> = { ...(a.model === "lstm" || a.model === "convformer" ? { seed: a.seed } : {}), ...parseJsonFlag("--params", a.params) };
  try {
    space = a.space ? parseSpace(JSON.parse(a.space)) : SEARCH_SPACES[a.model];
    if (space) checkSpace(a.model, space, base);
  } catch (e) {
    const m = (e as Error).message;
    throw new ForecastUsageError(m.startsWith("--space") ? m : `--space: not valid JSON (${m})`);
  }
  if (!space) throw new ForecastUsageError(`--space: no default search space for ${a.model}; give one as JSON`);
  const backend = await backendLine(io);
  const file = dataFiles(data)[0];
  const d = await loadForecastData(file, list(a.column));
  // the search sees the training part only (split on observed points, as eval's holdout does);
  // its validation part is the end of the training part; the test part scores the winner once
  const split = splitObserved(d, 0.8);
  const train = split.series.map((s) => s.slice(0, split.trainEnd));
  const progress = bar(io, a.json, trials, `tune ${a.model}`);
  let r;
  try {
    r = await tune({
      space,
      objective: forecastObjective(a.model, train, base, { mask: split.mask }),
      method: a.method as TuneMethod,
      maxTrials: trials,
      maxBudget: maxEpochs,
      minBudget: minEpochs,
      eta: a.eta,
      seed: a.seed,
      onTrial: (t) => progress?.update(t.id, { task: `best so far ${t.score.toFixed(4)}` }),
    });
  } finally {
    progress?.stop();
  }
  const chosen = { ...base, ...r.best.config };
  const window = Number(chosen.window ?? 1);
  const origins = observedOrigins(split.mask, Number.isFinite(window) ? window : 1, 1, split.trainEnd);
  const test = await rollingOrigin(() => createForecaster(a.model!, chosen), split.series, { horizon: 1, trainEnd: split.trainEnd, origins, epochs: r.best.budget });
  const testScore = { mase: test.metrics.mase, mae: test.metrics.mae, points: test.metrics.n };
  const splitInfo = { trainPoints: split.trainEnd, validationPoints: split.trainEnd - validationEnd(split.trainEnd), testStartTime: split.splitTime };
  if (a.json) {
    io.out(JSON.stringify({ model: a.model, data: file, method: r.method, best: r.best, test: testScore, split: splitInfo, trials: r.trials, epochsUsed: r.epochsUsed, seed: a.seed, backend, version: cotwinVersion() }) + "\n");
    return 0;
  }
  io.out(`${r.method} search for ${a.model} on ${file}: ${r.trials.length} trials, ${r.epochsUsed} epochs\n`);
  io.out(`score = validation MASE: fitted on the first ${split.trainEnd - splitInfo.validationPoints} training points, scored on the last ${splitInfo.validationPoints} (the test part is not seen)\n`);
  io.out(trialTable(r) + "\n");
  io.out(`best: trial ${r.best.id} validation MASE ${r.best.score.toFixed(4)} at ${r.best.budget} epochs: ${JSON.stringify(r.best.config)}\n`);
  io.out(`test: refitted on all ${split.trainEnd} training points, MASE ${testScore.mase.toFixed(4)} (MAE ${testScore.mae.toPrecision(4)}) on ${testScore.points} test points after ${split.splitTime} s\n`);
  return 0;
}

// ---------------------------------------------------------------- select

interface SelectArgs {
  data?: string;
  model: string;
  measures?: string;
  params?: string;
  column?: string;
  json: boolean;
  seed: number;
  history?: number;
}

async function selectCommand(a: SelectArgs, io: ForecastCommandIo): Promise<number> {
  const data = needPath("--data", a.data);
  if (!statSync(data).isDirectory()) throw new ForecastUsageError(`--data: ${data} must be a directory of task files (e.g. google2019/job113)`);
  if (!isForecasterKind(a.model)) throw new ForecastUsageError(`--model: unknown model "${a.model}" (known: ${FORECASTER_KINDS.join(", ")})`);
  const measures = (list(a.measures) ?? SIMILARITIES) as Similarity[];
  for (const m of measures) if (!SIMILARITIES.includes(m)) throw new ForecastUsageError(`--measures: unknown measure "${m}" (known: ${SIMILARITIES.join(", ")})`);
  const backend = await backendLine(io);
  const params: Record<string, unknown> = { ...(a.model === "lstm" || a.model === "convformer" ? { seed: a.seed } : {}), ...parseJsonFlag("--params", a.params) };
  const window = Number(params.window ?? 30);
  const fraction = a.history ?? 0.5;
  if (!(fraction > 0 && fraction < 1)) throw new ForecastUsageError(`--history must be a fraction between 0 and 1, got ${String(a.history)}`);
  const tasks = [];
  for (const f of dataFiles(data)) {
    const d = await loadForecastData(f, list(a.column));
    // the new task's pattern and every library model see only the points before the split
    const split = splitObserved(d, fraction);
    tasks.push({
      task: path.basename(f).split("-")[0],
      history: split.series.map((s) => s.slice(0, split.trainEnd)),
      series: split.series,
      origins: observedOrigins(split.mask, window, 1, split.trainEnd),
    });
  }
  const r = await evaluateSelection(a.model, params, tasks, measures, 1, (m) => io.interactive && !a.json && io.err(m + "\n"));
  if (a.json) {
    io.out(JSON.stringify({ ...r, data, history: fraction, backend, seed: a.seed, version: cotwinVersion() }) + "\n");
    return 0;
  }
  io.out(`pattern-based selection of ${a.model} models over ${tasks.length} tasks of ${data}: each task in turn is the new one; library models and patterns from the first ${Math.round(fraction * 100)} % of each task's observed points, MASE on the rest\n`);
  io.out(selectionTable(r) + "\n");
  return 0;
}

// ---------------------------------------------------------------- plot

interface PlotArgs {
  function?: string;
  data?: string;
  model?: string;
  out?: string;
  force?: boolean;
  column?: string;
  points: number;
  json: boolean;
  keepMarkers?: boolean;
}

/** The series a saved model is plotted on, with the points scored and the train/test boundary. */
interface PlotSeries {
  label: string;
  series: Float64Array[];
  mask: Uint8Array;
  times: Float64Array;
  stepS: number;
  /** first plotted index */
  from: number;
  /** first test index, when the model's training split is known */
  trainEnd: number | null;
}

async function plotSeries(file: string, info: TrainingInfo, a: PlotArgs): Promise<PlotSeries> {
  if (info.protocol === "vm-load-daily") {
    const v = await vmLoadDailyData(file, a.keepMarkers ?? info.keepMarkers ?? false);
    return { label: "daily mean load", series: [v.days], mask: new Uint8Array(v.days.length).fill(1), times: v.times, stepS: 86400, from: 0, trainEnd: v.trainEnd };
  }
  const d = await loadForecastData(file, list(a.column) ?? info.columns, { fn: a.function ?? info.function });
  const sameData = info.data !== undefined && path.resolve(info.data) === path.resolve(file);
  if (sameData && info.holdout !== undefined) {
    // the model's own split: the test part is what it never saw
    const split = splitObserved(d, 1 - info.holdout);
    const n = split.series[0].length;
    const from = Math.max(0, split.trainEnd - Math.floor((n - split.trainEnd) / 3));
    return { label: d.columns[0], series: split.series, mask: split.mask, times: split.times, stepS: d.stepS, from, trainEnd: split.trainEnd };
  }
  const n = d.series[0].length;
  const count = Math.min(positiveInt("--points", a.points, 500), n - 1);
  return { label: d.columns[0], series: d.series, mask: d.mask, times: d.times, stepS: d.stepS, from: n - count, trainEnd: null };
}

async function plotCommand(a: PlotArgs, io: ForecastCommandIo): Promise<number> {
  const data = needPath("--data", a.data);
  if (!a.out) throw new ForecastUsageError("--out is required (the directory for the SVG and PNG files)");
  checkOutputDirectory(a.out, { what: "--out", force: a.force, owned: (_d, entries) => entries.every((e) => /\.(svg|png)$/.test(e) || e.startsWith(".")), kind: "a chart directory (SVG and PNG files only)" });
  const written: string[] = [];
  if (a.model) {
    const dir = needPath("--model", a.model);
    await backendLine(io);
    const model = await loadForecaster(dir);
    const info = existsSync(path.join(dir, "training.json")) ? (readJSONFile(path.join(dir, "training.json"), "--model") as TrainingInfo) : {};
    // a vm-load-daily model finds its file in a data directory as eval does
    const file = info.protocol === "vm-load-daily" ? data : dataFiles(data)[0];
    const p = await plotSeries(file, info, a);
    const n = p.series[0].length;
    // the points eval scores: with a known holdout split, eval's window rule (30 steps, less on short series)
    const evalWindow = p.trainEnd !== null && info.holdout !== undefined ? Math.min(30, Math.max(2, Math.floor(p.trainEnd / 10))) : 1;
    const window = Math.max(1, Number(model.params.window ?? 1), evalWindow);
    // forecast every point whose window and target were observed; score only those (and only test
    // points when the split is known): interpolated points are neither drawn nor scored
    const origins = observedOrigins(p.mask, window, 1, Math.max(p.from, window));
    if (origins.length === 0) throw new ForecastUsageError(`--data: ${file} has no observed point with a full ${window}-step window to forecast`);
    const all = scoreForecaster(model, p.series, origins, 1, p.times);
    checkFinite(all.forecast, dir);
    const testIdx = p.trainEnd === null ? null : Array.from(origins.keys()).filter((i) => origins[i] >= p.trainEnd!);
    const pick = (xs: Float64Array, idx: number[]) => Float64Array.from(idx, (i) => xs[i]);
    const scored = testIdx ?? Array.from(origins.keys());
    const m = computeMetrics(pick(all.actual, scored), pick(all.forecast, scored), pick(all.previous, scored));
    const actual = Float64Array.from({ length: n - p.from }, (_, k) => (p.mask[p.from + k] ? p.series[0][p.from + k] : NaN));
    const what = testIdx ? `${scored.length} test points` : `${scored.length} observed points${info.data && path.resolve(info.data) === path.resolve(file) ? ", in-sample" : ""}`;
    const marks = p.trainEnd === null ? [] : [{ x: p.times[p.trainEnd], label: "test part ->" }];
    written.push(
      ...writeChart(
        a.out,
        "forecast",
        lineChart({
          title: `${model.kind}: one-step forecasts, MAE ${m.mae.toPrecision(3)}, MASE ${m.mase.toFixed(3)} (${what})`,
          xLabel: p.times[0] < 1e8 ? "time since the trace start" : "time (UTC)",
          yLabel: p.label,
          time: true,
          maxStep: 1.5 * p.stepS,
          marks,
          series: [
            { name: "actual (observed)", x: p.times.subarray(p.from), y: actual },
            { name: model.kind, x: Float64Array.from(origins, (o) => p.times[o]), y: all.forecast },
          ],
        }),
      ),
    );
    const st = model.stateJSON() as { history?: { loss: number[]; valLoss: number[] } };
    if (st.history && st.history.loss.length) {
      const ep = Float64Array.from(st.history.loss, (_, i) => i + 1);
      written.push(
        ...writeChart(
          a.out,
          "loss",
          lineChart({
            title: `${model.kind}: training and validation loss`,
            xLabel: "epoch",
            yLabel: "MSE (scaled)",
            series: [
              { name: "training", x: ep, y: st.history.loss },
              { name: "validation", x: ep, y: st.history.valLoss },
            ],
          }),
        ),
      );
    }
    model.dispose();
    if (!a.json) io.out(`${model.kind} on ${file}: MAE ${m.mae.toPrecision(4)}, MASE ${m.mase.toFixed(4)} over ${what}\n`);
  } else {
    const file = dataFiles(data)[0];
    const t = readNumericTable(file);
    if (t.columns.length === 0) throw new ForecastUsageError(`--data: ${file} has no numeric columns to plot`);
    // the columns that matter most for forecasting first: the requested ones, else up to 6
    const wanted = list(a.column);
    const idx = wanted ? wanted.map((c) => {
      const i = t.columns.indexOf(c);
      if (i < 0) throw new ForecastUsageError(`--column: ${file} has no numeric column "${c}" (numeric: ${t.columns.join(", ")})`);
      return i;
    }) : t.columns.map((_, i) => i).slice(0, 6);
    for (const i of idx) written.push(...writeChart(a.out, `hist-${t.columns[i]}`, histogram({ title: `distribution of ${t.columns[i]}`, xLabel: t.columns[i], values: t.data[i] })));
    for (let p = 0; p + 1 < idx.length && p < 3; p++) {
      const [i, j] = [idx[0], idx[p + 1]];
      written.push(...writeChart(a.out, `scatter-${t.columns[i]}-${t.columns[j]}`, scatter({ title: `${t.columns[j]} against ${t.columns[i]}`, xLabel: t.columns[i], yLabel: t.columns[j], x: t.data[i], y: t.data[j] })));
    }
    if (t.columns.length >= 2) written.push(...writeChart(a.out, "correlation", heatmap({ title: `Pearson correlation (${path.basename(file)})`, labels: t.columns, matrix: correlationMatrix(t.data) })));
  }
  if (a.json) io.out(JSON.stringify({ files: written, version: cotwinVersion() }) + "\n");
  else for (const f of written) io.out(`wrote ${f}\n`);
  return 0;
}

// ---------------------------------------------------------------- study

interface StudyArgs {
  study?: string;
  data?: string;
  method: string;
  trials: number;
  maxEpochs: number;
  minEpochs: number;
  eta: number;
  steps?: number;
  seed: number;
  json: boolean;
  functions: number;
  duration: number;
  rateScale?: number;
  burstiness?: number;
  keepAlive?: number;
  concurrencyLimit?: number;
}

const STUDIES = ["response-time", "max-memory"] as const;

async function studyCommand(a: StudyArgs, io: ForecastCommandIo): Promise<number> {
  if (!a.study || !(STUDIES as readonly string[]).includes(a.study)) throw new ForecastUsageError(`give a study: ${STUDIES.join(" or ")}${a.study ? ` (got "${a.study}")` : ""}`);
  if (!["random", "hyperband", "bohb"].includes(a.method)) throw new ForecastUsageError(`--method must be random, hyperband or bohb, got "${a.method}"`);
  const budget = searchBudget(a);
  const steps = a.steps === undefined ? undefined : boundedInt("--steps", a.steps, 1, 64);
  const search = { method: a.method as TuneMethod, trials: budget.trials, maxEpochs: budget.maxEpochs, minEpochs: budget.minEpochs, eta: a.eta, seed: a.seed };
  const knobs = { rateScale: a.rateScale, burstiness: a.burstiness, keepAliveS: a.keepAlive, concurrencyLimit: a.concurrencyLimit };
  const generated = Object.values(knobs).some((v) => v !== undefined) || a.data === undefined;
  if (a.study === "max-memory" && (a.data === undefined || Object.values(knobs).some((v) => v !== undefined))) {
    if (a.data === undefined) throw new ForecastUsageError("--data is required (a Google 2019 task file or a directory of them, e.g. google2019/job113)");
    throw new ForecastUsageError("--rate-scale, --burstiness, --keep-alive and --concurrency-limit belong to the response-time study's generated data");
  }
  const backend = await backendLine(io);
  const progress = bar(io, a.json, budget.trials, `study ${a.study}`);
  const onTrial = (id: number, sc: number) => progress?.update(id, { task: `validation RMSE ${sc.toPrecision(4)}` });
  let doc: Record<string, unknown>;
  try {
    if (a.study === "response-time") {
      const { readServerlessRows, responseTimeStudy } = await import("../../workloads/forecast/response-time.ts");
      let rows;
      let source: Record<string, unknown>;
      if (generated && a.data === undefined) {
        const { generateServerlessData } = await import("../../workloads/generators/serverless.ts");
        const { serverlessPreset } = await import("./data.ts");
        const n = boundedInt("--functions", a.functions, 1, 100);
        if (!(a.duration > 0 && a.duration <= 7 * 86400)) throw new ForecastUsageError(`--duration must be seconds in (0, ${7 * 86400}], got ${a.duration}`);
        const load = Object.fromEntries(Object.entries(knobs).filter(([, v]) => v !== undefined));
        let g;
        try {
          g = generateServerlessData({ functions: serverlessPreset(n), durationS: a.duration, seed: a.seed, load });
        } catch (e) {
          throw new ForecastUsageError((e as Error).message.replace(/^generateServerlessData: /, "load knobs: "));
        }
        rows = g.rows;
        source = { generated: { functions: n, durationS: a.duration, seed: a.seed, load }, stats: g.stats };
      } else {
        if (generated) throw new ForecastUsageError("--rate-scale, --burstiness, --keep-alive and --concurrency-limit shape generated data: leave out --data");
        const file = needPath("--data", a.data);
        rows = readServerlessRows(file);
        source = { data: file };
      }
      const r = await responseTimeStudy(rows, { steps, search: { ...search, onTrial } });
      doc = { study: a.study, ...source, ...r };
    } else {
      const { maxMemoryStudy } = await import("../../workloads/forecast/max-memory.ts");
      const files = dataFiles(needPath("--data", a.data));
      const r = await maxMemoryStudy(files, { steps, search: { ...search, onTrial } });
      doc = { study: a.study, data: a.data, ...r };
    }
  } finally {
    progress?.stop();
  }
  doc = { ...doc, method: a.method, seed: a.seed, backend, version: cotwinVersion() };
  if (a.json) {
    io.out(JSON.stringify(doc) + "\n");
    return 0;
  }
  const model = a.study === "response-time" ? "lstm" : "convformer";
  const net = doc[model] as { config: Record<string, unknown>; validation: { rmse: number }; test: { n: number; mae: number; rmse: number; r2: number }; epochs: number };
  const parts = doc.parts as { train: number; validation: number; test: number };
  const lin = doc.linear as { mae: number; rmse: number; r2: number };
  const mean = doc.meanBaseline as { mae: number; rmse: number; r2: number };
  const target = a.study === "response-time" ? "ResponseTime (s)" : "max_memory_usage";
  io.out(`${a.study}: ${target} from ${(doc.featureNames ?? doc.features) as string[]} (${doc.steps} rows per sample)\n`);
  if (doc.missingFeatures && (doc.missingFeatures as string[]).length) io.out(`not in this data: ${(doc.missingFeatures as string[]).join(", ")}\n`);
  if (doc.stats) io.out(`generated: ${(doc.stats as { id: string; invocations: number; throttled: number; coldStarts: number; errors: number }[]).map((x) => `${x.id} ${x.invocations} calls, ${x.throttled} throttled, ${x.coldStarts} cold`).join("; ")}\n`);
  io.out(`chronological parts: ${parts.train} train, ${parts.validation} validation (search and early stopping), ${parts.test} test (scored once)\n`);
  io.out(
    formatTable(
      ["model (test part)", "MAE", "RMSE", "R2"],
      [
        ["training mean", mean.mae, mean.rmse, mean.r2],
        ["least squares", lin.mae, lin.rmse, lin.r2],
        [model, net.test.mae, net.test.rmse, net.test.r2],
      ],
      4,
    ) + "\n",
  );
  io.out(`${a.method} search: ${(doc.trials as unknown[]).length} trials; chosen ${JSON.stringify(net.config)} (validation RMSE ${net.validation.rmse.toPrecision(4)}, ${net.epochs} epochs)\n`);
  return 0;
}

// ---------------------------------------------------------------- parser

/** Runs `cotwin forecast <args>` (argv without the leading "forecast"); resolves to the exit code. */
export async function runForecastCommand(argv: string[], io: ForecastCommandIo = processIo()): Promise<number> {
  if (argv[0] === "forecast") argv = argv.slice(1);
  let code = 0;
  const common = {
    json: { type: "boolean", default: false, describe: "print one JSON object on stdout" },
    column: { type: "string", describe: "value column(s), comma-separated: the first is the target, others are extra inputs (Google default avg_cpu_usage)" },
    function: { type: "string", describe: "serverless data: one function's series (its FunctionID)" },
  } as const;
  const parser = yargs(argv)
    .scriptName("cotwin forecast")
    .usage("cotwin forecast <command>\n\nWorkload forecasting: every model is reported next to the previous-value forecast (MASE).")
    .strict()
    .demandCommand(1, "give a forecast command: eval, train, predict, tune, select, plot or study")
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new ForecastUsageError(msg);
    })
    // Numeric flags that do not parse arrive as NaN, repeated flags as arrays: name the flag.
    .middleware((a) => {
      const make = (m: string) => new ForecastUsageError(m);
      checkRepeatedFlags(a, [], make);
      checkNumericFlags(a, argv, make);
    }, true)
    .command(
      "eval",
      "evaluate forecasters under a named protocol",
      (y) =>
        y
          .options(common)
          .option("data", { type: "string", describe: "a trace file or a directory of task files" })
          .option("protocol", { type: "string", default: "holdout", describe: `one of ${PROTOCOLS.join(", ")}` })
          .option("models", { type: "string", describe: `comma-separated (default all: ${FORECASTER_KINDS.join(",")})` })
          .option("horizon", { type: "number", describe: "steps ahead (default 1)" })
          .option("seed", { type: "number", default: 42 })
          .option("budget", { type: "string", default: "small", describe: "neural training budget: small or full" })
          .option("train-task", { type: "string", describe: "google-job: task file (or its number) to train on" })
          .option("keep-markers", { type: "boolean", default: false, describe: "vm-load-daily: keep the -1 markers inside the daily means (as the published notebook did)" })
          .option("calendar", { type: "string", default: "auto", describe: "calendar inputs (sin/cos of hour of day, day of week) for ridge, lstm, convformer: auto (where the data supports them and they help on validation), on, off" })
          .option("params", { type: "string", describe: 'per-model overrides as JSON, e.g. {"ridge":{"l2":10}}' })
          .option("out", { type: "string", describe: "also write the JSON result to this file (an earlier eval result is replaced; anything else is refused)" })
          .option("force", { type: "boolean", default: false, describe: "write --out even over a file eval did not write" }),
      async (a) => {
        code = await evalCommand(a as unknown as EvalArgs, io);
      },
    )
    .command(
      "train",
      "fit one forecaster on a file and save it",
      (y) =>
        y
          .options(common)
          .option("data", { type: "string" })
          .option("model", { type: "string", describe: FORECASTER_KINDS.join(", ") })
          .option("params", { type: "string", describe: "hyper-parameters as JSON" })
          .option("horizon", { type: "number", describe: "steps forecast directly (default 1)" })
          .option("seed", { type: "number" })
          .option("holdout", { type: "number", describe: "hold out this share of the observed points (the end of the file) for plot to score" })
          .option("protocol", { type: "string", describe: "vm-load-daily: train on that protocol's daily series and training days" })
          .option("keep-markers", { type: "boolean", default: false, describe: "vm-load-daily: keep the -1 markers inside the daily means (as the published notebook did)" })
          .option("calendar", { type: "string", default: "auto", describe: "calendar inputs (sin/cos of hour of day, day of week) for ridge, lstm, convformer: auto (where the data supports them and they help on validation), on, off" })
          .option("budget", { type: "string", default: "small", describe: "vm-load-daily neural training budget: small or full" })
          .option("out", { type: "string", describe: "model directory to write" })
          .option("force", { type: "boolean", default: false, describe: "write --out even into a non-empty directory that holds no model" }),
      async (a) => {
        code = await trainCommand(a as unknown as TrainArgs, io);
      },
    )
    .command(
      "predict",
      "forecast the steps after the end of a file with a saved model",
      (y) =>
        y
          .options(common)
          .option("model", { type: "string", describe: "a directory written by forecast train" })
          .option("data", { type: "string" })
          .option("horizon", { type: "number", default: 1 }),
      async (a) => {
        code = await predictCommand(a as unknown as PredictArgs, io);
      },
    )
    .command(
      "tune",
      "hyper-parameter search (random, hyperband, bohb)",
      (y) =>
        y
          .options(common)
          .option("data", { type: "string", describe: "a file (or a directory: its first file)" })
          .option("model", { type: "string", describe: Object.keys(SEARCH_SPACES).join(", ") })
          .option("method", { type: "string", default: "bohb" })
          .option("trials", { type: "number", default: 20, describe: "evaluations in total" })
          .option("max-epochs", { type: "number", default: 9, describe: "epochs of the largest budget" })
          .option("min-epochs", { type: "number", default: 1 })
          .option("eta", { type: "number", default: 3 })
          .option("seed", { type: "number", default: 42 })
          .option("space", { type: "string", describe: 'search space as JSON, e.g. {"l2":{"type":"float","min":0.01,"max":10,"log":true}}' })
          .option("params", { type: "string", describe: "fixed hyper-parameters as JSON" }),
      async (a) => {
        code = await tuneCommand(a as unknown as TuneArgs, io);
      },
    )
    .command(
      "select",
      "pattern-based model selection across the tasks of a job",
      (y) =>
        y
          .options(common)
          .option("data", { type: "string", describe: "directory of task files" })
          .option("model", { type: "string", default: "ridge" })
          .option("measures", { type: "string", describe: SIMILARITIES.join(",") })
          .option("history", { type: "number", default: 0.5, describe: "share of each task's observed points that is history (patterns, library models); the rest is scored" })
          .option("params", { type: "string" })
          .option("seed", { type: "number", default: 42 }),
      async (a) => {
        code = await selectCommand(a as unknown as SelectArgs, io);
      },
    )
    .command(
      "plot",
      "SVG + PNG charts: forecasts and losses of a model, or a data set's distributions and correlations",
      (y) =>
        y
          .options(common)
          .option("data", { type: "string" })
          .option("model", { type: "string", describe: "a saved model: plot its forecasts on --data" })
          .option("out", { type: "string", describe: "directory for the charts" })
          .option("force", { type: "boolean", default: false, describe: "write --out even into a directory that holds other files than charts" })
          .option("points", { type: "number", default: 500, describe: "last points forecast one step ahead (when the model's split is unknown)" })
          .option("keep-markers", { type: "boolean", describe: "vm-load-daily models: keep the -1 markers (default: as trained)" }),
      async (a) => {
        code = await plotCommand(a as unknown as PlotArgs, io);
      },
    )
    .command(
      "study <study>",
      "the original studies' regression models: response-time (serverless LSTM) or max-memory (ConvFormer on Google 2019)",
      (y) =>
        y
          .options(common)
          .positional("study", { type: "string", describe: STUDIES.join(" or ") })
          .option("data", { type: "string", describe: "response-time: serverless CSV (default: generated); max-memory: Google 2019 task file or directory" })
          .option("method", { type: "string", default: "bohb", describe: "search: random, hyperband or bohb" })
          .option("trials", { type: "number", default: 8 })
          .option("max-epochs", { type: "number", default: 9 })
          .option("min-epochs", { type: "number", default: 1 })
          .option("eta", { type: "number", default: 3 })
          .option("steps", { type: "number", describe: "rows per sample (response-time 4, max-memory 6)" })
          .option("seed", { type: "number", default: 42 })
          .option("functions", { type: "number", default: 4, describe: "generated data: functions" })
          .option("duration", { type: "number", default: 3600, describe: "generated data: seconds" })
          .option("rate-scale", { type: "number", describe: "generated data: every function's rate times this" })
          .option("burstiness", { type: "number", describe: "generated data: burst rate over mean rate (1 = Poisson, at most 10)" })
          .option("keep-alive", { type: "number", describe: "generated data: keep-alive of every function, s" })
          .option("concurrency-limit", { type: "number", describe: "generated data: invocations in flight before throttling" }),
      async (a) => {
        code = await studyCommand(a as unknown as StudyArgs, io);
      },
    )
    .help();
  try {
    await parser.parseAsync();
  } catch (e) {
    const err = e as Error;
    // workloads' messages that name a flag ("--data: ...") are about the input too
    if (e instanceof ForecastUsageError || INPUT_ERRORS.has(err.name) || /^--[a-z]/.test(err.message)) {
      io.err(`cotwin forecast: ${err.message}\n`);
      return 2;
    }
    return reportError(err, "cotwin forecast", (t) => io.err(t));
  }
  return code;
}
