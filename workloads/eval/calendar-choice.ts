import { calendarSupport, type CalendarMode, type CalendarPeriod } from "../forecast/calendar.ts";
import { RidgeForecaster } from "../forecast/ridge.ts";
import { rollingOrigin } from "./rolling.ts";
import { validationEnd } from "./split.ts";

/** The forecasters that take calendar inputs (the window-based ones). */
export const CALENDAR_KINDS: readonly string[] = ["ridge", "lstm", "convformer"];

export interface CalendarChoice {
  mode: CalendarMode;
  /** periods given to the window models (empty: calendar off) */
  periods: CalendarPeriod[];
  /** periods the training part supports */
  supported: CalendarPeriod[];
  /** auto: ridge's validation MASE without and with the supported periods */
  validation?: { without: number; with: number; points: number };
  notes: string[];
}

/**
 * Whether the window models get calendar inputs, decided on the TRAINING part only: "off" never;
 * "on" wherever the data supports a period (calendarSupport); "auto" only if, in addition, ridge
 * with the calendar beats ridge without it on a validation part carved from the end of the
 * training part (fitted on its first 80 %). Ridge is the probe because its fit is closed-form
 * (milliseconds); the neural models follow its verdict.
 */
export async function chooseCalendar(
  mode: CalendarMode,
  train: Float64Array[],
  times: ArrayLike<number> | undefined,
  stepS: number,
  window: number,
  horizon: number,
): Promise<CalendarChoice> {
  if (mode === "off") return { mode, periods: [], supported: [], notes: ["calendar input off (--calendar off)"] };
  const support = calendarSupport(times, stepS);
  const base = { mode, supported: support.periods };
  if (support.periods.length === 0) return { ...base, periods: [], notes: support.notes };
  if (mode === "on") return { ...base, periods: support.periods, notes: [...support.notes, `calendar input on (${support.periods.join(", ")}) for ${CALENDAR_KINDS.join(", ")}`] };
  const n = train[0].length;
  const valEnd = validationEnd(n, 0.2);
  const scoreWith = async (calendar: CalendarPeriod[]) =>
    (await rollingOrigin(() => new RidgeForecaster({ window, calendar }), train, { horizon, trainEnd: valEnd, times })).metrics.mase;
  let without: number;
  let withCal: number;
  try {
    without = await scoreWith([]);
    withCal = await scoreWith(support.periods);
  } catch (e) {
    return { ...base, periods: [], notes: [...support.notes, `calendar input off: the validation part could not be scored (${(e as Error).message})`] };
  }
  const on = withCal < without;
  const points = n - valEnd;
  return {
    ...base,
    periods: on ? support.periods : [],
    validation: { without, with: withCal, points },
    notes: [
      ...support.notes,
      `calendar input ${on ? "on" : "off"} (auto): ridge validation MASE ${without.toFixed(4)} without, ${withCal.toFixed(4)} with ${support.periods.join(" + ")} (fitted on the first 80 % of the training part, scored on its last ${points} points; the test part is not looked at)`,
    ],
  };
}

/** A window model's parameters with the chosen calendar; an explicit calendar in --params wins. */
export function withCalendar(kind: string, params: Record<string, unknown>, choice: CalendarChoice, user: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!CALENDAR_KINDS.includes(kind) || (user && "calendar" in user)) return params;
  return { ...params, calendar: choice.periods };
}
