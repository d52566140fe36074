import { basename } from "node:path";
import { checkIncreasing, datetimeField, numberField } from "./fields.ts";
import { forEachRow, splitComma, splitTab, type RowPlace, type RowReadOptions } from "./rows.ts";
import { finishSeries, medianStep, SeriesPoints, type Series, type SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

export interface PlainSeriesOptions extends RowReadOptions, SeriesOptions {
  /** the value that means "not measured"; default -1 (as in vm-load/aa.txt). null: none */
  missingMarker?: number | null;
  /** spacing in seconds; default the median spacing of the file */
  stepS?: number;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A time is either a number of seconds or a "YYYY-MM-DD HH:MM:SS" date-time (UTC). */
function timeField(raw: string, at: RowPlace, column: string): number {
  return NUMERIC.test(raw) ? Number(raw) : datetimeField(raw, at, column);
}

/**
 * Reads a two-column `time<TAB or comma>value` series (an optional header names the columns), such as
 * vm-load/aa.txt. Values equal to the missing-value marker become missing points, as do gaps in
 * the time column; neither is read as zero.
 */
export async function readPlainSeries(file: string, options: PlainSeriesOptions = {}): Promise<Series> {
  const marker = options.missingMarker === undefined ? -1 : options.missingMarker;
  let names = ["time", "value"];
  let split = splitTab;
  const points = new SeriesPoints();
  let headerlessRows = 0;
  const row = (f: string[], at: RowPlace): void => {
    const t = timeField(f[0], at, names[0]);
    const v = numberField(f[1], at, names[1]);
    checkIncreasing(t, points.lastTime, at, names[0], f[0]);
    if (marker !== null && v === marker) points.pushMissing(t);
    else points.push(t, v);
  };
  const report = await forEachRow(file, {
    split: (line) => split(line),
    columns: 2,
    header(fields, at) {
      // The separator is whatever the first line uses; the first line is a header unless its value parses.
      if (fields.length !== 2) {
        split = splitComma;
        fields = split(fields.join("\t"));
      }
      if (fields.length !== 2) throw new TraceFileError(`${basename(file)}:1: expected two columns (time, value) separated by a tab or a comma`);
      if (NUMERIC.test(fields[1])) {
        row(fields, at);
        headerlessRows++;
      } else {
        names = fields;
      }
    },
    row,
  }, options);
  const stepS = options.stepS ?? medianStep(points.times);
  return finishSeries(points, { file, format: "plain", column: names[1], stepS }, { ...report, rows: report.rows + headerlessRows }, options);
}
