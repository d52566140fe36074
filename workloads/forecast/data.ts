import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { detectFormat, readSeries, type Series } from "../traces/index.ts";
import { catalogueFileAt, verifyDatasetFile } from "../data.ts";

/**
 * Inputs for forecasting read through the trace readers: the first column is the target, any
 * further columns are extra inputs. Missing points (gaps, -1 markers) are interpolated in `series`
 * so models always see a regular series, and `mask` says which target points were observed, so
 * evaluation scores observed points only.
 */
export interface ForecastData {
  file: string;
  columns: string[];
  series: Float64Array[];
  mask: Uint8Array;
  times: Float64Array;
  stepS: number;
  missingCount: number;
}

export interface LoadOptions {
  /** serverless data: one function's invocations only (FunctionID) */
  fn?: string;
}

export async function loadForecastData(file: string, columns?: string[], opts: LoadOptions = {}): Promise<ForecastData> {
  if (!existsSync(file)) throw new Error(`--data: ${file} does not exist`);
  // a catalogued sample in the data directory must be the one the catalogue describes
  const known = catalogueFileAt(file);
  if (known) verifyDatasetFile(known.dataset, known.file, file);
  let wanted: (string | undefined)[] = columns && columns.length ? columns : [undefined];
  // a plain two-column series has one value column: naming it (e.g. from a saved model) is fine
  if ((await detectFormat(file)) === "plain") {
    if (wanted.length > 1) throw new Error(`--column: ${file} is a plain series with a single value column`);
    wanted = [undefined];
  }
  const read: Series[] = [];
  if (opts.fn !== undefined && (await detectFormat(file)) !== "serverless") throw new Error(`--function: ${file} is not serverless data (only it has functions)`);
  for (const c of wanted) read.push(await readSeries(file, { column: c, missing: "interpolate", ...(opts.fn !== undefined ? { vm: opts.fn } : {}) }));
  if (columns?.length === 1 && read[0].column !== columns[0] && read[0].format === "plain") {
    throw new Error(`--column: ${file} has the value column "${read[0].column}", not "${columns[0]}"`);
  }
  const first = read[0];
  for (const s of read) {
    if (s.values.length !== first.values.length) throw new Error(`${file}: columns ${first.column} and ${s.column} have different lengths`);
  }
  // a point is usable as a target only if every input was observed there
  const mask = Uint8Array.from(first.mask);
  for (const s of read.slice(1)) for (let i = 0; i < mask.length; i++) mask[i] &= s.mask[i];
  return {
    file,
    columns: read.map((s) => s.column),
    series: read.map((s) => s.values),
    mask,
    times: first.times,
    stepS: first.stepS,
    missingCount: first.missingCount,
  };
}

/** Only the observed points, gaps closed up (for training on a trace with long gaps). */
export function observedOnly(d: ForecastData): Float64Array[] {
  let n = 0;
  for (let i = 0; i < d.mask.length; i++) n += d.mask[i];
  return d.series.map((s) => {
    const out = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < s.length; i++) if (d.mask[i]) out[k++] = s[i];
    return out;
  });
}

/** Data files of a directory (sorted by name), or the file itself. */
export function dataFiles(p: string): string[] {
  if (!existsSync(p)) throw new Error(`--data: ${p} does not exist`);
  if (!statSync(p).isDirectory()) return [p];
  const files = readdirSync(p)
    .filter((f) => /\.(csv|txt|tsv)(\.gz)?$/i.test(f))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((f) => path.join(p, f));
  if (files.length === 0) throw new Error(`--data: no .csv/.txt files in ${p}`);
  return files;
}

/** A table of numeric columns (for data-set plots): non-numeric and constant columns are dropped. */
export interface NumericTable {
  file: string;
  columns: string[];
  data: Float64Array[];
}

/** machine_id, unique_id, instance_index, FunctionID and the like: numbers that only name things. */
export function isIdentifierColumn(name: string): boolean {
  return /(^|_)(id|idx|index)$/i.test(name) || /[a-z]ID$/.test(name) || /^(alloc_.*|collection_type|scheduling_class|priority)$/i.test(name);
}

export function readNumericTable(file: string, maxRows = 20000): NumericTable {
  if (!existsSync(file)) throw new Error(`--data: ${file} does not exist`);
  // a device (/dev/zero) would be read until memory runs out
  if (!statSync(file).isFile()) throw new Error(`--data: ${file} is not a regular file`);
  const text = readFileSync(file, "utf8");
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
  const delimiter = firstLine.includes("\t") ? "\t" : firstLine.includes(";") ? ";" : ",";
  const rows = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, to: maxRows + 1 }) as string[][];
  if (rows.length < 2) throw new Error(`${file}: needs a header and at least one row`);
  const header = rows[0];
  const columns: string[] = [];
  const data: Float64Array[] = [];
  for (let c = 0; c < header.length; c++) {
    // time stamps are an index and identifiers are labels, not measurements
    if (/^(time|timestamp|datetime|date)\b/i.test(header[c]) || isIdentifierColumn(header[c])) continue;
    const col = new Float64Array(rows.length - 1);
    let numeric = 0;
    for (let r = 1; r < rows.length; r++) {
      const v = Number(rows[r][c]);
      col[r - 1] = v;
      if (rows[r][c] !== "" && Number.isFinite(v)) numeric++;
    }
    if (numeric < 0.9 * (rows.length - 1)) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of col) if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (!(hi > lo)) continue;
    columns.push(header[c]);
    data.push(col);
  }
  return { file, columns, data };
}
