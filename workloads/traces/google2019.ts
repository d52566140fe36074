import { basename } from "node:path";
import { integerField, numberField } from "./fields.ts";
import { forEachRow, rowError, splitComma, type RowReadOptions } from "./rows.ts";
import { findColumn, finishSeries, SeriesPoints, type Series, type SeriesOptions } from "./series.ts";
import { TraceFileError } from "./errors.ts";

/** Google cluster trace 2019 usage windows are 5 minutes. */
export const GOOGLE2019_STEP_S = 300;
export const GOOGLE2019_DEFAULT_COLUMN = "avg_cpu_usage";
const COLUMNS = 40;
const TIME = "time";
/** the only non-numeric column ("<collection_id>-<instance_index>") */
const UNIQUE_ID = "unique_id";

export interface Google2019Options extends RowReadOptions, SeriesOptions {
  /** any numeric column; default avg_cpu_usage (normalised machine CPU units) */
  column?: string;
}

/**
 * Reads one task's usage file of Google cluster trace 2019 (the 40-column CSV with a header, `time`
 * in microseconds from the trace start) as a 300 s series.
 *
 * Most rows start on the 5-minute grid, but a task that is restarted or moved writes several
 * shorter records inside one window. Each record is taken to last until the next record starts
 * (at most to the end of its window), and a window's value is the duration-weighted mean of the
 * records starting in it (the maximum, for `max_*` columns). Windows in which no record starts are
 * missing points (gaps), never zeros. Times are window starts in seconds from the trace start.
 */
export async function readGoogle2019Usage(file: string, options: Google2019Options = {}): Promise<Series> {
  const column = options.column ?? GOOGLE2019_DEFAULT_COLUMN;
  let header: string[] = [];
  let valueCol = -1;
  let idCol = -1;
  const useMax = column.toLowerCase().startsWith("max_");

  // Per window: slot index, sum of value x duration (or the max), total duration, plain sum and count.
  const slots: number[] = [];
  const acc: number[] = [];
  const weight: number[] = [];
  const plainSum: number[] = [];
  const count: number[] = [];
  let pendingT = Number.NaN;
  let pendingV = Number.NaN;
  let lastT = Number.NEGATIVE_INFINITY;

  const settlePending = (nextT: number): void => {
    if (Number.isNaN(pendingT)) return;
    const slot = Math.floor(pendingT / GOOGLE2019_STEP_S);
    const dur = Math.min(nextT, (slot + 1) * GOOGLE2019_STEP_S) - pendingT;
    const k = slots.length - 1;
    if (k < 0 || slots[k] !== slot) {
      slots.push(slot);
      acc.push(useMax ? pendingV : pendingV * dur);
      weight.push(dur);
      plainSum.push(pendingV);
      count.push(1);
    } else {
      acc[k] = useMax ? Math.max(acc[k], pendingV) : acc[k] + pendingV * dur;
      weight[k] += dur;
      plainSum[k] += pendingV;
      count[k]++;
    }
  };

  const report = await forEachRow(file, {
    split: splitComma,
    columns: COLUMNS,
    header(fields) {
      if (fields.length !== COLUMNS || fields[0] !== TIME) {
        throw new TraceFileError(`${basename(file)}:1: not a Google 2019 usage file (expected ${COLUMNS} columns starting with "${TIME}")`);
      }
      header = fields;
      valueCol = findColumn(header, column, file);
      idCol = header.indexOf(UNIQUE_ID);
      if (valueCol === idCol) throw new TraceFileError(`${basename(file)}:1: column "${UNIQUE_ID}" is not numeric`);
    },
    row(f, at) {
      const tUs = integerField(f[0], at, TIME);
      if (tUs < 0) throw rowError(at, TIME, `expected a non-negative time, got "${f[0]}"`);
      for (let i = 1; i < COLUMNS; i++) {
        if (i === idCol) {
          if (f[i] === "") throw rowError(at, UNIQUE_ID, `expected a value, got ""`);
        } else {
          numberField(f[i], at, header[i]);
        }
      }
      const t = tUs / 1e6;
      // Equal times do occur (zero-length records); going back in time does not.
      if (t < lastT) throw rowError(at, TIME, `expected a time not before the previous row's, got "${f[0]}"`);
      settlePending(t);
      pendingT = t;
      pendingV = Number(f[valueCol]);
      lastT = t;
    },
  }, options);
  settlePending(Number.POSITIVE_INFINITY);

  const points = new SeriesPoints();
  for (let k = 0; k < slots.length; k++) {
    // Zero total duration can only come from degenerate zero-length records: use their plain mean.
    const v = useMax ? acc[k] : weight[k] > 0 ? acc[k] / weight[k] : plainSum[k] / count[k];
    points.push(slots[k] * GOOGLE2019_STEP_S, v);
  }
  return finishSeries(points, { file, format: "google2019", column: header[valueCol], stepS: GOOGLE2019_STEP_S }, report, options);
}
