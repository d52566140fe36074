import { basename } from "node:path";
import { checkIncreasing, numberField } from "./fields.ts";
import { forEachRow, splitSemicolon, type RowReadOptions } from "./rows.ts";
import { findColumn, finishSeries, SeriesPoints, type Series, type SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

export const BITBRAINS_COLUMNS = [
  "Timestamp [ms]",
  "CPU cores",
  "CPU capacity provisioned [MHZ]",
  "CPU usage [MHZ]",
  "CPU usage [%]",
  "Memory capacity provisioned [KB]",
  "Memory usage [KB]",
  "Disk read throughput [KB/s]",
  "Disk write throughput [KB/s]",
  "Network received throughput [KB/s]",
  "Network transmitted throughput [KB/s]",
] as const;
export const BITBRAINS_DEFAULT_COLUMN = "CPU usage [%]";
/** GWA-T-12 samples every 5 minutes (with +-1 s jitter); fixed, as a median of few rows could be wrong. */
export const BITBRAINS_STEP_S = 300;

export interface BitbrainsOptions extends RowReadOptions, SeriesOptions {
  /** any of BITBRAINS_COLUMNS except the timestamp; default "CPU usage [%]" */
  column?: string;
}

/**
 * Reads one Bitbrains GWA-T-12 VM file (";"-and-tab separated, 11 columns, header) as a series.
 * The header says "[ms]" but the released files hold Unix seconds; values above 1e11 are taken
 * as milliseconds, so both spellings read correctly. Samples are 300 s apart with a second of
 * jitter; spacings of 450 s or more are gaps and become missing points.
 */
export async function readBitbrains(file: string, options: BitbrainsOptions = {}): Promise<Series> {
  const column = options.column ?? BITBRAINS_DEFAULT_COLUMN;
  let header: string[] = [];
  let valueCol = -1;
  const points = new SeriesPoints();
  const report = await forEachRow(file, {
    split: splitSemicolon,
    columns: BITBRAINS_COLUMNS.length,
    header(fields) {
      if (fields.length !== BITBRAINS_COLUMNS.length || !fields[0].startsWith("Timestamp")) {
        throw new TraceFileError(`${basename(file)}:1: not a Bitbrains GWA-T-12 file (expected ${BITBRAINS_COLUMNS.length} ";"-separated columns starting with "Timestamp")`);
      }
      header = fields;
      valueCol = findColumn(header, column, file);
      if (valueCol === 0) throw new TraceFileError(`${basename(file)}:1: the timestamp is not a value column`);
    },
    row(f, at) {
      const values = f.map((raw, i) => numberField(raw, at, header[i]));
      const t = values[0] > 1e11 ? values[0] / 1000 : values[0];
      checkIncreasing(t, points.lastTime, at, header[0], f[0]);
      points.push(t, values[valueCol]);
    },
  }, options);
  return finishSeries(points, { file, format: "bitbrains", column: header[valueCol], stepS: BITBRAINS_STEP_S }, report, options);
}
