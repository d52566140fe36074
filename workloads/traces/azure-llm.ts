import { basename } from "node:path";
import { datetimeParts, nonNegativeIntegerField } from "./fields.ts";
import { forEachRow, rowError, splitComma, type RowReadOptions } from "./rows.ts";
import { TraceFileError } from "./errors.ts";

export const AZURE_LLM_COLUMNS = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"] as const;

/** Requests of the Azure LLM inference trace 2023, in arrival order. */
export interface AzureLlmTrace {
  file: string;
  /** seconds from the first request */
  times: Float64Array;
  /** prompt tokens */
  contextTokens: Int32Array;
  /** output tokens */
  generatedTokens: Int32Array;
  /** the first request's timestamp (UTC; the trace has no zone), ISO 8601 */
  startUtc: string;
  rows: number;
  skippedRows: number;
  skippedErrors: string[];
}

/** Reads `TIMESTAMP,ContextTokens,GeneratedTokens` rows; timestamps must not go back in time. */
export async function readAzureLlmArrivals(file: string, options: RowReadOptions = {}): Promise<AzureLlmTrace> {
  const whole: number[] = [];
  const frac: number[] = [];
  const ctx: number[] = [];
  const gen: number[] = [];
  const report = await forEachRow(file, {
    split: splitComma,
    columns: AZURE_LLM_COLUMNS.length,
    header(fields) {
      if (fields.join(",") !== AZURE_LLM_COLUMNS.join(",")) {
        throw new TraceFileError(`${basename(file)}:1: not an Azure LLM inference trace (expected header "${AZURE_LLM_COLUMNS.join(",")}")`);
      }
    },
    row(f, at) {
      const [w, fr] = datetimeParts(f[0], at, "TIMESTAMP");
      const c = nonNegativeIntegerField(f[1], at, "ContextTokens");
      const g = nonNegativeIntegerField(f[2], at, "GeneratedTokens");
      // Simultaneous requests are real; out-of-order ones would break arrival replay.
      const n = whole.length;
      if (n && (w < whole[n - 1] || (w === whole[n - 1] && fr < frac[n - 1]))) {
        throw rowError(at, "TIMESTAMP", `expected a time not before the previous row's, got "${f[0]}"`);
      }
      whole.push(w);
      frac.push(fr);
      ctx.push(c);
      gen.push(g);
    },
  }, options);
  const n = whole.length;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = whole[i] - whole[0] + (frac[i] - frac[0]);
  return {
    file,
    times,
    contextTokens: Int32Array.from(ctx),
    generatedTokens: Int32Array.from(gen),
    startUtc: n ? new Date(whole[0] * 1000 + Math.round(frac[0] * 1000)).toISOString() : "",
    ...report,
  };
}
