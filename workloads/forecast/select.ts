import { formatTable } from "./table.ts";
import { createForecaster } from "./registry.ts";
import { scoreForecaster } from "../eval/rolling.ts";
import type { Forecaster, SeriesSet } from "./types.ts";

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

/**
 * A task's pattern: its history reduced to `length` PAA segments, in its own units (each measure
 * normalises as it needs: DTW and Pearson compare shapes, Euclidean compares levels too).
 */
export function signature(series: ArrayLike<number>, length = 64): Float64Array {
  return paa(series, Math.min(length, series.length));
}

/** Euclidean distance of two equal-length vectors as they are (levels included). */
export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`euclidean: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Smaller is more similar. DTW (band 10 % of the length) on z-normalised signatures compares
 * shapes allowing shifts; Pearson (1 - r) compares shapes without shifts; Euclidean on the raw
 * signatures compares levels and amplitudes. (Euclidean on z-normalised series would be a
 * function of Pearson's r, sqrt(2n(1 - r)), and always pick the same task.)
 */
export function dissimilarity(measure: Similarity, a: Float64Array, b: Float64Array): number {
  switch (measure) {
    case "dtw":
      return dtw(znormalise(a), znormalise(b), Math.max(1, Math.round(0.1 * Math.max(a.length, b.length))));
    case "euclidean":
      return euclidean(a, b);
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
  /** observed points before the task's split: what its library model is fitted on, and the only
   *  part its pattern is taken from when it is the new task */
  history: SeriesSet;
  /** the task after its split (with the points before it, so windows reach back), and its mask */
  series: SeriesSet;
  /** forecast origins in `series`, all after the split, windows and targets observed */
  origins: ArrayLike<number>;
}

export interface SelectionRow {
  task: string;
  /** per measure: the library task picked and the MASE of its model here */
  picks: { measure: Similarity; picked: string; mase: number }[];
  /** expected MASE of a uniformly random pick among the other tasks' models (exact mean) */
  random: number;
  /** one model fitted on the pooled histories of all the other tasks */
  global: number;
  /** a model fitted on this task's own history (what a new task has when it has a history) */
  own: number;
  best: { task: string; mase: number };
}

export interface SelectionReport {
  model: string;
  tasks: string[];
  /** mase[i][j]: MASE of task i's library model on task j's test part */
  mase: number[][];
  rows: SelectionRow[];
  summary: { strategy: string; meanMase: number; beatsRandom: number }[];
  verdict: string;
}

function pooled(parts: SeriesSet[]): SeriesSet {
  return parts[0].map((_, s) => {
    const out = new Float64Array(parts.reduce((n, p) => n + p[s].length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p[s], o);
      o += p[s].length;
    }
    return out;
  });
}

async function fitted(kind: string, params: Record<string, unknown>, data: SeriesSet, horizon: number, score: (m: Forecaster) => number[]): Promise<number[]> {
  const model = createForecaster(kind, params);
  try {
    await model.fit(data, { horizon });
    return score(model);
  } finally {
    model.dispose();
  }
}

/**
 * Pattern-based selection as in the EuroMLSys'23 setting: a library of models, one per known
 * workload, and a new workload that gets the model of the most similar known one. Each task in
 * turn is the new one. Its pattern comes only from its history (the observed points before its
 * split, what exists when its forecasts start); it is scored on the rest. Library models are
 * fitted on the other tasks' histories. Beside every measure: a random pick (exact expectation),
 * one global model fitted on all the other histories, the task's own history model, and the best
 * library model in hindsight.
 */
export async function evaluateSelection(
  kind: string,
  params: Record<string, unknown>,
  tasks: SelectionTask[],
  measures: Similarity[] = SIMILARITIES,
  horizon = 1,
  onProgress?: (msg: string) => void,
): Promise<SelectionReport> {
  if (tasks.length < 3) throw new Error("select: needs at least three tasks (one new, two to choose from)");
  const scoreOn = (m: Forecaster, t: SelectionTask) => scoreForecaster(m, t.series, t.origins, horizon).metrics.mase;
  const mase: number[][] = [];
  for (const owner of tasks) {
    onProgress?.(`select: fitting the library model of task ${owner.task}`);
    mase.push(await fitted(kind, params, owner.history, horizon, (m) => tasks.map((t) => scoreOn(m, t))));
  }
  const sigs = tasks.map((t) => ({ task: t.task, signature: signature(t.history[0]) }));
  const rows: SelectionRow[] = [];
  for (let j = 0; j < tasks.length; j++) {
    const t = tasks[j];
    onProgress?.(`select: global and own-history models for task ${t.task}`);
    const others = tasks.filter((_, i) => i !== j);
    const [global] = await fitted(kind, params, pooled(others.map((o) => o.history)), horizon, (m) => [scoreOn(m, t)]);
    const [own] = await fitted(kind, params, t.history, horizon, (m) => [scoreOn(m, t)]);
    const lib = tasks.map((_, i) => i).filter((i) => i !== j);
    const best = lib.reduce((a, b) => (mase[b][j] < mase[a][j] ? b : a));
    rows.push({
      task: t.task,
      picks: measures.map((measure) => {
        const picked = pickNearest(measure, sigs.filter((_, i) => i !== j), sigs[j].signature).task;
        return { measure, picked, mase: mase[tasks.findIndex((x) => x.task === picked)][j] };
      }),
      random: lib.reduce((s, i) => s + mase[i][j], 0) / lib.length,
      global,
      own,
      best: { task: tasks[best].task, mase: mase[best][j] },
    });
  }
  const mean = (f: (r: SelectionRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const wins = (f: (r: SelectionRow) => number) => rows.filter((r) => f(r) < r.random - 1e-12).length;
  const strategies: [string, (r: SelectionRow) => number][] = [
    ...measures.map((m, k): [string, (r: SelectionRow) => number] => [`pick by ${m}`, (r) => r.picks[k].mase]),
    ["random pick", (r) => r.random],
    ["global model", (r) => r.global],
    ["own history", (r) => r.own],
    ["best in hindsight", (r) => r.best.mase],
  ];
  const summary = strategies.map(([strategy, f]) => ({ strategy, meanMase: mean(f), beatsRandom: wins(f) }));
  const random = mean((r) => r.random);
  const globalMean = mean((r) => r.global);
  const bestMeasure = summary.slice(0, measures.length).reduce((a, b) => (b.meanMase < a.meanMase ? b : a));
  const helps = bestMeasure.meanMase < random && bestMeasure.meanMase < globalMean;
  const verdict = helps
    ? `selection helps here: ${bestMeasure.strategy} (mean MASE ${bestMeasure.meanMase.toFixed(4)}) beats a random pick (${random.toFixed(4)}) and the global model (${globalMean.toFixed(4)})`
    : `selection does not help here: the best measure, ${bestMeasure.strategy}, has mean MASE ${bestMeasure.meanMase.toFixed(4)} against ${random.toFixed(4)} for a random pick and ${globalMean.toFixed(4)} for one global model`;
  return { model: kind, tasks: tasks.map((t) => t.task), mase, rows, summary, verdict };
}

export function selectionTable(r: SelectionReport): string {
  const summary = formatTable(
    ["strategy", "mean MASE", `beats random (of ${r.rows.length})`],
    r.summary.map((s) => [s.strategy, s.meanMase, s.beatsRandom]),
    4,
  );
  const measures = r.rows[0]?.picks.map((p) => p.measure) ?? [];
  const detail = formatTable(
    ["new task", ...measures.flatMap((m) => [`${m} pick`, "MASE"]), "random", "global", "own", "best", "MASE"],
    r.rows.map((x) => [x.task, ...x.picks.flatMap((p) => [p.picked, p.mase]), x.random, x.global, x.own, x.best.task, x.best.mase]),
    4,
  );
  return `${summary}\n\n${detail}\n\n${r.verdict}`;
}
