/**
 * Forecasting benchmark (part of `npm run bench`): the default protocol on every Google 2019 task
 * file, job 113 across tasks, vm-load-daily, pattern-based selection, with training times,
 * checked against the targets. Never fails: it prints what it measured.
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
import { observedOrigins, splitObserved } from "../../workloads/eval/split.ts";
import { evaluateSelection } from "../../workloads/forecast/select.ts";
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

  // ---- the default protocol (holdout, split on observed points) on every Google 2019 task file
  const files = dataFiles(path.join(dir, "google2019", "job113"));
  const holdoutModels = ["naive", "ses", "holt", "ridge", "lstm", "convformer", "ensemble", "auto"];
  const perFile: ProtocolResult[] = [];
  for (const f of files) perFile.push(await runProtocol("holdout", { data: f, models: holdoutModels, budget: "full", seed: 42 }));
  const taskOf = (f: string) => path.basename(f).split("-")[0];
  const meanMase = (m: string) => perFile.reduce((s, r) => s + r.results.find((x) => x.model === m)!.mase, 0) / perFile.length;
  log("");
  log(`holdout (the default eval protocol) on each Google 2019 task file: first 80 % of the observed points train, one step (5 min) ahead; MASE < 1 beats persistence`);
  log(
    formatTable(
      ["model", ...files.map((f) => `task ${taskOf(f)}`), "mean MASE", "train s (all files)"],
      holdoutModels.map((m) => [m, ...perFile.map((r) => r.results.find((x) => x.model === m)!.mase), meanMase(m), perFile.reduce((s, r) => s + r.results.find((x) => x.model === m)!.trainMs, 0) / 1000]),
      4,
    ),
  );
  log(`  auto picked: ${perFile.map((r, i) => `${taskOf(files[i])} ${JSON.stringify(r.results.find((x) => x.model === "auto")!.params)}`).join("; ")}`);
  log(`  (train s of auto and ensemble count their members; every model's train s includes its validation fit)`);
  const calLine = (c: unknown) => {
    const r = c as { periods: string[]; supported: string[]; validationMase?: { without: number; with: number } };
    const v = r.validationMase ? ` (ridge validation MASE ${r.validationMase.without.toFixed(4)} without, ${r.validationMase.with.toFixed(4)} with)` : "";
    return `${r.periods.length ? r.periods.join("+") : "off"}${r.supported.length ? "" : " (unsupported)"}${v}`;
  };
  log(`  calendar input (auto): ${perFile.map((r, i) => `${taskOf(files[i])} ${calLine(r.split.calendar)}`).join("; ")}`);

  // ---- Google 2019 job 113: train on one task, test on the other five
  const job: ProtocolResult = await runProtocol("google-job", { data: dir, budget: "full", seed: 42 });
  const tasks = job.results[0].perTask?.map((t) => t.task) ?? [];
  log("");
  log(`google-job: job 113, trained on task ${String(job.split.trainTask)} (${String(job.split.trainPoints)} observed points), tested on tasks ${tasks.join(", ")}; one step (5 min) ahead, window 30`);
  log(`  calendar input (auto): ${calLine(job.split.calendar)}`);
  log(
    formatTable(
      ["model", "MASE", ...tasks.map((t) => `task ${t}`), "MAE", "train s", "predict s"],
      job.results.map((r) => [r.model, r.mase, ...(r.perTask ?? []).map((p) => p.mase), r.mae, r.trainMs / 1000, r.predictMs / 1000]),
      4,
    ),
  );

  // ---- every baseline (fit + forecast every scored point) on one Google task
  const trainFile = files[0];
  const testFile = files[1];
  const trainData = await loadForecastData(trainFile);
  const train = observedOnly(trainData);
  const trainTimes = trainData.times.filter((_, i) => trainData.mask[i] === 1);
  const test = await loadForecastData(testFile);
  const origins = observedOrigins(test.mask, 30, 1, 30);
  const baselineRows: (string | number)[][] = [];
  let slowestBaseline = 0;
  for (const r of job.results.filter((x) => !NEURAL_KINDS.includes(x.model as never))) {
    const m = createForecaster(r.model, r.params);
    const s0 = performance.now();
    await m.fit(train, { horizon: 1, times: trainTimes });
    scoreForecaster(m, test.series, origins, 1, test.times);
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

  // ---- pattern-based selection (ridge library, one model per task)
  const selTasks = [];
  for (const f of files) {
    const d = await loadForecastData(f);
    const split = splitObserved(d, 0.5);
    selTasks.push({ task: taskOf(f), history: split.series.map((x) => x.slice(0, split.trainEnd)), series: split.series, origins: observedOrigins(split.mask, 30, 1, split.trainEnd) });
  }
  const sel = await evaluateSelection("ridge", { window: 30 }, selTasks);
  log("");
  log("pattern-based selection (ridge, library of one model per task, patterns and models from the first half of each task, scored on the second half):");
  log(formatTable(["strategy", "mean MASE", "beats random"], sel.summary.map((x) => [x.strategy, x.meanMase, x.beatsRandom]), 4));
  log(`  ${sel.verdict}`);

  // ---- targets
  const bestJob = job.results.reduce((a, b) => (b.mase < a.mase ? b : a));
  const bestVm = vm.results.reduce((a, b) => (b.mae < a.mae ? b : a));
  const vmLstm = vm.results.find((r) => r.model === "lstm");
  const lstm = job.results.find((r) => r.model === "lstm");
  const singles = holdoutModels.filter((m) => m !== "auto" && m !== "ensemble");
  const bestSingle = singles.reduce((a, b) => (meanMase(b) < meanMase(a) ? b : a));
  const below = (m: string) => perFile.filter((r) => r.results.find((x) => x.model === m)!.mase < 1).length;
  log("");
  log("targets:");
  for (const m of ["lstm", "convformer"]) {
    check(log, meanMase(m) < 1, `${m} mean MASE < 1.0 over the ${files.length} Google 2019 task files (holdout)`, `${meanMase(m).toFixed(4)}; below 1 on ${below(m)} of ${files.length} files`);
  }
  check(log, meanMase("auto") <= meanMase(bestSingle), "auto mean MASE <= the best single model's", `auto ${meanMase("auto").toFixed(4)}, best single ${bestSingle} ${meanMase(bestSingle).toFixed(4)}, ensemble ${meanMase("ensemble").toFixed(4)}`);
  if (vmLstm) check(log, vmLstm.mae <= 0.826, "vm-load-daily LSTM MAE <= 0.826 (the published figure, here without leakage)", vmLstm.mae.toFixed(4));
  check(log, bestVm.mae < 0.82, "vm-load-daily best model MAE < 0.82", `${bestVm.model} ${bestVm.mae.toFixed(4)} (markers excluded); ses ${vmRaw.results[0].mae.toFixed(4)} with markers kept`);
  check(log, bestJob.mase < 1, "at least one model with MASE < 1 on the job 113 cross-task test", `${bestJob.model} ${bestJob.mase.toFixed(4)}`);
  check(log, slowestBaseline < 2, "every baseline on one Google task < 2 s", `slowest ${slowestBaseline.toFixed(3)} s`);
  if (lstm) check(log, lstm.trainMs < 60000, "LSTM training on one task < 60 s", `${(lstm.trainMs / 1000).toFixed(1)} s (${lstm.history?.loss.length ?? "?"} epochs)`);
  log(`forecast bench: ${((performance.now() - t0) / 1000).toFixed(1)} s in total`);
}

// run directly: node --import tsx src/bench/forecast.ts
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchForecast((line) => console.log(line));
}
