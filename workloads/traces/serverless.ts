import { basename } from "node:path";
import { numberField } from "./fields.ts";
import { forEachRow, splitComma, type RowPlace, type RowReadOptions } from "./rows.ts";
import { finishSeries, SeriesPoints, type Series, type SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

export const SERVERLESS_DEFAULT_COLUMN = "ResponseTime";

export interface ServerlessSeriesOptions extends RowReadOptions, SeriesOptions {
  /** numeric column to aggregate (default ResponseTime) */
  column?: string;
  /** one function's invocations only (FunctionID); default all */
  vm?: string;
  /** window length, s: the series holds the mean of the column over the invocations starting in each window (default 60) */
  stepS?: number;
}

/**
 * Reads serverless performance data (as `cotwin data serverless` writes it: one row per
 * invocation) as a regular series: the mean of a column per window of `stepS` seconds. A window
 * without invocations is a missing point (masked or interpolated), never a zero.
 */
export async function readServerless(file: string, options: ServerlessSeriesOptions = {}): Promise<Series> {
  const stepS = options.stepS ?? 60;
  let names: string[] = [];
  let col = -1;
  let fid = -1;
  let tcol = -1;
  const column = options.column ?? SERVERLESS_DEFAULT_COLUMN;
  const sums = new Map<number, [number, number]>();
  const report = await forEachRow(
    file,
    {
      split: splitComma,
      get columns() {
        return names.length;
      },
      header(fields) {
        names = fields;
        col = names.indexOf(column);
        fid = names.indexOf("FunctionID");
        tcol = names.indexOf("Timestamp");
        if (col < 0) throw new TraceFileError(`${basename(file)}: no column "${column}" (columns: ${names.join(", ")})`);
        if (tcol < 0 || fid < 0) throw new TraceFileError(`${basename(file)}: serverless data needs FunctionID and Timestamp columns`);
      },
      row(f: string[], at: RowPlace) {
        const t = numberField(f[tcol], at, "Timestamp");
        const v = numberField(f[col], at, column);
        if (options.vm !== undefined && f[fid] !== options.vm) return;
        const w = Math.floor(t / stepS);
        const s = sums.get(w);
        if (s) {
          s[0] += v;
          s[1]++;
        } else sums.set(w, [v, 1]);
      },
    },
    options,
  );
  if (sums.size === 0) throw new TraceFileError(`${basename(file)}: no invocations${options.vm !== undefined ? ` of function "${options.vm}"` : ""}`);
  const points = new SeriesPoints();
  for (const w of [...sums.keys()].sort((a, b) => a - b)) {
    const [sum, n] = sums.get(w)!;
    points.push(w * stepS, sum / n);
  }
  return finishSeries(points, { file, format: "serverless", column, stepS }, report, options);
}
