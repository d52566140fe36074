import { basename } from "node:path";
import type { SkipReport } from "./rows.ts";
import { TraceFileError } from "./errors.ts";

/** How missing points (marker values, time gaps) are returned. Never as zeros. */
export type MissingMode = "mask" | "interpolate";

export type TraceFormat = "google2019" | "bitbrains" | "azure-vm-cpu" | "azure-vm-table" | "azure-llm" | "plain" | "serverless";

/**
 * A regular time series read from a trace: one point per step, missing points included.
 * With `missing: "mask"` a missing point's value is NaN; with "interpolate" it is filled linearly
 * between its observed neighbours (the nearest observed value at the ends). Either way mask[i] is 1
 * only for observed points, so a consumer can always tell filled values from data.
 */
export interface Series {
  file: string;
  format: TraceFormat;
  column: string;
  /** seconds; the origin is the trace's own (Unix epoch, or trace start for Google and Azure VM) */
  times: Float64Array;
  values: Float64Array;
  /** 1 = observed, 0 = missing */
  mask: Uint8Array;
  /** nominal spacing in seconds */
  stepS: number;
  /** points not observed: markerCount + gapCount */
  missingCount: number;
  /** values equal to the format's missing-value marker (-1 in plain series) */
  markerCount: number;
  /** points inserted for gaps in the time column */
  gapCount: number;
  /** data rows read (valid ones) */
  rows: number;
  skippedRows: number;
  /** the first few skipped rows' error messages */
  skippedErrors: string[];
}

export interface SeriesOptions {
  missing?: MissingMode;
}

/** Collects points in time order; values may be NaN for a missing-value marker. */
export class SeriesPoints {
  readonly times: number[] = [];
  readonly values: number[] = [];
  markerCount = 0;

  push(time: number, value: number): void {
    this.times.push(time);
    this.values.push(value);
  }

  pushMissing(time: number): void {
    this.push(time, Number.NaN);
    this.markerCount++;
  }

  get lastTime(): number {
    return this.times.length ? this.times[this.times.length - 1] : Number.NEGATIVE_INFINITY;
  }
}

/** The median positive spacing: robust to a few gaps and to the +-1 s jitter of Bitbrains. */
export function medianStep(times: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1]) d.push(times[i] - times[i - 1]);
  if (d.length === 0) return Number.NaN;
  d.sort((a, b) => a - b);
  const m = d.length >> 1;
  return d.length % 2 ? d[m] : (d[m - 1] + d[m]) / 2;
}

/**
 * Inserts missing points where the time column skips windows. A spacing of at least 1.5 steps
 * means round(d / step) - 1 windows are absent; they are placed evenly between the neighbours so
 * jittered traces keep their spacing.
 */
export function fillTimeGaps(times: number[], values: number[], stepS: number): { times: number[]; values: number[]; gapCount: number } {
  if (!(stepS > 0) || times.length < 2) return { times, values, gapCount: 0 };
  const t: number[] = [times[0]];
  const v: number[] = [values[0]];
  let gapCount = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d >= 1.5 * stepS) {
      const absent = Math.round(d / stepS) - 1;
      for (let k = 1; k <= absent; k++) {
        t.push(times[i - 1] + (k * d) / (absent + 1));
        v.push(Number.NaN);
      }
      gapCount += absent;
    }
    t.push(times[i]);
    v.push(values[i]);
  }
  return { times: t, values: v, gapCount };
}

/** Fills NaN values linearly in time between observed neighbours; ends take the nearest observed value. */
export function interpolateMissing(times: Float64Array, values: Float64Array): void {
  const n = values.length;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) continue;
    if (prev === -1) {
      for (let j = 0; j < i; j++) values[j] = values[i];
    } else if (i - prev > 1) {
      const t0 = times[prev];
      const v0 = values[prev];
      const slope = (values[i] - v0) / (times[i] - t0);
      for (let j = prev + 1; j < i; j++) values[j] = v0 + slope * (times[j] - t0);
    }
    prev = i;
  }
  if (prev !== -1) for (let j = prev + 1; j < n; j++) values[j] = values[prev];
}

/** Turns collected points into a Series: gaps filled with missing points, then masked or interpolated. */
export function finishSeries(
  points: SeriesPoints,
  meta: { file: string; format: TraceFormat; column: string; stepS: number },
  report: SkipReport,
  options: SeriesOptions,
): Series {
  const filled = fillTimeGaps(points.times, points.values, meta.stepS);
  const times = Float64Array.from(filled.times);
  const values = Float64Array.from(filled.values);
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) mask[i] = Number.isNaN(values[i]) ? 0 : 1;
  const mode = options.missing ?? "mask";
  if (mode === "interpolate") interpolateMissing(times, values);
  else if (mode !== "mask") throw new TraceFileError(`missing: expected "mask" or "interpolate", got "${String(mode)}"`);
  return {
    ...meta,
    times,
    values,
    mask,
    missingCount: points.markerCount + filled.gapCount,
    markerCount: points.markerCount,
    gapCount: filled.gapCount,
    rows: report.rows,
    skippedRows: report.skippedRows,
    skippedErrors: report.skippedErrors,
  };
}

/** Resolves a requested column name against a header line (exact first, then case-insensitive). */
export function findColumn(header: readonly string[], wanted: string, file: string): number {
  let i = header.indexOf(wanted);
  if (i === -1) i = header.findIndex((h) => h.toLowerCase() === wanted.toLowerCase());
  if (i === -1) throw new TraceFileError(`${basename(file)}:1: unknown column "${wanted}"; columns are: ${header.join(", ")}`);
  return i;
}
