import path from "node:path";
import { splitObserved } from "../eval/split.ts";
import { firstLine } from "../traces/lines.ts";
import { buildConvformerNetwork } from "./convformer.ts";
import { loadForecastData } from "./data.ts";
import { ForecastInputError } from "./errors.ts";
import { fitNetwork, leastSquares, score, searchNetwork, STUDY_LOOP, type Parts, type RegressionScore, type Samples, type SearchOptions } from "./regression.ts";
import type { Config, SearchSpace } from "./tune.ts";

/**
 * The ConvFormerNet study: an instance's maximum memory regressed on its concurrent features
 * (CPU average and maximum, assigned memory, page cache, cycles and memory accesses per
 * instruction where the trace has them) over the last `steps` windows, not on its own past.
 */
export const MEMORY_TARGET = "max_memory_usage";
export const MEMORY_FEATURES = ["avg_cpu_usage", "max_cpu_usage", "assigned_memory", "page_cache_memory", "cycles_per_instruction", "memory_accesses_per_instruction"] as const;

/** The BOHB space of the study: filters, heads, feed-forward size, dropout (and the learning rate). */
export const MEMORY_SPACE: SearchSpace = {
  filters: { type: "choice", values: [8, 16, 32] },
  heads: { type: "choice", values: [1, 2, 4] },
  ffUnits: { type: "choice", values: [16, 32, 64] },
  dropout: { type: "float", min: 0, max: 0.4 },
};

export interface MemoryData {
  samples: Samples;
  parts: Parts;
  files: string[];
  missingFeatures: string[];
}

/**
 * Samples from every task file: at each time whose `steps`-window of features and target were
 * observed. Each task is split on its observed points (80 % train, the end of that validates,
 * 20 % test); the parts pool the tasks.
 */
export async function memorySamples(files: string[], steps: number): Promise<MemoryData> {
  const header = (await firstLine(files[0])).split(",").map((h) => h.trim());
  const present = MEMORY_FEATURES.filter((c) => header.includes(c));
  const missingFeatures = MEMORY_FEATURES.filter((c) => !header.includes(c));
  if (!header.includes(MEMORY_TARGET)) throw new ForecastInputError(`--data: ${files[0]} has no ${MEMORY_TARGET} column (a Google 2019 instance usage file has it)`);
  if (present.length === 0) throw new ForecastInputError(`--data: ${files[0]} has none of the feature columns ${MEMORY_FEATURES.join(", ")}`);
  const xs: number[][] = [];
  const ys: number[] = [];
  const parts: Parts = { train: [], validation: [], test: [] };
  for (const file of files) {
    const d = await loadForecastData(file, [MEMORY_TARGET, ...present]);
    const split = splitObserved(d, 0.8);
    const valStart = Math.floor(split.trainEnd * 0.8);
    const n = split.series[0].length;
    let run = 0;
    for (let t = 0; t < n; t++) {
      run = split.mask[t] ? run + 1 : 0;
      if (run < steps) continue;
      const rows: number[] = [];
      for (let k = t - steps + 1; k <= t; k++) for (let j = 1; j < split.series.length; j++) rows.push(split.series[j][k]);
      const id = ys.length;
      xs.push(rows);
      ys.push(split.series[0][t]);
      // a sample belongs to the part of its target; windows never reach from test into training
      if (t >= split.trainEnd) {
        if (t - steps + 1 >= split.trainEnd) parts.test.push(id);
      } else if (t >= valStart) {
        if (t - steps + 1 >= valStart) parts.validation.push(id);
      } else parts.train.push(id);
    }
  }
  if (parts.train.length < 10 || parts.validation.length < 2 || parts.test.length < 2) throw new ForecastInputError(`--data: too few observed windows for training, validation and test (${parts.train.length}, ${parts.validation.length}, ${parts.test.length})`);
  const f = present.length;
  const x = new Float32Array(ys.length * steps * f);
  xs.forEach((r, i) => x.set(r, i * steps * f));
  return {
    samples: { x, y: Float64Array.from(ys), n: ys.length, steps, features: f, featureNames: [...present] },
    parts,
    files: files.map((f) => path.basename(f)),
    missingFeatures,
  };
}

export interface MemoryStudy {
  files: string[];
  features: string[];
  missingFeatures: string[];
  steps: number;
  parts: { train: number; validation: number; test: number };
  meanBaseline: RegressionScore;
  linear: RegressionScore;
  convformer: { config: Config; validation: RegressionScore; test: RegressionScore; epochs: number; bestEpoch: number };
  trials: { id: number; config: Config; epochs: number; validationRmse: number; sampler: string }[];
  history: { loss: number[]; valLoss: number[]; lr: number[] };
}

export function memoryNetwork(seed: number) {
  return (c: Config, steps: number, features: number) =>
    buildConvformerNetwork(
      {
        filters: Number(c.filters ?? 16),
        kernelSize: Math.min(3, steps),
        heads: Number(c.heads ?? 2),
        keyDim: Number(c.keyDim ?? 8),
        ffUnits: Number(c.ffUnits ?? 32),
        dropout: Number(c.dropout ?? 0.1),
        seed,
      },
      steps,
      features,
      1,
    );
}

export async function maxMemoryStudy(files: string[], o: { steps?: number; search: (Omit<SearchOptions, "space"> & { space?: SearchSpace }) | null; config?: Config; epochs?: number }): Promise<MemoryStudy> {
  const steps = o.steps ?? 6;
  const m = await memorySamples(files, steps);
  const { samples: s, parts } = m;
  const fit = [...parts.train, ...parts.validation];
  const lin = leastSquares(s, fit);
  const testY = Float64Array.from(parts.test, (i) => s.y[i]);
  const meanY = fit.reduce((a, i) => a + s.y[i], 0) / fit.length;
  const build = memoryNetwork(o.search?.seed ?? 42);
  let trials: MemoryStudy["trials"] = [];
  let best;
  if (o.search) {
    const r = await searchNetwork(s, parts, build, { ...STUDY_LOOP, seed: o.search.seed }, { ...o.search, space: o.search.space ?? MEMORY_SPACE });
    best = r.best;
    trials = r.search.trials.map((t) => ({ id: t.id, config: t.config, epochs: t.budget, validationRmse: t.score, sampler: t.sampler }));
  } else {
    best = await fitNetwork(s, parts, build, o.config ?? {}, { ...STUDY_LOOP, epochs: o.epochs ?? 20 });
  }
  return {
    files: m.files,
    features: s.featureNames,
    missingFeatures: m.missingFeatures,
    steps,
    parts: { train: parts.train.length, validation: parts.validation.length, test: parts.test.length },
    meanBaseline: score(testY, new Float64Array(testY.length).fill(meanY)),
    linear: score(testY, Float64Array.from(parts.test, (i) => lin[i])),
    convformer: { config: best.config, validation: best.validation, test: best.test, epochs: best.epochs, bestEpoch: best.bestEpoch },
    trials,
    history: best.history,
  };
}
