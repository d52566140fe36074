import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { dailyMeans, observedOrigins, runProtocol } from "../../workloads/eval/protocols.ts";
import { sharedDataDir } from "../helpers/data.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("daily means leave missing hours out and interpolate empty days", () => {
  const day = 86400;
  // day 0: hours 1, 3 and a missing one -> 2; day 1: all missing -> between 2 and 5; day 2: 5
  const times = Float64Array.from([0, 3600, 7200, day, day + 3600, 2 * day]);
  const values = Float64Array.from([1, NaN, 3, NaN, NaN, 5]);
  const mask = Uint8Array.from([1, 0, 1, 0, 0, 1]);
  const { days, hours } = dailyMeans(times, values, mask);
  assert.deepEqual(Array.from(days), [2, 3.5, 5]);
  assert.deepEqual(Array.from(hours), [2, 0, 1]);
});

test("observed origins need the whole window and the target observed", () => {
  // missing at index 4: window 2, horizon 1 -> origins t with t-2..t observed: 2, 3, 7, 8, 9
  const mask = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(observedOrigins(mask, 2, 1, 0)), [2, 3, 7, 8, 9]);
});

function dataOr(t: { skip: (msg: string) => void }, rel: string, dataset: string): string | null {
  const dir = sharedDataDir();
  if (!dir || !existsSync(path.join(dir, rel))) {
    t.skip(`data absent: run npx cotwin data fetch ${dataset}`);
    return null;
  }
  return dir;
}

test("vm-load-daily: 550 days, 440 training and 96 test windows, daily means by hand", async (t) => {
  const dir = dataOr(t, "vm-load/aa.txt", "vm-load");
  if (!dir) return;
  const r = await runProtocol("vm-load-daily", { data: dir, models: ["naive", "ses"] });
  const { calendar, ...split } = r.split as Record<string, unknown> & { calendar: { supported: string[] } };
  assert.deepEqual(split, { days: 550, window: 14, trainWindows: 440, testWindows: 96, trainDays: 454 });
  // daily means over 454 training days: a weekly input is possible, a daily one is not
  assert.deepEqual(calendar.supported, ["week"]);
  // the previous-value forecast is the MASE yardstick: exactly 1
  assert.equal(r.results[0].mase, 1);
  assert.equal(r.results[0].n, 96);
  // published figures on this split: LSTM 0.826; SES should be of that order, beating persistence
  assert.ok(r.results[1].mae < r.results[0].mae);
  assert.ok(r.results[1].mae > 0.7 && r.results[1].mae < 0.9, `ses MAE ${r.results[1].mae}`);
  // hand check of the aggregation (awk over aa.txt): 2013-01-01 sums to 109 over 24 hours;
  // 2013-04-02 has one -1 and sums to 89 over its 23 observed hours; 2014-07-04 has 13 hours summing to 58
  const { readSeries } = await import("../../workloads/traces/index.ts");
  const raw = await readSeries(path.join(dir, "vm-load/aa.txt"), { missing: "mask" });
  const { days } = dailyMeans(raw.times, raw.values, raw.mask);
  close(days[0], 109 / 24);
  close(days[91], 89 / 23);
  close(days[549], 58 / 13);
});

test("google-job: train on one task, score the five others against persistence", async (t) => {
  const dir = dataOr(t, "google2019/job113", "google2019");
  if (!dir) return;
  const r = await runProtocol("google-job", { data: dir, models: ["naive", "ses"] });
  const split = r.split as { trainTask: string; testTasks: { task: string; scored: number }[]; window: number };
  assert.equal(split.trainTask, "75");
  assert.equal(split.testTasks.length, 5);
  assert.equal(split.window, 30);
  assert.equal(r.results[0].mase, 1);
  for (const p of r.results[0].perTask!) assert.equal(p.mase, 1);
  assert.ok(r.results[1].mase < 1.05, `ses MASE ${r.results[1].mase}`);
  await assert.rejects(runProtocol("google-job", { data: dir, trainTask: "999", models: ["naive"] }), /--train-task: no task "999"/);
});

function hourlyFile(name: string, n: number, f: (i: number) => number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cotwin-proto-"));
  const file = path.join(dir, name);
  writeFileSync(file, "time\tload\n" + Array.from({ length: n }, (_, i) => `${i * 3600}\t${f(i)}`).join("\n") + "\n");
  return file;
}

test("auto picks by validation score: on an exact daily cycle it is seasonal-naive, MASE 0 on the test part", async () => {
  // period 24, no noise: the value a day earlier is exact; any average with another model is not
  const file = hourlyFile("cycle.tsv", 24 * 20, (i) => [3, 5, 9, 4, 7, 1, 8, 2][i % 8] + (i % 24));
  try {
    const r = await runProtocol("holdout", { data: file, models: ["naive", "seasonal-naive", "ses", "auto", "ensemble"] });
    const auto = r.results.find((x) => x.model === "auto")!;
    assert.deepEqual(auto.params, { picked: "seasonal-naive" });
    assert.equal(auto.validationMase, 0);
    assert.equal(auto.mase, 0);
    const ens = r.results.find((x) => x.model === "ensemble")!;
    assert.deepEqual((ens.params.of as string[])[0], "seasonal-naive");
    assert.ok(ens.mase > 0, "the mean of three models is not exact here");
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test("a series too short for the 30-step window gets a warning and a shorter window", async () => {
  // 100 observed points: 80 train -> window floor(80 / 10) = 8
  const file = hourlyFile("short.tsv", 100, (i) => 5 + Math.sin(i / 3));
  try {
    const r = await runProtocol("holdout", { data: file, models: ["naive"] });
    assert.equal(r.split.window, 8);
    assert.ok(r.notes.some((n) => /^warning: the training part has only 80 points, too short for the 30-step window: window 8 used/.test(n)), r.notes.join("\n"));
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
