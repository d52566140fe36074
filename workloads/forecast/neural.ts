import * as tf from "@tensorflow/tfjs";
import path from "node:path";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { initBackend } from "./backend.ts";
import { BaseForecaster } from "./base.ts";
import { ForecastInputError } from "./errors.ts";
import { cotwinVersion, writeFileAtomic } from "./io.ts";
import "./layers.ts";
import { trainNetwork } from "./train-loop.ts";
import { fitScaler, type ScalerState } from "./scaler.ts";
import type { EpochLog, FitOptions, FitReport, SavedModel, SeriesSet } from "./types.ts";
import { asSeriesSet } from "./types.ts";
import { gridThenNelderMead } from "./optimize.ts";
import { sesSSE } from "./ses.ts";
import { calendarParamSchema, calendarRows, checkSavedCalendar, checkTimes, fitCalendar, type CalendarPeriod, type CalendarState } from "./calendar.ts";
import { buildInputs, buildTargets, directAt, sesLevels, unscaleOutputs, validOrigins, type TargetMode } from "./windows.ts";

/** Hyper-parameters every neural forecaster shares (training loop, windows, schedule). */
export const neuralCommon = {
  /** input window length (steps of every input series) */
  window: z.number().int().min(2).default(30),
  epochs: z.number().int().min(1).default(30),
  batchSize: z.number().int().min(1).default(64),
  learningRate: z.number().positive().default(0.003),
  /** early stopping: epochs without a better validation loss before stopping */
  patience: z.number().int().min(1).default(5),
  /** an epoch counts as an improvement only if it lowers the best validation loss by this fraction */
  minDelta: z.number().min(0).max(0.5).default(0.002),
  /** share of training windows, taken from the END of the training data, used for validation */
  validationFraction: z.number().min(0.05).max(0.5).default(0.2),
  /** "plateau": multiply the rate by lrFactor after lrPatience epochs without improvement;
   *  "exponential": rate = learningRate * exp(-lrDecay * epoch) */
  lrSchedule: z.enum(["plateau", "exponential", "none"]).default("plateau"),
  lrFactor: z.number().positive().max(1).default(0.5),
  lrPatience: z.number().int().min(1).default(2),
  lrDecay: z.number().min(0).default(0.05),
  minLearningRate: z.number().positive().default(1e-5),
  dropout: z.number().min(0).max(0.9).default(0.1),
  /** what the network learns: the change from the last value ("delta"), the residual over simple
   *  exponential smoothing ("ses", alpha fitted on the training data), or the level itself */
  target: z.enum(["delta", "ses", "level"]).default("delta"),
  /** "relative": inputs are changes from the window's last value (level-free, transfers across
   *  tasks); "level": standardised values */
  inputs: z.enum(["relative", "level"]).default("relative"),
  seed: z.number().int().default(42),
  /** train on every stride-th window only: neighbouring windows of a long series overlap almost
   *  entirely, so a stride of 2 or 3 costs little accuracy and divides the epoch time */
  stride: z.number().int().min(1).default(1),
  /** stop after the epoch that crosses this wall-clock budget (not reproducible; off by default) */
  maxTrainSeconds: z.number().positive().optional(),
  /** calendar inputs: sin/cos of the forecast step's position in these periods, as extra input
   *  channels (the same value at every step of the window; see calendar.ts) */
  calendar: calendarParamSchema,
};

export interface NeuralParams extends Record<string, unknown> {
  window: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  minDelta: number;
  validationFraction: number;
  lrSchedule: "plateau" | "exponential" | "none";
  lrFactor: number;
  lrPatience: number;
  lrDecay: number;
  minLearningRate: number;
  dropout: number;
  target: TargetMode;
  inputs: "relative" | "level";
  seed: number;
  stride: number;
  maxTrainSeconds?: number;
  calendar: CalendarPeriod[];
}

export interface NeuralState {
  scaler: ScalerState;
  /** target "ses": the smoothing constant the residuals are taken over */
  sesAlpha?: number;
  nSeries: number;
  horizon: number;
  history: { loss: number[]; valLoss: number[]; lr: number[] };
  bestEpoch: number;
  /** present when the model has calendar inputs */
  calendar?: CalendarState;
}

interface TrainData {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** A weights file named in model.json: a plain file inside the model directory, never a path out of it. */
function weightsPath(dir: string, name: string, where: string): string {
  const root = path.resolve(dir);
  const file = path.resolve(root, name);
  const rel = path.relative(root, file);
  if (name === "" || path.isAbsolute(name) || rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ForecastInputError(`model: ${where}: weightsFile "${name}" must name a file inside the model directory`);
  }
  return file;
}

const weightSpecSchema = z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.literal("float32") });

function checkWeightSpecs(raw: unknown[], where: string): z.infer<typeof weightSpecSchema>[] {
  return raw.map((w, i) => {
    const r = weightSpecSchema.safeParse(w);
    if (!r.success) throw new ForecastInputError(`model: ${where}: weightSpecs[${i}] is not a float32 weight spec (${z.prettifyError(r.error).replace(/\n/g, "; ")})`);
    return r.data;
  });
}

/** The SES constant with the least one-step squared error (as SesForecaster fits it). */
function fitSesAlpha(y: Float64Array): number {
  return gridThenNelderMead((x) => sesSSE(y, x[0]), { lo: [0], hi: [1] }, 101).x[0];
}

/**
 * Training loop, batched forecasting and weight files shared by the LSTM and the ConvFormer.
 * A subclass only builds the (untrained, seeded) network.
 */
export abstract class NeuralForecaster<P extends NeuralParams> extends BaseForecaster<P, NeuralState> {
  protected model: tf.LayersModel | null = null;

  protected abstract buildModel(window: number, nSeries: number, horizon: number): tf.LayersModel;

  private predictScaled(x: Float32Array, n: number, nSeries: number): Float32Array {
    const model = this.model;
    if (!model) throw new Error(`${this.kind}: no network (fit or load first)`);
    const w = this.params.window;
    const h = (model.outputs[0].shape[1] as number) ?? 1;
    const out = new Float32Array(n * h);
    const chunk = 2048;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const part = tf.tidy(() => {
        const xt = tf.tensor3d(x.subarray(s * w * nSeries, (s + m) * w * nSeries), [m, w, nSeries]);
        return (model.predict(xt) as tf.Tensor).dataSync();
      });
      out.set(part, s * h);
    }
    return out;
  }

  protected async fitState(series: SeriesSet, opts: FitOptions): Promise<Omit<FitReport, "trainMs">> {
    await initBackend();
    const p = this.params;
    const h = opts.horizon ?? 1;
    const epochs = opts.epochs ?? p.epochs;
    const ns = series.length;
    const all = validOrigins(series[0].length, p.window, h);
    const nVal = Math.max(1, Math.floor(all.length * p.validationFraction));
    // drop the last h-1 training windows so no training target falls in the validation part
    const nTrain = all.length - nVal - (h - 1);
    if (nTrain < 2) throw new Error(`${this.kind}.fit: series too short (${series[0].length}) for window ${p.window}, horizon ${h} and a validation split`);
    // with a stride, the windows kept end at the last training window (the most recent data)
    const trainOrigins = all.subarray(0, nTrain).filter((_, i) => (nTrain - 1 - i) % p.stride === 0);
    const valOrigins = all.subarray(all.length - nVal);
    const scaler = fitScaler(series);
    const calendar = fitCalendar(`${this.kind}.fit`, p.calendar, opts.times, series[0].length);
    const channels = ns + 2 * p.calendar.length;
    // the SES constant comes from the training windows only (not the validation part)
    const sesAlpha = p.target === "ses" ? fitSesAlpha(series[0].subarray(0, trainOrigins[trainOrigins.length - 1] + h)) : undefined;
    const base = sesAlpha === undefined ? undefined : sesLevels(series[0], sesAlpha);
    const train: TrainData = {
      x: this.inputs(series, trainOrigins, scaler, calendar, opts.times),
      y: buildTargets(series[0], trainOrigins, h, scaler, p.target, undefined, base) as Float32Array,
      n: trainOrigins.length,
    };
    const val: TrainData = {
      x: this.inputs(series, valOrigins, scaler, calendar, opts.times),
      y: buildTargets(series[0], valOrigins, h, scaler, p.target, undefined, base) as Float32Array,
      n: nVal,
    };
    this.model?.dispose();
    this.model = this.buildModel(p.window, channels, h);
    this.state = { scaler, ...(sesAlpha !== undefined ? { sesAlpha } : {}), nSeries: ns, horizon: h, history: { loss: [], valLoss: [], lr: [] }, bestEpoch: 0, ...(calendar ? { calendar } : {}) };
    const r = await this.train(train, val, channels, h, epochs, opts.onEpoch);
    this.state.history = r.history;
    this.state.bestEpoch = r.bestEpoch;
    return { history: r.history, bestEpoch: r.bestEpoch, epochsRun: r.history.loss.length };
  }

  private async train(
    train: TrainData,
    val: TrainData,
    ns: number,
    h: number,
    epochs: number,
    onEpoch?: (log: EpochLog) => void,
  ): Promise<{ history: NeuralState["history"]; bestEpoch: number }> {
    const w = this.params.window;
    return trainNetwork(this.model!, { x: train.x, y: train.y, n: train.n, shape: [w, ns], outputs: h }, { x: val.x, y: val.y, n: val.n }, { ...this.params, epochs }, (x, n) => this.predictScaled(x, n, ns), onEpoch);
  }

  /** Windows [origins, window, series + calendar channels]: the calendar of the forecast step repeated over the window. */
  private inputs(series: Float64Array[], origins: ArrayLike<number>, scaler: ScalerState, calendar: CalendarState | undefined, times: ArrayLike<number> | undefined): Float32Array {
    const w = this.params.window;
    const lags = buildInputs(series, origins, w, scaler, undefined, this.params.inputs === "relative") as Float32Array;
    if (!calendar) return lags;
    const ns = series.length;
    const nc = 2 * calendar.periods.length;
    const cal = calendarRows(times!, calendar.stepS, origins, calendar.periods);
    const x = new Float32Array(origins.length * w * (ns + nc));
    let k = 0;
    for (let i = 0; i < origins.length; i++) {
      for (let j = 0; j < w; j++) {
        for (let s = 0; s < ns; s++) x[k++] = lags[(i * w + j) * ns + s];
        for (let c = 0; c < nc; c++) x[k++] = cal[i * nc + c];
      }
    }
    return x;
  }

  private rows(series: Float64Array[], origins: ArrayLike<number>, times: ArrayLike<number> | undefined): Float64Array[] {
    const st = this.fitted();
    const x = this.inputs(series, origins, st.scaler, st.calendar, times);
    const z = this.predictScaled(x, origins.length, st.nSeries + 2 * (st.calendar?.periods.length ?? 0));
    const base = st.sesAlpha === undefined ? undefined : sesLevels(series[0], st.sesAlpha);
    return unscaleOutputs(z, series[0], origins, st.horizon, st.scaler, this.params.target, base);
  }

  protected forecastFrom(history: SeriesSet, horizon: number, times?: ArrayLike<number>): Float64Array {
    return this.predictAt(history, [history[0].length], horizon, times)[0];
  }

  override predictAt(series: SeriesSet | Float64Array, origins: ArrayLike<number>, horizon: number, times?: ArrayLike<number>): Float64Array[] {
    const set = asSeriesSet(series);
    const st = this.fitted();
    if (set.length !== st.nSeries) throw new Error(`${this.kind}: fitted on ${st.nSeries} series, given ${set.length}`);
    for (let i = 0; i < origins.length; i++) {
      if (origins[i] < 1 || origins[i] > set[0].length) throw new Error(`${this.kind}.predictAt: origin ${origins[i]} outside 1..${set[0].length}`);
    }
    checkTimes(this.kind, st.calendar?.periods ?? [], times, set[0].length);
    return directAt(set, origins, horizon, st.horizon, (s, o) => this.rows(s, o, times));
  }

  protected override async saveExtras(dir: string): Promise<Partial<SavedModel>> {
    const model = this.model;
    if (!model) throw new Error(`${this.kind}: nothing to save (fit first)`);
    let art: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        art = a;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
      }),
    );
    const a = art as tf.io.ModelArtifacts | null;
    if (!a || !a.weightData || !a.weightSpecs) throw new Error(`${this.kind}: tfjs returned no weights`);
    const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
    writeFileAtomic(path.join(dir, "weights.bin"), new Uint8Array(data));
    return {
      tfjs: { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightsFile: "weights.bin" },
      savedBy: { version: cotwinVersion(), backend: tf.getBackend() },
    };
  }

  override async restore(saved: SavedModel, dir: string): Promise<void> {
    await initBackend();
    const where = path.join(dir, "model.json");
    const calBad = checkSavedCalendar(saved.params, saved.state, `model: ${where}`);
    if (calBad) throw new ForecastInputError(calBad);
    if (!saved.tfjs) throw new ForecastInputError(`model: ${where} has no network (tfjs section missing)`);
    const file = weightsPath(dir, saved.tfjs.weightsFile, where);
    const specs = checkWeightSpecs(saved.tfjs.weightSpecs, where);
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch {
      throw new ForecastInputError(`model: weights file ${file} is missing or unreadable`);
    }
    const need = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (buf.byteLength !== need) throw new ForecastInputError(`model: weights file ${file} holds ${buf.byteLength} bytes, the weight specs in ${where} need ${need} (truncated or from another model)`);
    const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const values = new Float32Array(weightData);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new ForecastInputError(`model: weights file ${file} holds a non-finite weight (value ${i})`);
    }
    this.model?.dispose();
    try {
      this.model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: saved.tfjs.modelTopology as tf.io.ModelArtifacts["modelTopology"],
          weightSpecs: specs as tf.io.WeightsManifestEntry[],
          weightData,
        }),
      );
    } catch (e) {
      throw new ForecastInputError(`model: ${where}: the network does not load (${(e as Error).message.split("\n")[0]})`);
    }
    await super.restore(saved, dir);
  }

  override dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
