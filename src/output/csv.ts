/**
 * CSV output: a header line, then one line per row in a fixed column order. Fields follow
 * RFC 4180 quoting (a field holding a comma, a double quote, CR or LF is wrapped in double quotes,
 * inner quotes doubled); lines end with LF. Numbers are written deterministically with at most 12
 * significant digits, which drops float noise such as 0.30000000000000004 -> 0.3.
 */
import { openFileAtomic } from "../../workloads/output/atomic.ts";

export type CsvValue = string | number | boolean | bigint | null | undefined;

/**
 * A number as a CSV field: integers exactly, other finite numbers rounded to 12 significant digits
 * in JavaScript's shortest form, NaN as an empty field (a missing value for spreadsheet and
 * data-frame readers), infinities as "Infinity" / "-Infinity".
 */
export function formatCsvNumber(x: number): string {
  if (Number.isInteger(x)) return x === 0 ? "0" : String(x); // also turns -0 into 0
  if (Number.isNaN(x)) return "";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  // Trimming the zeros of toPrecision gives what String(Number(...)) would, at half the cost
  // (this runs for every number of million-row tables); exponent forms take the plain route.
  const text = x.toPrecision(12);
  if (text.includes("e") || !text.includes(".")) {
    const rounded = Number(text);
    return rounded === 0 ? "0" : String(rounded);
  }
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  return text.slice(0, end);
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One value as a CSV field, quoted only when needed. */
export function csvField(value: CsvValue): string {
  switch (typeof value) {
    case "number":
      return formatCsvNumber(value);
    case "string":
      return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
      return "";
    default:
      if (value === null) return "";
      throw new TypeError(`cannot write a value of type ${typeof value} to CSV`);
  }
}

/** The columns of a row type, in output order. */
export type Columns<R> = readonly (keyof R & string)[];

function headerLine(columns: readonly string[]): string {
  return columns.map(csvField).join(",") + "\n";
}

function rowLine<R>(row: R, columns: Columns<R>): string {
  let line = "";
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    let field: string;
    try {
      field = csvField(row[column] as CsvValue);
    } catch (err) {
      throw new TypeError(`column ${column}: ${(err as Error).message}`, { cause: err });
    }
    line += c === 0 ? field : "," + field;
  }
  return line + "\n";
}

/** A whole table as one string. For small tables; large ones go through `openCsvWriter`. */
export function toCsv<R>(rows: Iterable<R>, columns: Columns<R>): string {
  let out = headerLine(columns);
  for (const row of rows) out += rowLine(row, columns);
  return out;
}

export interface CsvWriter<R> {
  readonly target: string;
  /** rows written so far (excluding the header) */
  readonly rows: number;
  write(row: R): void;
  writeAll(rows: Iterable<R>): void;
  /** Flushes, syncs and renames the file into place. */
  close(): void;
  /** Drops everything written; the target is left as it was. */
  abort(): void;
}

/** Characters buffered before a chunk goes to disk: large enough to amortise the system call. */
const DEFAULT_CHUNK_CHARS = 1 << 20;

/**
 * A streaming CSV writer: rows are formatted into a buffer that is appended to a temporary file
 * whenever it passes `chunkChars`, and the file replaces `target` atomically on `close()`. So a
 * table of millions of rows never exists as one string. A row that cannot be formatted aborts
 * the writer (the temporary file is removed) and the error is rethrown.
 */
export function openCsvWriter<R>(
  target: string,
  columns: Columns<R>,
  opts: { chunkChars?: number } = {},
): CsvWriter<R> {
  const chunkChars = opts.chunkChars ?? DEFAULT_CHUNK_CHARS;
  const file = openFileAtomic(target);
  let buffer = headerLine(columns);
  let rows = 0;
  let open = true;

  const fail = (err: unknown): never => {
    open = false;
    file.abort();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot write ${target}: row ${rows + 1}: ${reason}`, { cause: err });
  };
  const flush = (): void => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = "";
    file.write(chunk);
  };
  const write = (row: R): void => {
    if (!open) throw new Error(`cannot write ${target}: writer is closed`);
    try {
      buffer += rowLine(row, columns);
    } catch (err) {
      fail(err);
    }
    rows++;
    if (buffer.length >= chunkChars) {
      try {
        flush();
      } catch (err) {
        open = false;
        throw err; // the atomic file has already cleaned up and names the path
      }
    }
  };

  return {
    target,
    get rows() {
      return rows;
    },
    write,
    writeAll(all) {
      try {
        for (const row of all) write(row);
      } catch (err) {
        // the iterable itself may throw (e.g. a generator); the writer must not be left half-open
        if (open) fail(err);
        throw err;
      }
    },
    close() {
      if (!open) throw new Error(`cannot write ${target}: writer is closed`);
      open = false;
      try {
        flush();
        file.commit();
      } catch (err) {
        file.abort();
        throw err;
      }
    },
    abort() {
      open = false;
      file.abort();
    },
  };
}

/** Writes a whole table to `target` atomically through the streaming writer. */
export function writeCsvAtomic<R>(target: string, rows: Iterable<R>, columns: Columns<R>): void {
  const writer = openCsvWriter(target, columns);
  writer.writeAll(rows);
  writer.close();
}
