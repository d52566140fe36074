import { formatTable } from "./table.ts";
import { createForecaster } from "./registry.ts";
import { scoreForecaster } from "../eval/rolling.ts";
import type { SeriesSet } from "./types.ts";

/**
 * Pattern-based model selection: with one fitted model per task of a job, forecast an unseen
 * task with the model of the most similar known task. Similarity of two series: DTW inside a
 * Sakoe-Chiba band, Euclidean distance of z-normalised series, or Pearson correlation.
 */
export type Similarity = "dtw" | "euclidean" | "pearson";
export const SIMILARITIES: Similarity[] = ["dtw", "euclidean", "pearson"];

export function znormalise(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i] / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - m) ** 2 / n;
  const sd = Math.sqrt(v);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sd > 1e-12 ? (x[i] - m) / sd : 0;
  return out;
}

/** Piecewise aggregate approximation: the means of `segments` equal parts. */
export function paa(x: ArrayLike<number>, segments: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(segments);
  for (let s = 0; s < segments; s++) {
    const a = Math.floor((s * n) / segments);
    const b = Math.max(a + 1, Math.floor(((s + 1) * n) / segments));
    let sum = 0;
    for (let i = a; i < b; i++) sum += x[Math.min(i, n - 1)];
    out[s] = sum / (b - a);
  }
  return out;
}

/**
 * Dynamic time warping: sqrt of the least sum of squared differences over warping paths whose
 * steps stay within |i - j| <= window (Sakoe-Chiba band; widened to the length difference so a
 * path exists). window = Infinity gives unconstrained DTW; window = 0 with equal lengths is Euclidean.
 */
export function dtw(a: ArrayLike<number>, b: ArrayLike<number>, window = Infinity): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new Error("dtw: empty series");
  const w = Math.max(window, Math.abs(n - m));
  let prev = new Float64Array(m + 1).fill(Infinity);
  let cur = new Float64Array(m + 1).fill(Infinity);
  prev[0] = 0;
  for (let i = 1; i <= n; i++) {
    cur.fill(Infinity);
    const lo = Math.max(1, i - w);
    const hi = Math.min(m, i + w);
    for (let j = lo; j <= hi; j++) {
      const c = (a[i - 1] - b[j - 1]) ** 2;
      cur[j] = c + Math.min(prev[j - 1], prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return Math.sqrt(prev[m]);
}

/** Euclidean distance of the z-normalised series (equal lengths). */
export function euclideanZ(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`euclidean: lengths differ (${a.length} vs ${b.length})`);
  const za = znormalise(a);
  const zb = znormalise(b);
  let s = 0;
  for (let i = 0; i < za.length; i++) s += (za[i] - zb[i]) ** 2;
  return Math.sqrt(s);
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** A task's pattern: its z-normalised series reduced to `length` PAA segments. */
export function signature(series: ArrayLike<number>, length = 64): Float64Array {
  return znormalise(paa(znormalise(series), Math.min(length, series.length)));
}

/** Smaller is more similar (Pearson becomes 1 - r). DTW's band is 10 % of the length. */
export function dissimilarity(measure: Similarity, a: Float64Array, b: Float64Array): number {
  switch (measure) {
    case "dtw":
      return dtw(a, b, Math.max(1, Math.round(0.1 * Math.max(a.length, b.length))));
    case "euclidean":
      return euclideanZ(a, b);
    case "pearson":
      return 1 - pearson(a, b);
  }
}

/** The known task whose pattern is nearest to the unseen one. */
export function pickNearest(measure: Similarity, known: { task: string; signature: Float64Array }[], unseen: Float64Array): { task: string; distance: number } {
  let best = { task: "", distance: Infinity };
  for (const k of known) {
    const d = dissimilarity(measure, k.signature, unseen);
    if (d < best.distance) best = { task: k.task, distance: d };
  }
  return best;
}

export interface SelectionTask {
  task: string;
  /** what the task's model is fitted on (and its pattern is taken from) */
  train: SeriesSet;
  /** where the models are scored on this task */
  test: SeriesSet;
  origins: ArrayLike<number>;
}

export interface SelectionRow {
  task: string;
  picked: string;
  best: string;
  match: boolean;
  pickedMae: number;
  bestMae: number;
  /** (picked MAE - best MAE) / best MAE */
  loss: number;
}

export interface SelectionReport {
  model: string;
  /** errors[i][j]: MAE of task i's model on task j */
  errors: number[][];
  tasks: string[];
  measures: { measure: Similarity; rows: SelectionRow[]; matchRate: number; meanLoss: number; meanLossWhenWrong: number }[];
}

/**
 * Leave-one-task-out: each task in turn is the unseen one; the pick is the most similar other
 * task's model; the best in hindsight is the other task's model with the lowest MAE on it.
 */
export async function evaluateSelection(
  kind: string,
  params: Record<string, unknown>,
  tasks: SelectionTask[],
  measures: Similarity[] = SIMILARITIES,
  horizon = 1,
  onProgress?: (msg: string) => void,
): Promise<SelectionReport> {
  if (tasks.length < 3) throw new Error("select: needs at least three tasks (one unseen, two to choose from)");
  const errors: number[][] = [];
  for (const owner of tasks) {
    onProgress?.(`select: fitting ${kind} on task ${owner.task}`);
    const model = createForecaster(kind, params);
    try {
      await model.fit(owner.train, { horizon });
      errors.push(tasks.map((t) => scoreForecaster(model, t.test, t.origins, horizon).metrics.mae));
    } finally {
      model.dispose();
    }
  }
  const sigs = tasks.map((t) => ({ task: t.task, signature: signature(t.train[0]) }));
  const out: SelectionReport["measures"] = [];
  for (const measure of measures) {
    const rows: SelectionRow[] = tasks.map((t, j) => {
      const others = sigs.filter((_, i) => i !== j);
      const picked = pickNearest(measure, others, sigs[j].signature).task;
      let best = -1;
      tasks.forEach((_, i) => {
        if (i !== j && (best < 0 || errors[i][j] < errors[best][j])) best = i;
      });
      const pi = tasks.findIndex((x) => x.task === picked);
      const pickedMae = errors[pi][j];
      const bestMae = errors[best][j];
      return { task: t.task, picked, best: tasks[best].task, match: pi === best, pickedMae, bestMae, loss: bestMae > 0 ? (pickedMae - bestMae) / bestMae : 0 };
    });
    const wrong = rows.filter((r) => !r.match);
    out.push({
      measure,
      rows,
      matchRate: rows.filter((r) => r.match).length / rows.length,
      meanLoss: rows.reduce((s, r) => s + r.loss, 0) / rows.length,
      meanLossWhenWrong: wrong.length ? wrong.reduce((s, r) => s + r.loss, 0) / wrong.length : 0,
    });
  }
  return { model: kind, errors, tasks: tasks.map((t) => t.task), measures: out };
}

export function selectionTable(r: SelectionReport): string {
  const summary = formatTable(
    ["measure", "match rate", "mean MAE loss %", "loss when wrong %"],
    r.measures.map((m) => [m.measure, m.matchRate, 100 * m.meanLoss, 100 * m.meanLossWhenWrong]),
    3,
  );
  const detail = formatTable(
    ["measure", "unseen task", "picked", "best", "picked MAE", "best MAE", "loss %"],
    r.measures.flatMap((m) => m.rows.map((x) => [m.measure, x.task, x.picked, x.best, x.pickedMae, x.bestMae, 100 * x.loss])),
    6,
  );
  return `${summary}\n\n${detail}`;
}
