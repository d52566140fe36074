/**
 * Calendar inputs for the window-based forecasters (ridge, LSTM, ConvFormer): sin and cos of the
 * position in a day and in a week of the step being forecast. That time is known in advance, so
 * the input leaks nothing.
 *
 * Convention (UTC): the day angle is 2*pi * (seconds since midnight) / 86400, so 06:00 is pi/2;
 * the week angle is 2*pi * (seconds since Monday 00:00) / 604800, so Monday 00:00 is 0 and
 * Thursday 12:00 is pi. Time stamps that count from a trace start (not from 1970) give the same
 * cycles with a fixed phase, which a model absorbs (a phase shift of sin/cos is a linear mix of them).
 */
import { z } from "zod";

export const CALENDAR_PERIODS = { day: 86_400, week: 604_800 } as const;
export type CalendarPeriod = keyof typeof CALENDAR_PERIODS;
export const CALENDAR_PERIOD_NAMES = Object.keys(CALENDAR_PERIODS) as CalendarPeriod[];
/** A model parameter: the calendar periods used as inputs (none by default). */
export const calendarParamSchema = z.array(z.enum(["day", "week"])).default([]);
export const CALENDAR_MODES = ["auto", "on", "off"] as const;
export type CalendarMode = (typeof CALENDAR_MODES)[number];

/** 1970-01-01 was a Thursday: the first Monday 00:00 UTC is 4 days later. */
const FIRST_MONDAY_S = 4 * 86_400;
/** time stamps before 2001 are offsets from a trace start, not dates */
const DATES_FROM_S = 978_307_200;

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** The angle (radians, in [0, 2*pi)) of a time stamp (seconds) in a period. */
export function calendarAngle(timeS: number, period: CalendarPeriod): number {
  const p = CALENDAR_PERIODS[period];
  const from = period === "week" ? FIRST_MONDAY_S : 0;
  return (2 * Math.PI * mod(timeS - from, p)) / p;
}

/** [sin, cos] of every period, in the order given: 2 numbers per period. */
export function calendarFeatures(timeS: number, periods: readonly CalendarPeriod[]): number[] {
  const out: number[] = [];
  for (const p of periods) {
    const a = calendarAngle(timeS, p);
    out.push(Math.sin(a), Math.cos(a));
  }
  return out;
}

/**
 * Time stamps of a series and of the steps after its end: index j < times.length is times[j];
 * later steps (forecasts past the data, recursive horizons) continue at `stepS`.
 */
export function timeAt(times: ArrayLike<number>, stepS: number, j: number): number {
  const n = times.length;
  if (n === 0) throw new Error("calendar: no time stamps");
  if (j < n) return times[Math.max(0, j)];
  return times[n - 1] + (j - n + 1) * stepS;
}

/**
 * Calendar features of the forecast step of each origin (the first step forecast, origins[i]),
 * [origins.length, 2 * periods.length] row-major. Later steps of a multi-step forecast lie at
 * fixed offsets from it, which the per-step outputs absorb.
 */
export function calendarRows(times: ArrayLike<number>, stepS: number, origins: ArrayLike<number>, periods: readonly CalendarPeriod[]): Float64Array {
  const nc = 2 * periods.length;
  const out = new Float64Array(origins.length * nc);
  for (let i = 0; i < origins.length; i++) out.set(calendarFeatures(timeAt(times, stepS, origins[i]), periods), i * nc);
  return out;
}

export interface CalendarSupport {
  /** periods the data supports: fine enough steps and at least two full periods of data */
  periods: CalendarPeriod[];
  /** why each period is on or off (for the notes) */
  notes: string[];
}

function spanLabel(s: number): string {
  return s >= 86_400 ? `${(s / 86_400).toFixed(1)} days` : `${(s / 3600).toFixed(1)} h`;
}

/**
 * Which calendar periods a (training) series supports: it must have time stamps, a step of at
 * most a quarter of the period (a daily cycle is invisible in daily means) and span at least two
 * full periods (a weekly input needs two weeks of data to be learnt at all).
 */
export function calendarSupport(times: ArrayLike<number> | undefined, stepS: number): CalendarSupport {
  if (!times || times.length < 2 || !(stepS > 0)) return { periods: [], notes: ["calendar input off: the data has no time stamps"] };
  const span = times[times.length - 1] - times[0] + stepS;
  const periods: CalendarPeriod[] = [];
  const parts: string[] = [];
  for (const p of CALENDAR_PERIOD_NAMES) {
    const len = CALENDAR_PERIODS[p];
    if (stepS > len / 4) parts.push(`${p} off (step ${spanLabel(stepS)} is too coarse for a ${p} cycle)`);
    else if (span < 2 * len) parts.push(`${p} off (the training part spans ${spanLabel(span)}, less than two ${p}s)`);
    else {
      periods.push(p);
      parts.push(`${p} supported`);
    }
  }
  const notes = [`calendar input: ${parts.join("; ")}`];
  if (periods.length && times[0] < DATES_FROM_S) notes.push("calendar input: the time stamps count from the trace start, so hour and weekday are measured from it (a fixed phase the models absorb), not from midnight UTC and Monday");
  return { periods, notes };
}

/** The median positive step of a time-stamp series, seconds (0 when there is none). */
export function medianStepOf(times: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1]) d.push(times[i] - times[i - 1]);
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}

/** What a fitted window model keeps of its calendar input (saved in model.json). */
export interface CalendarState {
  periods: CalendarPeriod[];
  /** step of the training time stamps, s: continues the time stamps past the data */
  stepS: number;
}

/** The calendar state of a fit, checking the time stamps are there (none when `periods` is empty). */
export function fitCalendar(kind: string, periods: readonly CalendarPeriod[], times: ArrayLike<number> | undefined, n: number): CalendarState | undefined {
  if (periods.length === 0) return undefined;
  checkTimes(kind, periods, times, n);
  const stepS = medianStepOf(times!);
  if (!(stepS > 0)) throw new Error(`${kind}: calendar input (${periods.join(", ")}) needs increasing time stamps`);
  return { periods: [...periods], stepS };
}

/** A model with calendar inputs needs a time stamp for every step of the series it is given. */
export function checkTimes(kind: string, periods: readonly CalendarPeriod[], times: ArrayLike<number> | undefined, n: number): void {
  if (periods.length === 0) return;
  if (!times) throw new Error(`${kind}: the model has calendar inputs (${periods.join(", ")}) and needs the time stamps of the series`);
  if (times.length < n) throw new Error(`${kind}: ${times.length} time stamps for a series of ${n} steps`);
}

/**
 * A saved window model must carry the calendar state its parameters name (periods, in order, and
 * a positive step), or its inputs would not line up with its coefficients or weights.
 */
export function checkSavedCalendar(params: Record<string, unknown>, state: unknown, where: string): string | null {
  const want = Array.isArray(params.calendar) ? (params.calendar as string[]) : [];
  const cal = (state as { calendar?: Partial<CalendarState> } | null)?.calendar;
  if (want.length === 0) return cal ? `${where}: state.calendar is present but params.calendar is empty` : null;
  if (!cal || !Array.isArray(cal.periods)) return `${where}: params.calendar is ${want.join(", ")} but state.calendar is missing`;
  if (cal.periods.join(",") !== want.join(",")) return `${where}: state.calendar.periods (${cal.periods.join(", ")}) differ from params.calendar (${want.join(", ")})`;
  if (!(typeof cal.stepS === "number" && cal.stepS > 0)) return `${where}: state.calendar.stepS must be a positive number of seconds`;
  return null;
}
