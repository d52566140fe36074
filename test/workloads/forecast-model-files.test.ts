/**
 * Saved model directories are input: a broken one is refused with the file named (exit 2), never
 * turned into NaN forecasts, a TensorFlow.js shape error or a read outside the directory.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { runForecastCommand } from "../../src/commands/forecast.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { ScenarioError } from "../../simulator/scenario.ts";
import { prepareForecast } from "../../workloads/forecast-hook.ts";
import { buildArrivals } from "../../workloads/scenario-workload.ts";
import { scenario } from "../helpers/twin.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cotwin-mfiles-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = path.join(dir, "series.tsv");
writeFileSync(data, "time\tload\n" + Array.from({ length: 200 }, (_, i) => `${i * 3600}\t${(5 + Math.sin(i / 4)).toFixed(3)}`).join("\n") + "\n");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runForecastCommand(args, { out: (t) => (out += t), err: (t) => (err += t), interactive: false });
  return { code, out, err };
}

const lstm = path.join(dir, "lstm");
const ridge = path.join(dir, "ridge");
const ses = path.join(dir, "ses");
before(async () => {
  for (const [m, out, params] of [["lstm", lstm, '{"window":4,"units":[2],"epochs":1}'], ["ridge", ridge, '{"window":4}'], ["ses", ses, "{}"]]) {
    const r = await run(["train", "--data", data, "--model", m, "--params", params, "--out", out]);
    assert.equal(r.code, 0, r.err);
  }
});

/** A copy of a trained model directory with one change. */
function variant(src: string, name: string, change: (d: string) => void): string {
  const d = path.join(dir, name);
  cpSync(src, d, { recursive: true });
  change(d);
  return d;
}

function editModelJson(d: string, edit: (m: Record<string, any>) => void): void {
  const f = path.join(d, "model.json");
  const m = JSON.parse(readFileSync(f, "utf8"));
  edit(m);
  writeFileSync(f, JSON.stringify(m));
}

async function refused(model: string, re: RegExp): Promise<void> {
  const r = await run(["predict", "--model", model, "--data", data]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, re);
  assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
  assert.equal(r.out, "");
}

test("weights of the right size but NaN are refused, naming the weights file", async () => {
  const d = variant(lstm, "nan-weights", (d) => {
    const f = path.join(d, "weights.bin");
    const b = readFileSync(f);
    const w = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    w[w.length - 1] = NaN;
    writeFileSync(f, new Uint8Array(w.buffer));
  });
  await refused(d, /weights file .*nan-weights.weights\.bin holds a non-finite weight/);
});

test("finite nonsense that forecasts NaN or Infinity is refused, naming the model", async () => {
  const d = variant(ridge, "huge-coef", (d) => editModelJson(d, (m) => (m.state.coef = m.state.coef.map(() => 1e308))));
  await refused(d, /model: .*huge-coef forecast a non-finite value/);
});

test("a truncated weights file says how many bytes it holds and needs", async () => {
  const d = variant(lstm, "truncated", (d) => {
    const f = path.join(d, "weights.bin");
    const b = readFileSync(f);
    writeFileSync(f, b.subarray(0, b.length - 8));
  });
  const full = readFileSync(path.join(lstm, "weights.bin")).length;
  await refused(d, new RegExp(`weights file .*truncated.weights\\.bin holds ${full - 8} bytes, the weight specs in .*model\\.json need ${full}`));
});

test("a weightsFile path that leaves the model directory is not followed", async () => {
  for (const p of ["../../../../etc/passwd", "/etc/passwd", "."]) {
    const d = variant(lstm, `escape-${p.length}`, (d) => editModelJson(d, (m) => (m.tfjs.weightsFile = p)));
    await refused(d, /weightsFile ".*" must name a file inside the model directory/);
  }
});

test("fitted state with NaN (null in JSON) names the field", async () => {
  const d = variant(ses, "nan-alpha", (d) => editModelJson(d, (m) => (m.state.alpha = null)));
  await refused(d, /model\.json: state\.alpha is not a finite number/);
});

test("a scenario refuses a saved model that forecasts NaN before the run instead of clamping it to 0", async () => {
  const d = variant(ridge, "huge-coef-scenario", (d) => editModelJson(d, (m) => (m.state.coef = m.state.coef.map(() => 1e308))));
  const s = scenario({ intervalS: 10, hosts: [{ size: "Standard_B2s", count: 2 }], workload: { kind: "poisson", ratePerInterval: 2 }, forecast: { model: d, horizon: 2 } });
  const model = buildTwinModel(s, "test.yaml");
  const arrivals = buildArrivals(s, model, new RandomStreams(1), "test.yaml");
  await assert.rejects(prepareForecast(s, arrivals, 1, "test.yaml"), (e: unknown) => {
    assert.ok(e instanceof ScenarioError);
    assert.match((e as Error).message, /test\.yaml: forecast\.model .*huge-coef-scenario forecasts non-finite values/);
    return true;
  });
});
