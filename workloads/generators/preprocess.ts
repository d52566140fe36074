import type { ServerlessRow } from "./serverless.ts";

/** A dense row-major matrix of features. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrixFromRows(rows: readonly (readonly number[])[], cols?: number): Matrix {
  const c = cols ?? (rows.length ? rows[0].length : 0);
  const data = new Float64Array(rows.length * c);
  rows.forEach((r, i) => {
    if (r.length !== c) throw new Error(`row ${i} has ${r.length} values, expected ${c}`);
    data.set(r, i * c);
  });
  return { rows: rows.length, cols: c, data };
}

/**
 * Min-max scaling to [0, 1] per column, scikit-learn style: `fit` learns each column's minimum and
 * maximum, `transform` applies them and never changes them, so data seen after fitting (the test
 * part) cannot leak into the scaling. Test values outside the training range map outside [0, 1]
 * (not clipped: the model should see that they are new). A constant column maps to 0.
 */
export class MinMaxScaler {
  private mins: Float64Array | undefined;
  private maxs: Float64Array | undefined;

  fit(x: Matrix): this {
    if (x.rows === 0) throw new Error("MinMaxScaler.fit: no rows");
    const mins = new Float64Array(x.cols).fill(Number.POSITIVE_INFINITY);
    const maxs = new Float64Array(x.cols).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.cols; j++) {
        const v = x.data[i * x.cols + j];
        if (v < mins[j]) mins[j] = v;
        if (v > maxs[j]) maxs[j] = v;
      }
    }
    this.mins = mins;
    this.maxs = maxs;
    return this;
  }

  /** a new matrix; the input and the fitted state are left untouched */
  transform(x: Matrix): Matrix {
    if (!this.mins || !this.maxs) throw new Error("MinMaxScaler.transform: call fit first");
    if (x.cols !== this.mins.length) throw new Error(`MinMaxScaler.transform: fitted on ${this.mins.length} columns, got ${x.cols}`);
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.cols; j++) {
        const range = this.maxs[j] - this.mins[j];
        out[i * x.cols + j] = range > 0 ? (x.data[i * x.cols + j] - this.mins[j]) / range : 0;
      }
    }
    return { rows: x.rows, cols: x.cols, data: out };
  }

  /** copies of the fitted minima and maxima (for saving with a model) */
  get state(): { mins: Float64Array; maxs: Float64Array } {
    if (!this.mins || !this.maxs) throw new Error("MinMaxScaler: not fitted");
    return { mins: this.mins.slice(), maxs: this.maxs.slice() };
  }
}

/** One-hot encoding over the categories seen in `fit` (sorted); an unseen category encodes as all zeros. */
export class OneHotEncoder {
  private categories: readonly string[] | undefined;

  fit(values: readonly string[]): this {
    this.categories = Object.freeze([...new Set(values)].sort());
    return this;
  }

  get names(): readonly string[] {
    if (!this.categories) throw new Error("OneHotEncoder: not fitted");
    return this.categories;
  }

  encode(value: string, out: number[]): void {
    for (const c of this.names) out.push(c === value ? 1 : 0);
  }
}

/** Hour of day on a circle, so 23:00 and 00:00 are neighbours. `timestampS` counts from a midnight. */
export function hourOfDayFeatures(timestampS: number): [number, number] {
  const hour = (((timestampS % 86_400) + 86_400) % 86_400) / 3600;
  const a = (2 * Math.PI * hour) / 24;
  return [Math.sin(a), Math.cos(a)];
}

type NumericColumn = Exclude<keyof ServerlessRow, "FunctionID">;

export interface PreprocessOptions {
  /** leading fraction of the rows (in time order) used to fit; default 0.8 */
  trainFraction?: number;
  /** value to predict; default ResponseTime */
  target?: NumericColumn;
  /** numeric inputs, min-max scaled; default every numeric column except the target and Timestamp */
  numeric?: NumericColumn[];
}

export interface PreparedSplit {
  x: Matrix;
  /** the target, unscaled */
  y: Float64Array;
}

export interface PreparedServerless {
  /** column names of x: hour_sin, hour_cos, fn=<id>..., then the numeric columns */
  featureNames: string[];
  train: PreparedSplit;
  test: PreparedSplit;
  scaler: MinMaxScaler;
  encoder: OneHotEncoder;
}

/**
 * Features for response-time models on serverless rows: cyclical hour of day, one-hot function id,
 * min-max scaled numeric columns. The split is chronological (no future rows in training), and
 * the scaler and encoder are fitted on the training part only.
 */
export function preprocessServerless(rows: readonly ServerlessRow[], options: PreprocessOptions = {}): PreparedServerless {
  const fraction = options.trainFraction ?? 0.8;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`trainFraction must be in (0, 1), got ${fraction}`);
  const target = options.target ?? "ResponseTime";
  const numeric = options.numeric ?? (["CPUUtilization", "MemoryUtilization", "ColdStart", "ColdStartLatency", "ThrottlingRate", "ErrorRate", "ResponseTime"] as NumericColumn[])
    .filter((c) => c !== target);
  if (numeric.includes(target)) throw new Error(`the target "${target}" cannot also be an input`);
  const sorted = [...rows].sort((a, b) => a.Timestamp - b.Timestamp);
  const nTrain = Math.floor(sorted.length * fraction);
  if (nTrain === 0 || nTrain === sorted.length) throw new Error(`too few rows (${sorted.length}) to split at ${fraction}`);
  const trainRows = sorted.slice(0, nTrain);
  const testRows = sorted.slice(nTrain);

  const numericOf = (rs: readonly ServerlessRow[]): Matrix => matrixFromRows(rs.map((r) => numeric.map((c) => r[c])), numeric.length);
  const scaler = new MinMaxScaler().fit(numericOf(trainRows));
  const encoder = new OneHotEncoder().fit(trainRows.map((r) => r.FunctionID));

  const build = (rs: readonly ServerlessRow[]): PreparedSplit => {
    const scaled = scaler.transform(numericOf(rs));
    const features = rs.map((r, i) => {
      const f: number[] = [...hourOfDayFeatures(r.Timestamp)];
      encoder.encode(r.FunctionID, f);
      for (let j = 0; j < scaled.cols; j++) f.push(scaled.data[i * scaled.cols + j]);
      return f;
    });
    return { x: matrixFromRows(features, 2 + encoder.names.length + numeric.length), y: Float64Array.from(rs, (r) => r[target]) };
  };
  return {
    featureNames: ["hour_sin", "hour_cos", ...encoder.names.map((n) => `fn=${n}`), ...numeric],
    train: build(trainRows),
    test: build(testRows),
    scaler,
    encoder,
  };
}
