import { basename } from "node:path";
import { InputError } from "../../simulator/errors.ts";
import { TraceFileError } from "./errors.ts";
import { readLines } from "./lines.ts";

export { TraceFileError };

/**
 * A malformed row. One message format everywhere, so users (and tests) can rely on it:
 *   `<file name>:<line>: column "<column>": <what was expected>, got "<raw text>"`
 * or, for problems with the row as a whole, `<file name>:<line>: <detail>`.
 * Line numbers are 1-based physical lines, header included.
 */
export class TraceRowError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | undefined,
    readonly detail: string,
  ) {
    super(`${basename(file)}:${line}: ${column === undefined ? "" : `column "${column}": `}${detail}`);
    this.name = "TraceRowError";
  }
}

/** Where a row came from; passed to field parsers so their errors can say so. */
export interface RowPlace {
  file: string;
  line: number;
}

export function rowError(at: RowPlace, column: string | undefined, detail: string): TraceRowError {
  return new TraceRowError(at.file, at.line, column, detail);
}

export interface RowReadOptions {
  /** Skip malformed rows (and count them) instead of throwing on the first one. */
  lenient?: boolean;
  /** refuse a file with more data rows than this, as soon as it is reached (memory stays bounded) */
  maxRows?: number;
}

/** What a read skipped; the first few messages are kept so a user can see why. */
export interface SkipReport {
  /** data rows accepted */
  rows: number;
  skippedRows: number;
  skippedErrors: string[];
}

const KEPT_ERRORS = 5;

export interface RowLoop {
  /** splits a line into fields (already trimmed) */
  split(line: string): string[];
  /** fields per data row; a row with another count is malformed */
  columns: number;
  /** called with the first line; header problems always throw (a wrong file is not a bad row) */
  header?(fields: string[], at: RowPlace): void;
  /**
   * Called per data row. Must validate everything before changing any state, so that a row that
   * throws in lenient mode leaves no trace.
   */
  row(fields: string[], at: RowPlace): void;
}

/** Runs a validated row loop over a file: blank lines are ignored, malformed rows throw or are skipped. */
export async function forEachRow(file: string, loop: RowLoop, options: RowReadOptions = {}): Promise<SkipReport> {
  const report: SkipReport = { rows: 0, skippedRows: 0, skippedErrors: [] };
  const at: RowPlace = { file, line: 0 };
  for await (const line of readLines(file)) {
    at.line++;
    if (at.line === 1 && loop.header) {
      loop.header(loop.split(line), at);
      continue;
    }
    if (line.trim() === "") continue;
    try {
      const fields = loop.split(line);
      if (fields.length !== loop.columns) {
        throw rowError(at, undefined, `expected ${loop.columns} columns, got ${fields.length}`);
      }
      loop.row(fields, at);
      report.rows++;
      if (options.maxRows !== undefined && report.rows > options.maxRows) {
        throw new TraceFileError(`${basename(file)}:${at.line}: more than ${options.maxRows} rows, the limit of one run (see "Limits and errors" in the README); use a part of the trace`);
      }
    } catch (e) {
      if (!(e instanceof TraceRowError) || !options.lenient) throw e;
      report.skippedRows++;
      if (report.skippedErrors.length < KEPT_ERRORS) report.skippedErrors.push(e.message);
    }
  }
  if (at.line === 0 && loop.header) throw new TraceFileError(`${basename(file)}: empty file (no header line)`);
  return report;
}

/** Splitters for the formats we read. Fields are trimmed so stray spaces are not errors. */
export const splitComma = (line: string): string[] => line.split(",").map((f) => f.trim());
export const splitTab = (line: string): string[] => line.split("\t").map((f) => f.trim());
/** Bitbrains GWA-T-12 separates fields with ";" followed by a tab. */
export const splitSemicolon = (line: string): string[] => line.split(";").map((f) => f.trim());
