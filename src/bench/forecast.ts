/**
 * Forecasting benchmark (part of `npm run bench`): every forecaster on Google 2019 job 113
 * (train on one task, test on the others) and on vm-load-daily, with training times, checked
 * against the targets. Never fails: it prints what it measured.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runProtocol, type ProtocolResult } from "../../workloads/eval/protocols.ts";
import { scoreForecaster } from "../../workloads/eval/rolling.ts";
import { initBackend } from "../../workloads/forecast/backend.ts";
import { dataFiles, loadForecastData, observedOnly } from "../../workloads/forecast/data.ts";
import { createForecaster, NEURAL_KINDS } from "../../workloads/forecast/registry.ts";
import { formatTable } from "../../workloads/forecast/table.ts";
import { observedOrigins } from "../../workloads/eval/protocols.ts";
import { dataDir } from "../../workloads/data.ts";

function findDataDir(): string | null {
  const d = dataDir();
  return existsSync(path.join(d, "google2019", "job113")) && existsSync(path.join(d, "vm-load", "aa.txt")) ? d : null;
}

function check(log: (line: string) => void, ok: boolean, what: string, measured: string): boolean {
  log(`  [${ok ? "met" : "NOT met"}] ${what}: ${measured}`);
  return ok;
}

export async function benchForecast(log: (line: string) => void): Promise<void> {
  const dir = findDataDir();
  if (!dir) {
    log("forecast bench: data absent: run npx cotwin data fetch google2019 and npx cotwin data fetch vm-load (or set COTWIN_DATA_DIR)");
    return;
  }
  const backend = await initBackend();
  log(`forecast bench: tensorflow.js backend ${backend}, data ${dir}`);
  const t0 = performance.now();

  // ---- Google 2019 job 113: train on one task, test on the other five
  const job: ProtocolResult = await runProtocol("google-job", { data: dir, budget: "full", seed: 42 });
  const tasks = job.results[0].perTask?.map((t) => t.task) ?? [];
  log("");
  log(`google-job: job 113, trained on task ${String(job.split.trainTask)} (${String(job.split.trainPoints)} observed points), tested on tasks ${tasks.join(", ")}; one step (5 min) ahead, window 30`);
  log(
    formatTable(
      ["model", "MASE", ...tasks.map((t) => `task ${t}`), "MAE", "train s", "predict s"],
      job.results.map((r) => [r.model, r.mase, ...(r.perTask ?? []).map((p) => p.mase), r.mae, r.trainMs / 1000, r.predictMs / 1000]),
      4,
    ),
  );

  // ---- every baseline (fit + forecast every scored point) on one Google task
  const files = dataFiles(path.join(dir, "google2019", "job113"));
  const trainFile = files[0];
  const testFile = files[1];
  const train = observedOnly(await loadForecastData(trainFile));
  const test = await loadForecastData(testFile);
  const origins = observedOrigins(test.mask, 30, 1, 30);
  const baselineRows: (string | number)[][] = [];
  let slowestBaseline = 0;
  for (const r of job.results.filter((x) => !NEURAL_KINDS.includes(x.model as never))) {
    const m = createForecaster(r.model, r.params);
    const s0 = performance.now();
    await m.fit(train, { horizon: 1 });
    scoreForecaster(m, test.series, origins, 1);
    const s = (performance.now() - s0) / 1000;
    slowestBaseline = Math.max(slowestBaseline, s);
    baselineRows.push([r.model, s]);
  }
  log("");
  log(`baselines on one task: fit on task ${path.basename(trainFile).split("-")[0]} (${train[0].length} points) + ${origins.length} one-step forecasts on task ${path.basename(testFile).split("-")[0]}`);
  log(formatTable(["model", "seconds"], baselineRows, 3));

  // ---- vm-load-daily
  const vm = await runProtocol("vm-load-daily", { data: dir, budget: "full", seed: 42 });
  const vmRaw = await runProtocol("vm-load-daily", { data: dir, models: ["ses"], keepMissingMarkers: true });
  log("");
  log(`vm-load-daily: ${vm.notes.join("; ")}`);
  log(formatTable(["model", "MAE", "RMSE", "sMAPE %", "R2", "MASE", "train s"], vm.results.map((r) => [r.model, r.mae, r.rmse, r.smape, r.r2, r.mase, r.trainMs / 1000]), 4));
  log(`  published LSTM (same split, but scaler fitted on all data and early stopping on the test windows): MAE 0.826`);
  log(`  ses with the -1 markers kept inside the daily means (the published preprocessing): MAE ${vmRaw.results[0].mae.toFixed(4)}`);

  // ---- targets
  const bestJob = job.results.reduce((a, b) => (b.mase < a.mase ? b : a));
  const bestVm = vm.results.reduce((a, b) => (b.mae < a.mae ? b : a));
  const lstm = job.results.find((r) => r.model === "lstm");
  log("");
  log("targets:");
  check(log, bestJob.mase < 1, "at least one model with MASE < 1 on the job 113 test tasks", `${bestJob.model} ${bestJob.mase.toFixed(4)}`);
  check(log, bestVm.mae <= 0.818, "vm-load-daily MAE <= 0.818", `best ${bestVm.model} ${bestVm.mae.toFixed(4)} (markers excluded); ${vmRaw.results[0].mae.toFixed(4)} with markers kept`);
  check(log, slowestBaseline < 2, "every baseline on one Google task < 2 s", `slowest ${slowestBaseline.toFixed(3)} s`);
  if (lstm) check(log, lstm.trainMs < 60000, "LSTM training on one task < 60 s", `${(lstm.trainMs / 1000).toFixed(1)} s (${lstm.history?.loss.length ?? "?"} epochs)`);
  log(`forecast bench: ${((performance.now() - t0) / 1000).toFixed(1)} s in total`);
}

// run directly: node --import tsx src/bench/forecast.ts
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchForecast((line) => console.log(line));
}
