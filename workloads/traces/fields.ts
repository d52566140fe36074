import { rowError, type RowPlace } from "./rows.ts";

// Stricter than Number(): Number("") is 0 and Number("0x1f") is 31, both wrong for a trace field.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A finite decimal number. */
export function numberField(raw: string, at: RowPlace, column: string): number {
  if (!DECIMAL.test(raw)) throw rowError(at, column, `expected a number, got "${raw}"`);
  return Number(raw);
}

/** A whole number (token counts, identifiers stored as numbers). */
export function integerField(raw: string, at: RowPlace, column: string): number {
  if (!INTEGER.test(raw)) throw rowError(at, column, `expected an integer, got "${raw}"`);
  return Number(raw);
}

export function nonNegativeIntegerField(raw: string, at: RowPlace, column: string): number {
  const v = INTEGER.test(raw) ? Number(raw) : -1;
  if (v < 0) throw rowError(at, column, `expected a non-negative integer, got "${raw}"`);
  return v;
}

export function nonEmptyField(raw: string, at: RowPlace, column: string): string {
  if (raw === "") throw rowError(at, column, `expected a value, got ""`);
  return raw;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;

/**
 * "YYYY-MM-DD HH:MM:SS[.fraction]" read as UTC: [whole seconds since the Unix epoch, fraction].
 * The traces carry no zone; reading them as UTC keeps spacing exact (no daylight-saving jumps).
 * The fraction is kept apart because epoch seconds in a double resolve only ~0.2 us, coarser than
 * the 7 digits of the Azure LLM trace.
 */
export function datetimeParts(raw: string, at: RowPlace, column: string): [number, number] {
  const m = DATETIME.exec(raw);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    // Date.UTC rolls over out-of-range parts (month 13, second 61); reject instead.
    const back = new Date(ms);
    if (back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h &&
      back.getUTCMinutes() === mi && back.getUTCSeconds() === s) {
      // No cloud trace predates the Unix epoch: such a row is a typo, and as the first row it
      // would shift every later request decades into the run.
      if (ms < 0) throw rowError(at, column, `expected a date-time from 1970 on, got "${raw}"`);
      return [ms / 1000, m[7] ? Number(`0${m[7]}`) : 0];
    }
  }
  throw rowError(at, column, `expected a date-time "YYYY-MM-DD HH:MM:SS", got "${raw}"`);
}

/** A date-time field as seconds since the Unix epoch (UTC). */
export function datetimeField(raw: string, at: RowPlace, column: string): number {
  const [whole, frac] = datetimeParts(raw, at, column);
  return whole + frac;
}

/** Times must increase strictly within one series: a repeated or earlier time is a bad row. */
export function checkIncreasing(time: number, previous: number, at: RowPlace, column: string, raw: string): void {
  if (time <= previous) throw rowError(at, column, `expected a time after the previous row's, got "${raw}"`);
}
