/**
 * The original studies' regression models: response time from an invocation's other measurements,
 * maximum memory from an instance's concurrent features. Tiny data, tiny budgets: the numbers
 * asserted are the ones a plain linear relationship fixes (R2 = 1 for least squares).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { runForecastCommand } from "../../src/commands/forecast.ts";
import type { ServerlessRow } from "../../workloads/generators/serverless.ts";
import { maxMemoryStudy, memorySamples } from "../../workloads/forecast/max-memory.ts";
import { responseTimeStudy } from "../../workloads/forecast/response-time.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cotwin-studies-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const tiny = { method: "random" as const, trials: 1, maxEpochs: 2, seed: 3 };

test("response time: least squares recovers an exact linear relation (R2 = 1); the LSTM trains and is scored on the test part", async () => {
  const rows: ServerlessRow[] = Array.from({ length: 400 }, (_, i) => {
    const cpu = 20 + ((i * 37) % 60);
    const lat = i % 7 === 0 ? 0.5 + (i % 3) * 0.2 : 0;
    const thr = ((i * 13) % 10) / 20;
    return {
      FunctionID: `fn-${i % 3}`, Timestamp: i * 9, CPUUtilization: cpu, MemoryUtilization: 30 + (i % 5), ColdStart: lat > 0 ? 1 : 0,
      ColdStartLatency: lat, ThrottlingRate: thr, ErrorRate: 0.01 * (i % 4),
      ResponseTime: 0.1 + 0.004 * cpu + 1.5 * lat + 0.8 * thr,
    };
  });
  const r = await responseTimeStudy(rows, { steps: 2, search: tiny });
  // 400 rows: 80 test (20 %), of the 320 others the last 64 validate
  assert.deepEqual(r.parts, { train: 256, validation: 64, test: 80 });
  assert.ok(r.linear.r2 > 0.99999, `least squares R2 ${r.linear.r2}`);
  assert.ok(r.linear.mae < 1e-4, `least squares MAE ${r.linear.mae}`);
  assert.equal(r.trials.length, 1);
  assert.ok(Number.isFinite(r.lstm.test.rmse) && r.lstm.test.n === 80);
  assert.deepEqual(r.featureNames.slice(0, 5), ["hour_sin", "hour_cos", "fn=fn-0", "fn=fn-1", "fn=fn-2"]);
});

const HEADER = "time,unique_id,collection_id,instance_index,priority,scheduling_class,machine_id,alloc_collection_id,alloc_instance_index,collection_type,avg_cpu_usage,avg_memory_usage,max_cpu_usage,max_memory_usage,random_sample_cpu_usage,assigned_memory,sample_rate,p0_cpu_usage,p10_cpu_usage,p20_cpu_usage,p30_cpu_usage,p40_cpu_usage,p50_cpu_usage,p60_cpu_usage,p70_cpu_usage,p80_cpu_usage,p90_cpu_usage,p91_cpu_usage,p92_cpu_usage,p93_cpu_usage,p94_cpu_usage,p95_cpu_usage,p96_cpu_usage,p97_cpu_usage,p98_cpu_usage,p99_cpu_usage,memory_limit,cpu_limit,abstract_usage,abstract_limit";

/** A Google 2019 task file: steps 0..n-1 except `gap`, max memory an exact linear function of the features. */
function googleTask(name: string, n: number, gap: [number, number]): string {
  const cols = HEADER.split(",");
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    if (i >= gap[0] && i < gap[1]) continue;
    const v = new Array(cols.length).fill("0");
    const avg = 0.02 + 0.01 * Math.sin(i / 5);
    const mx = avg * (1.5 + 0.3 * Math.cos(i / 3));
    const assigned = 0.01 + 0.001 * (i % 4);
    v[cols.indexOf("time")] = String((i + 1) * 300_000_000);
    v[cols.indexOf("unique_id")] = "1-1";
    v[cols.indexOf("avg_cpu_usage")] = String(avg);
    v[cols.indexOf("max_cpu_usage")] = String(mx);
    v[cols.indexOf("assigned_memory")] = String(assigned);
    v[cols.indexOf("max_memory_usage")] = String(0.002 + 0.3 * avg + 0.1 * mx + 0.5 * assigned);
    lines.push(v.join(","));
  }
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

test("max memory: samples never span a gap or the split; least squares on the concurrent features is exact", async () => {
  // 100 steps, gap at 40..49: 90 observed; split after 72 observed (step 82); windows of 3
  const file = googleTask("1-300000000-x.csv", 100, [40, 50]);
  const m = await memorySamples([file], 3);
  assert.deepEqual(m.samples.featureNames, ["avg_cpu_usage", "max_cpu_usage", "assigned_memory"]);
  assert.deepEqual(m.missingFeatures, ["page_cache_memory", "cycles_per_instruction", "memory_accesses_per_instruction"]);
  // In the split series the training part is 72 observed points closed up (0..39, 50..81): its windows
  // of 3 end at 2..71 -> 70; validation from index floor(72 * 0.8) = 57: windows ending 59..71 -> 13,
  // training windows end 2..56 -> 55. Test points 72..89 (steps 82..99): windows ending 74..89 -> 16.
  assert.equal(m.parts.train.length, 55);
  assert.equal(m.parts.validation.length, 13);
  assert.equal(m.parts.test.length, 16);
  const r = await maxMemoryStudy([file], { steps: 3, search: { ...tiny, method: "bohb" } });
  assert.ok(r.linear.r2 > 0.99999, `least squares R2 ${r.linear.r2}`);
  assert.ok(Number.isFinite(r.convformer.test.mae));
});

test("study flags are checked before any work (exit 2)", async () => {
  const run = async (args: string[]) => {
    let err = "";
    const code = await runForecastCommand(args, { out: () => {}, err: (t) => (err += t), interactive: false });
    return { code, err };
  };
  let r = await run(["study", "cpu-load"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /give a study: response-time or max-memory \(got "cpu-load"\)/);
  r = await run(["study", "max-memory"]);
  assert.match(r.err, /--data is required/);
  r = await run(["study", "response-time", "--eta", "1"]);
  assert.match(r.err, /--eta must be a number greater than 1/);
  r = await run(["study", "response-time", "--burstiness", "50", "--duration", "10"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /burstiness 50 is more than 1 \/ burstShare/);
});
