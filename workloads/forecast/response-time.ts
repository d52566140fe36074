import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { preprocessServerless } from "../generators/preprocess.ts";
import { SERVERLESS_COLUMNS, type ServerlessRow } from "../generators/serverless.ts";
import { buildLstmNetwork } from "./lstm.ts";
import { ForecastInputError } from "./errors.ts";
import { chronologicalParts, leastSquares, score, searchNetwork, STUDY_LOOP, type Parts, type RegressionScore, type Samples, type SearchOptions } from "./regression.ts";
import type { Config, SearchSpace } from "./tune.ts";

/**
 * The serverless response-time study (as in the Lambda performance notebooks): each invocation's
 * ResponseTime from its other measurements (CPUUtilization, MemoryUtilization, ColdStart,
 * ColdStartLatency, ThrottlingRate, ErrorRate), the cyclical hour of day and the one-hot function
 * id. An LSTM over the last `steps` invocation rows (dropout, early stopping, learning-rate
 * schedule, a search over units, dropout and learning rate) next to a plain least-squares fit.
 */
export const RESPONSE_FEATURES = ["CPUUtilization", "MemoryUtilization", "ColdStart", "ColdStartLatency", "ThrottlingRate", "ErrorRate"] as const;

export const RESPONSE_SPACE: SearchSpace = {
  units: { type: "choice", values: [[8], [16], [32], [64]] },
  dropout: { type: "float", min: 0, max: 0.5 },
  learningRate: { type: "float", min: 3e-4, max: 1e-2, log: true },
};

/** Reads invocation rows as `cotwin data serverless` writes them; errors name the file and line. */
export function readServerlessRows(file: string): ServerlessRow[] {
  let records: string[][];
  try {
    records = parse(readFileSync(file, "utf8"), { skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw new ForecastInputError(`--data: ${file}: not CSV (${(e as Error).message})`);
  }
  const header = records[0] ?? [];
  const col = new Map(header.map((h, i) => [h, i]));
  for (const c of SERVERLESS_COLUMNS) if (!col.has(c)) throw new ForecastInputError(`--data: ${file} has no column ${c} (serverless data has ${SERVERLESS_COLUMNS.join(", ")})`);
  const rows: ServerlessRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const f = records[r];
    const num = (c: (typeof SERVERLESS_COLUMNS)[number]) => {
      const v = Number(f[col.get(c)!]);
      if (f[col.get(c)!] === "" || !Number.isFinite(v)) throw new ForecastInputError(`--data: ${file} line ${r + 1}: ${c} is not a number ("${f[col.get(c)!] ?? ""}")`);
      return v;
    };
    rows.push({
      FunctionID: f[col.get("FunctionID")!],
      Timestamp: num("Timestamp"),
      ResponseTime: num("ResponseTime"),
      CPUUtilization: num("CPUUtilization"),
      MemoryUtilization: num("MemoryUtilization"),
      ColdStart: num("ColdStart") ? 1 : 0,
      ColdStartLatency: num("ColdStartLatency"),
      ThrottlingRate: num("ThrottlingRate"),
      ErrorRate: num("ErrorRate"),
    });
  }
  if (rows.length === 0) throw new ForecastInputError(`--data: ${file} has no invocation rows`);
  return rows;
}

/**
 * Samples from the shared preprocessing (cyclical hour, one-hot function id, min-max scaled
 * features; encoder and scaler fitted on the first `trainFraction` of the rows in time order):
 * sample i is the feature rows i-steps+1 .. i (the first row repeated before the start), its
 * target the ResponseTime of row i.
 */
export function responseTimeSamples(rows: readonly ServerlessRow[], steps: number, trainFraction: number): Samples {
  const p = preprocessServerless(rows, { trainFraction, numeric: [...RESPONSE_FEATURES] });
  const f = p.train.x.cols;
  const all = new Float64Array((p.train.x.rows + p.test.x.rows) * f);
  all.set(p.train.x.data);
  all.set(p.test.x.data, p.train.x.data.length);
  const n = p.train.x.rows + p.test.x.rows;
  const x = new Float32Array(n * steps * f);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < steps; k++) {
      const r = Math.max(0, i - steps + 1 + k);
      x.set(all.subarray(r * f, (r + 1) * f), (i * steps + k) * f);
    }
  }
  const y = new Float64Array(n);
  y.set(p.train.y);
  y.set(p.test.y, p.train.y.length);
  return { x, y, n, steps, features: f, featureNames: p.featureNames };
}

export interface ResponseTimeStudy {
  rows: number;
  parts: { train: number; validation: number; test: number };
  featureNames: string[];
  steps: number;
  meanBaseline: RegressionScore;
  linear: RegressionScore;
  lstm: { config: Config; validation: RegressionScore; test: RegressionScore; epochs: number; bestEpoch: number };
  trials: { id: number; config: Config; epochs: number; validationRmse: number }[];
  history: { loss: number[]; valLoss: number[]; lr: number[] };
}

export async function responseTimeStudy(
  rows: readonly ServerlessRow[],
  o: { steps?: number; search: Omit<SearchOptions, "space"> & { space?: SearchSpace } },
): Promise<ResponseTimeStudy> {
  const steps = o.steps ?? 4;
  const n = rows.length;
  const probe: Parts = chronologicalParts(n);
  // the same 80 % boundary as the parts: the scaler and encoder never see the test rows
  const s = responseTimeSamples(rows, steps, (probe.train.length + probe.validation.length) / n);
  const fit = [...probe.train, ...probe.validation];
  const lin = leastSquares(s, fit);
  const testY = Float64Array.from(probe.test, (i) => s.y[i]);
  const meanY = fit.reduce((a, i) => a + s.y[i], 0) / fit.length;
  const build = (c: Config, st: number, feats: number) =>
    buildLstmNetwork({ units: (c.units as number[]) ?? [16], dropout: Number(c.dropout ?? 0.1), seed: o.search.seed }, st, feats, 1);
  const { search, best } = await searchNetwork(s, probe, build, { ...STUDY_LOOP, seed: o.search.seed }, { ...o.search, space: o.search.space ?? RESPONSE_SPACE });
  return {
    rows: n,
    parts: { train: probe.train.length, validation: probe.validation.length, test: probe.test.length },
    featureNames: s.featureNames,
    steps,
    meanBaseline: score(testY, new Float64Array(testY.length).fill(meanY)),
    linear: score(testY, Float64Array.from(probe.test, (i) => lin[i])),
    lstm: { config: best.config, validation: best.validation, test: best.test, epochs: best.epochs, bestEpoch: best.bestEpoch },
    trials: search.trials.map((t) => ({ id: t.id, config: t.config, epochs: t.budget, validationRmse: t.score })),
    history: best.history,
  };
}
