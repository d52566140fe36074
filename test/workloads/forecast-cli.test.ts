import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { runForecastCommand } from "../../src/commands/forecast.ts";
import { repoRoot } from "../helpers/data.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cotwin-fcli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
// an hourly two-column series (time in seconds, value) with a daily cycle
const file = path.join(dir, "series.tsv");
writeFileSync(
  file,
  "time\tload\n" + Array.from({ length: 24 * 12 }, (_, i) => `${i * 3600}\t${(5 + 2 * Math.sin((2 * Math.PI * i) / 24) + ((i * 37) % 7) / 10).toFixed(3)}`).join("\n") + "\n",
);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runForecastCommand(args, { out: (t) => (out += t), err: (t) => (err += t), interactive: false });
  return { code, out, err };
}

test("eval --json prints exactly one JSON object with the six metrics per model", async () => {
  const r = await run(["eval", "--data", file, "--models", "naive,ses,ridge", "--json"]);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(r.out.trim().split("\n").length, 1);
  assert.deepEqual(doc.results.map((x: { model: string }) => x.model), ["naive", "ses", "ridge"]);
  for (const x of doc.results) assert.deepEqual(Object.keys(x), ["model", "mae", "rmse", "smape", "r2", "mase"]);
  assert.equal(doc.results[0].mase, 1);
  assert.equal(doc.seed, 42);
  assert.match(r.err, /backend (tensorflow|wasm|cpu)/);
});

test("errors name the flag or the file", async () => {
  let r = await run(["eval", "--models", "naive"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--data is required/);
  r = await run(["eval", "--data", path.join(dir, "nope.csv")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--data: .*nope\.csv does not exist/);
  r = await run(["eval", "--data", file, "--models", "naive,prophet"]);
  assert.match(r.err, /--models: unknown model "prophet"/);
  r = await run(["train", "--data", file, "--model", "ridge", "--params", "{oops", "--out", path.join(dir, "m")]);
  assert.match(r.err, /--params: not valid JSON/);
  r = await run(["eval", "--data", file, "--protocol", "m4"]);
  assert.match(r.err, /--protocol: unknown protocol "m4"/);
  r = await run(["eval", "--data", file, "--models", "naive", "--seed", "abc"]);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'cotwin forecast: --seed must be a number, got "abc"\n');
});

test("train writes a model directory that predict loads", async () => {
  const out = path.join(dir, "ridge-model");
  let r = await run(["train", "--data", file, "--model", "ridge", "--params", '{"window":24,"l2":0.5}', "--horizon", "2", "--out", out]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(path.join(out, "model.json")));
  r = await run(["predict", "--model", out, "--data", file, "--horizon", "3", "--json"]);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.forecast.length, 3);
  assert.deepEqual(doc.times, [288 * 3600, 289 * 3600, 290 * 3600]);
});

test("plot writes SVG and PNG for a data set and for a model", async () => {
  const charts = path.join(dir, "charts");
  let r = await run(["plot", "--data", file, "--out", charts]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(path.join(charts, "hist-load.svg")));
  assert.ok(existsSync(path.join(charts, "hist-load.png")));
  const model = path.join(dir, "ses-model");
  await run(["train", "--data", file, "--model", "ses", "--out", model]);
  r = await run(["plot", "--data", file, "--model", model, "--out", charts, "--points", "48"]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(path.join(charts, "forecast.png")));
});

test("tune prints one row per trial", async () => {
  const r = await run(["tune", "--data", file, "--model", "ridge", "--method", "random", "--trials", "3", "--json"]);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.trials.length, 3);
  assert.ok(Number.isFinite(doc.best.score));
});

test("tune refuses budgets and spaces that cannot work, naming the flag (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["--eta", "1"], /--eta must be a number greater than 1/],
    [["--eta", "-2"], /--eta must be a number greater than 1/],
    [["--eta", "0"], /--eta must be a number greater than 1/],
    [["--eta", "1.01"], /--eta 1.01 with epochs 1..9 gives \d+ Hyperband brackets/],
    [["--min-epochs", "10", "--max-epochs", "2"], /--min-epochs 10 is greater than --max-epochs 2/],
    [["--space", '{"depth":{"type":"int","min":1,"max":3}}'], /--space: \{"depth":1\} is not a valid ridge setting/],
    [["--space", '{"l2":{"type":"float","min":10,"max":1}}'], /--space: "l2": min 10 is greater than max 1/],
    [["--space", '{"l2":{"type":"float","min":"a","max":1}}'], /--space: "l2"/],
    [["--space", "{nope"], /--space: not valid JSON/],
  ];
  for (const [extra, re] of cases) {
    const r = await run(["tune", "--data", file, "--model", "ridge", "--method", "hyperband", "--trials", "3", ...extra]);
    assert.equal(r.code, 2, `${extra.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.out, "");
  }
});

test("tune scores on a validation part of the training data and reports the test score apart", async () => {
  const r = await run(["tune", "--data", file, "--model", "ridge", "--method", "random", "--trials", "2", "--json"]);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  // 288 observed points: 230 train (80 %), of which the last 46 (20 %) validate
  assert.equal(doc.split.trainPoints, 230);
  assert.equal(doc.split.validationPoints, 46);
  assert.equal(doc.split.testStartTime, 230 * 3600);
  assert.ok(Number.isFinite(doc.test.mase));
  assert.ok(doc.test.points > 0 && doc.test.points <= 58);
});

test("eval --out refuses files it did not write and the project's source tree unless --force", async () => {
  const own = path.join(dir, "own.json");
  const theirs = path.join(dir, "notes.txt");
  writeFileSync(theirs, "someone's notes\n");
  let r = await run(["eval", "--data", file, "--models", "naive", "--out", theirs]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--out .*notes\.txt: exists and was not written by this command; refusing to overwrite it \(pass --force/);
  assert.equal(readFileSync(theirs, "utf8"), "someone's notes\n");
  const source = path.join(repoRoot, "workloads", "forecast", "naive.ts");
  const before = readFileSync(source, "utf8");
  r = await run(["eval", "--data", file, "--models", "naive", "--out", source]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--out: .*naive\.ts is inside cotwin's own source tree/);
  assert.equal(readFileSync(source, "utf8"), before);
  // its own earlier result is replaced; --force writes over anything
  r = await run(["eval", "--data", file, "--models", "naive", "--out", own]);
  assert.equal(r.code, 0, r.err);
  r = await run(["eval", "--data", file, "--models", "ses", "--out", own]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(own, "utf8")).results[0].model, "ses");
  r = await run(["eval", "--data", file, "--models", "naive", "--out", theirs, "--force"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(theirs, "utf8")).writtenBy, "cotwin forecast eval");
});

test("--function selects one function's series of serverless data", async () => {
  const { generateServerlessData, serverlessCsv } = await import("../../workloads/generators/serverless.ts");
  const spec = { ratePerS: 1, meanWorkS: 0.05, vcpus: 1, memoryMb: 256, keepAliveS: 60, coldStartMeanS: 0.5, concurrencyLimit: 8 };
  const g = generateServerlessData({ seed: 2, durationS: 6000, functions: [{ id: "a", ...spec }, { id: "b", ...spec, ratePerS: 0.02 }] });
  const csv = path.join(dir, "sl.csv");
  writeFileSync(csv, serverlessCsv(g.rows));
  const r = await run(["eval", "--data", csv, "--column", "ResponseTime", "--function", "a", "--models", "naive", "--json"]);
  assert.equal(r.code, 0, r.err);
  // function a runs at 1/s: every 60 s window from the first to the last minute has invocations
  const minutes = new Set(g.rows.filter((x) => x.FunctionID === "a").map((x) => Math.floor(x.Timestamp / 60)));
  assert.equal(JSON.parse(r.out).split.points, Math.max(...minutes) - Math.min(...minutes) + 1);
  const bad = await run(["eval", "--data", csv, "--column", "ResponseTime", "--function", "zz", "--models", "naive"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /no invocations of function "zz"/);
  const notServerless = await run(["eval", "--data", file, "--function", "a", "--models", "naive"]);
  assert.equal(notServerless.code, 2);
  assert.match(notServerless.err, /--function: .* is not serverless data/);
});

test("plot of a holdout-trained model scores the same observed test points as eval, draws gaps as gaps and marks the split", async () => {
  // hourly, 300 steps with a gap at 250..269: 280 observed, the test part starts at observation 224 and holds the gap
  const gappy = path.join(dir, "gappy.tsv");
  const rows = ["time\tload"];
  for (let i = 0; i < 300; i++) if (i < 250 || i >= 270) rows.push(`${i * 3600}\t${(5 + 0.3 * Math.sin(i / 20) + ((i * 37) % 11) / 5).toFixed(3)}`);
  writeFileSync(gappy, rows.join("\n") + "\n");
  const ev = await run(["eval", "--data", gappy, "--models", "ses", "--json"]);
  assert.equal(ev.code, 0, ev.err);
  const evalMase = JSON.parse(ev.out).results[0].mase;
  const model = path.join(dir, "ses-gappy");
  let r = await run(["train", "--data", gappy, "--model", "ses", "--holdout", "0.2", "--out", model]);
  assert.equal(r.code, 0, r.err);
  const charts = path.join(dir, "gappy-charts");
  r = await run(["plot", "--data", gappy, "--model", model, "--out", charts]);
  assert.equal(r.code, 0, r.err);
  const m = /MASE ([0-9.]+) over (\d+) test points/.exec(r.out);
  assert.ok(m, r.out);
  assert.equal(Number(m[1]), Number(evalMase.toFixed(4)));
  const svg = readFileSync(path.join(charts, "forecast.svg"), "utf8");
  assert.ok((svg.match(/<polyline/g) ?? []).length >= 3, "the actual series breaks at the gap");
  assert.match(svg, /stroke-dasharray="5 4"/);
  assert.match(svg, /test part/);
});
