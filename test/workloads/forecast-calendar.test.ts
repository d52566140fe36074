import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import seedrandom from "seedrandom";
import { calendarAngle, calendarFeatures, calendarSupport, timeAt } from "../../workloads/forecast/calendar.ts";
import { chooseCalendar } from "../../workloads/eval/calendar-choice.ts";
import { rollingOrigin } from "../../workloads/eval/rolling.ts";
import { RidgeForecaster } from "../../workloads/forecast/ridge.ts";
import { LstmForecaster } from "../../workloads/forecast/lstm.ts";
import { loadForecaster } from "../../workloads/forecast/registry.ts";
import { runForecastCommand } from "../../src/commands/forecast.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cotwin-cal-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

/** 2024-01-01 00:00 UTC, a Monday (Date.UTC, not the code under test) */
const MONDAY = Date.UTC(2024, 0, 1) / 1000;
const DAY = 86400;

test("calendar angles by hand: hour of day from midnight UTC, day of week from Monday 00:00 UTC", () => {
  // Monday 06:00: a quarter of the day, 6 of the week's 168 hours
  close(calendarAngle(MONDAY + 6 * 3600, "day"), Math.PI / 2);
  close(calendarAngle(MONDAY + 6 * 3600, "week"), (2 * Math.PI * 6) / 168);
  const [ds, dc, ws, wc] = calendarFeatures(MONDAY + 6 * 3600, ["day", "week"]);
  close(ds, 1);
  close(dc, 0, 1e-15);
  close(ws, Math.sin(Math.PI / 14));
  close(wc, Math.cos(Math.PI / 14));
  // Monday 00:00 is angle 0 of both; Thursday 12:00 is half the week; Sunday 18:00 is 3/4 of a day
  close(calendarAngle(MONDAY, "week"), 0);
  close(calendarAngle(MONDAY, "day"), 0);
  close(calendarAngle(MONDAY + 3.5 * DAY, "week"), Math.PI);
  close(calendarAngle(MONDAY + 6 * DAY + 18 * 3600, "day"), 1.5 * Math.PI);
  // 1970-01-01 00:00 was a Thursday: 3 days into the week
  close(calendarAngle(0, "week"), (2 * Math.PI * 3) / 7);
  // a week later, the same angles
  close(calendarAngle(MONDAY + 6 * 3600 + 7 * DAY, "week"), (2 * Math.PI * 6) / 168, 1e-9);
  // steps past the time stamps continue at the step
  assert.equal(timeAt([100, 200, 300], 100, 5), 600);
  assert.equal(timeAt([100, 200, 300], 100, 1), 200);
});

test("calendar support: two full periods at a step of at most a quarter period, else off with a reason", () => {
  const daily = (n: number) => Float64Array.from({ length: n }, (_, i) => MONDAY + i * DAY);
  const hourly = (n: number) => Float64Array.from({ length: n }, (_, i) => MONDAY + i * 3600);
  assert.deepEqual(calendarSupport(daily(14), DAY).periods, ["week"]);
  const short = calendarSupport(daily(13), DAY);
  assert.deepEqual(short.periods, []);
  assert.match(short.notes.join(" "), /week off \(the training part spans 13\.0 days, less than two weeks\)/);
  assert.match(short.notes.join(" "), /day off \(step 1\.0 days is too coarse/);
  assert.deepEqual(calendarSupport(hourly(48), 3600).periods, ["day"]);
  assert.deepEqual(calendarSupport(hourly(47), 3600).periods, []);
  assert.deepEqual(calendarSupport(hourly(24 * 14), 3600).periods, ["day", "week"]);
  const none = calendarSupport(undefined, 3600);
  assert.deepEqual(none.periods, []);
  assert.match(none.notes[0], /no time stamps/);
  // relative time stamps (a trace start, not 1970) are said so
  assert.match(calendarSupport(Float64Array.from({ length: 600 }, (_, i) => i * 300), 300).notes.join(" "), /count from the trace start/);
});

/** Daily series, Monday start: 10 + A sin(2 pi d / 7 + 0.3) + N(0, 1) noise. */
function weekly(n: number, seed: string, amp = 2): { y: Float64Array; times: Float64Array } {
  const rng = seedrandom(seed);
  const y = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    const u = 1 - rng();
    const v = rng();
    y[d] = 10 + amp * Math.sin((2 * Math.PI * d) / 7 + 0.3) + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return { y, times: Float64Array.from({ length: n }, (_, d) => MONDAY + d * DAY) };
}

/**
 * The smallest mean squared error any linear predictor from the last w values (+ intercept) can
 * reach on y = s + e, s a sinusoid of period 7 (amplitude A, random phase: autocovariance
 * K cos(w tau), K = A^2/2), e white noise of variance 1: K + 1 - c' S^-1 c, with S = I + K B B'
 * (B = [cos(w i), sin(w i)], i = 1..w) and c = K B e1, which Woodbury reduces to K + 1 - K^2 [G M^-1]_11,
 * G = B'B, M = I + K G.
 */
function linearFloorMse(w: number, amp: number): number {
  const om = (2 * Math.PI) / 7;
  const k = (amp * amp) / 2;
  let g11 = 0;
  let g12 = 0;
  let g22 = 0;
  for (let i = 1; i <= w; i++) {
    const u = Math.cos(om * i);
    const v = Math.sin(om * i);
    g11 += u * u;
    g12 += u * v;
    g22 += v * v;
  }
  const m11 = 1 + k * g11;
  const m12 = k * g12;
  const m22 = 1 + k * g22;
  return k + 1 - (k * k * (g11 * m22 - g12 * m12)) / (m11 * m22 - m12 * m12);
}

test("a strong weekly pattern: ridge with the day-of-week input beats ridge without it on the test part by the worked-out margin", async () => {
  // window 3, A = 2, sigma = 1: no linear use of 3 lags gets below RMSE sqrt(1.5735) = 1.254
  // (linearFloorMse); with the calendar the pattern is known and only the noise is left (RMSE 1)
  const floor = Math.sqrt(linearFloorMse(3, 2));
  close(floor, 1.2544, 1e-4);
  const { y, times } = weekly(2100, "weekly-1");
  const score = async (calendar: ("week" | "day")[]) =>
    (await rollingOrigin(() => new RidgeForecaster({ window: 3, calendar }), [y], { horizon: 1, trainEnd: 1400, times })).metrics.rmse;
  const without = await score([]);
  const withCal = await score(["week"]);
  // 700 test points: an RMSE is within ~3 % (1/sqrt(2*700) = 2.7 %) of its expectation; 3 sd slack
  assert.ok(withCal < 1.08, `with the calendar RMSE ${withCal} should be near the noise level 1`);
  assert.ok(without > floor * 0.92, `without the calendar RMSE ${without} cannot beat the linear floor ${floor}`);
  assert.ok(without / withCal > 1.15, `ratio ${without / withCal} should be near ${floor}`);
});

test("calendar auto turns the weekly input on for the weekly series and off when the span is too short", async () => {
  const { y, times } = weekly(400, "weekly-2");
  const on = await chooseCalendar("auto", [y], times, DAY, 3, 1);
  assert.deepEqual(on.periods, ["week"]);
  assert.ok(on.validation && on.validation.with < on.validation.without);
  const short = await chooseCalendar("auto", [y.slice(0, 12)], times.slice(0, 12), DAY, 3, 1);
  assert.deepEqual(short.periods, []);
  assert.match(short.notes.join(" "), /less than two weeks/);
  const off = await chooseCalendar("off", [y], times, DAY, 3, 1);
  assert.deepEqual(off.periods, []);
  assert.deepEqual((await chooseCalendar("on", [y], undefined, DAY, 3, 1)).periods, []);
});

test("a saved calendar model loads back with the same inputs and forecasts; a tampered calendar state is refused", async () => {
  const { y, times } = weekly(300, "weekly-3");
  const m = new RidgeForecaster({ window: 3, calendar: ["week"] });
  await m.fit([y.slice(0, 250)], { times: times.slice(0, 250) });
  const at = m.predictAt([y], [260, 270, 299], 3, times);
  const out = path.join(dir, "ridge-cal");
  await m.save(out);
  const saved = JSON.parse(readFileSync(path.join(out, "model.json"), "utf8"));
  assert.deepEqual(saved.params.calendar, ["week"]);
  assert.deepEqual(saved.state.calendar, { periods: ["week"], stepS: DAY });
  const back = await loadForecaster(out);
  assert.deepEqual(back.predictAt([y], [260, 270, 299], 3, times), at);
  assert.throws(() => back.predict([y], 1), /calendar inputs \(week\) and needs the time stamps/);
  delete saved.state.calendar;
  writeFileSync(path.join(out, "model.json"), JSON.stringify(saved));
  await assert.rejects(loadForecaster(out), /state\.calendar is missing/);
});

test("train then predict through the command line keeps the calendar (hourly data over 13 days: day on, week off)", async () => {
  const file = path.join(dir, "hourly.csv");
  // a strong daily cycle from a Monday: ridge's validation improves with the hour-of-day input
  const rng = seedrandom("hourly");
  writeFileSync(file, "time,load\n" + Array.from({ length: 24 * 13 }, (_, i) => `${MONDAY + i * 3600},${(5 + 3 * Math.sin((2 * Math.PI * i) / 24) + rng()).toFixed(3)}`).join("\n") + "\n");
  const io = { out: (_t: string) => {}, err: (_t: string) => {}, interactive: false };
  let text = "";
  const model = path.join(dir, "cli-model");
  const code = await runForecastCommand(["train", "--data", file, "--model", "ridge", "--params", '{"window":3}', "--out", model], { ...io, out: (t) => (text += t) });
  assert.equal(code, 0);
  assert.match(text, /calendar input on \(auto\)/);
  const info = JSON.parse(readFileSync(path.join(model, "training.json"), "utf8"));
  assert.deepEqual(info.calendar.periods, ["day"]);
  assert.equal(info.calendar.mode, "auto");
  assert.deepEqual(JSON.parse(readFileSync(path.join(model, "model.json"), "utf8")).params.calendar, ["day"]);
  let json = "";
  assert.equal(await runForecastCommand(["predict", "--model", model, "--data", file, "--horizon", "2", "--json"], { ...io, out: (t) => (json += t) }), 0);
  const p = JSON.parse(json);
  // the same numbers as the loaded model given the file's time stamps
  const back = await loadForecaster(model);
  const y = Float64Array.from(readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1])));
  const t = Float64Array.from({ length: y.length }, (_, i) => MONDAY + i * 3600);
  assert.deepEqual(p.forecast, Array.from(back.predict([y], 2, t)));
  // --calendar off: no calendar in the model file
  const offDir = path.join(dir, "cli-off");
  assert.equal(await runForecastCommand(["train", "--data", file, "--model", "ridge", "--calendar", "off", "--out", offDir], io), 0);
  assert.deepEqual(JSON.parse(readFileSync(path.join(offDir, "model.json"), "utf8")).params.calendar, []);
  let err = "";
  assert.equal(await runForecastCommand(["train", "--data", file, "--model", "ridge", "--calendar", "maybe", "--out", path.join(dir, "x")], { ...io, err: (t) => (err += t) }), 2);
  assert.match(err, /--calendar must be one of auto, on, off/);
});

test("same seed, same result: an LSTM with calendar channels trains to the same forecasts twice", async () => {
  const { y, times } = weekly(160, "weekly-4");
  const run = async () => {
    const m = new LstmForecaster({ window: 4, units: [4], epochs: 2, patience: 1, seed: 7, calendar: ["week"], batchSize: 32 });
    await m.fit([y.slice(0, 140)], { times: times.slice(0, 140) });
    const f = m.predictAt([y], [145, 150], 1, times);
    m.dispose();
    return f;
  };
  assert.deepEqual(await run(), await run());
});
