/**
 * Trace replay for scenarios (`workload.kind: trace`): reads the trace once, before the run, into
 * a time-ordered arrival table the twin walks with a cursor (forks share it).
 *
 * - mode `arrivals`: the Azure LLM inference trace; each request arrives at its timestamp and its
 *   size follows its token count (the mean request has size 1, times `sizeScale`).
 * - mode `demand`: per-VM utilisation series (Bitbrains, Google 2019, Azure VM, plain series);
 *   each window with demand becomes a task of size busy vCPUs x window / interval (size 1 = one
 *   vCPU busy for one scheduling interval). `vms` > 1 replays the series as that many VMs, each
 *   rotated by an equal share of its length (documented stand-in when a sample holds fewer VMs).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { TableArrivals, type BootstrapSettings } from "../simulator/arrivals.ts";
import type { RandomStreams } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import { ScenarioError, type TenantScenario } from "../simulator/scenario.ts";
import { InputError } from "../simulator/errors.ts";
import { checkTraceRequests, LIMITS } from "../simulator/limits.ts";
import { catalogueFileAt, dataDir, datasetNames, DatasetFileError, findDataset, verifiedDatasetFiles, verifyDatasetFile } from "./data.ts";
import { demandArrivals, type DemandSeries } from "./generators/demand.ts";
import { traceArrivals } from "./generators/trace.ts";
import { readAzureLlmArrivals } from "./traces/azure-llm.ts";
import { readSeries } from "./traces/read-series.ts";

type TraceSpec = Extract<TenantScenario["workload"], { kind: "trace" }>;

/** The files a trace source names: a data set (in the data directory) or a file or folder. */
export function traceFiles(source: string, where: string): string[] {
  if (datasetNames().includes(source)) {
    const dir = dataDir();
    const files = findDataset(source).files.map((f) => path.join(dir, f.path));
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      throw new ScenarioError(`${where}: workload.source: data set "${source}" is not in ${dir} (missing ${path.basename(missing[0])}); run \`npx cotwin data fetch ${source}\` or set COTWIN_DATA_DIR`);
    }
    // present is not enough: a truncated or changed file would run quietly with another trace
    verified(() => verifiedDatasetFiles(source, dir), where);
    return files;
  }
  if (!existsSync(source)) {
    throw new ScenarioError(`${where}: workload.source: "${source}" is neither a data set (${datasetNames().join(", ")}) nor an existing file`);
  }
  const files = statSync(source).isDirectory()
    ? readdirSync(source)
        .filter((f) => !f.startsWith("."))
        .sort()
        .map((f) => path.join(source, f))
    : [source];
  // a path to a catalogued file in the data directory is checked like the data set's name
  for (const f of files) {
    const known = catalogueFileAt(f);
    if (known) verified(() => verifyDatasetFile(known.dataset, known.file, f), where);
  }
  return files;
}

function verified<T>(check: () => T, where: string): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof DatasetFileError) throw new ScenarioError(`${where}: workload.source: ${e.message}`);
    throw e;
  }
}

/** Wraps a trace reader's error with the scenario and key it came from (the reader names the file and line). */
async function reading<T>(read: () => Promise<T>, where: string): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof InputError) throw new ScenarioError(`${where}: workload.source: ${e.message}`);
    throw e;
  }
}

export async function loadTraceArrivals(s: TenantScenario, model: TwinModel, streams: RandomStreams, where: string): Promise<TableArrivals> {
  const w = s.workload as TraceSpec;
  const files = traceFiles(w.source, where);
  const I = s.intervalS;
  const deadline: [number, number] = w.deadline.seconds
    ? [w.deadline.seconds[0], w.deadline.seconds[1]]
    : [(w.deadline.intervals ?? [5, 7])[0] * I, (w.deadline.intervals ?? [5, 7])[1] * I];
  const weights = w.appWeights ?? new Array(model.apps.length).fill(1);
  if (w.mode === "arrivals") {
    const csv = files.find((f) => /\.csv(\.gz)?$/.test(f)) ?? files[0];
    const trace = await reading(() => readAzureLlmArrivals(csv, { maxRows: LIMITS.requests }), where);
    if (trace.rows === 0) throw new ScenarioError(`${where}: workload.source: ${path.basename(csv)} has a header but no requests`);
    const base = traceArrivals(trace, {
      deadlineS: deadline,
      timeScale: w.timeScale,
      sampleFraction: w.sample,
      app: weights.length === 1 ? 0 : { weights },
      stream: streams.get("arrivals"),
    });
    const sizes = w.sizeScale === 1 ? base.sizes : base.sizes.map((x) => x * w.sizeScale);
    return new TableArrivals(base.times, base.apps, base.deadlines, sizes, 0, bootstrapFor(I));
  }
  // demand: every usage file is one VM (Google job 113 has one task per file)
  const usage = files.filter((f) => !/vmtable/.test(f));
  const series: DemandSeries[] = [];
  for (const f of usage) {
    const r = await reading(() => readSeries(f, { column: w.column, missing: "mask" }), where);
    if (r.rows === 0) throw new ScenarioError(`${where}: workload.source: ${path.basename(f)} has a header but no rows`);
    // utilisation cannot be negative: a sign of another column or a corrupt file, never dropped quietly
    let negative = 0;
    let first = -1;
    for (let i = 0; i < r.values.length; i++) {
      if (r.values[i] < 0) {
        negative++;
        if (first < 0) first = i;
      }
    }
    if (negative > 0) {
      throw new ScenarioError(
        `${where}: workload.source: ${path.basename(f)}: ${negative} negative value(s) in column "${r.column}" (the first at t=${r.times[first]} s, ${r.values[first]}); utilisation cannot be negative`,
      );
    }
    series.push({ times: r.times, values: r.values, stepS: r.stepS });
  }
  const replicas: DemandSeries[] = [];
  for (let v = 0; v < w.vms; v++) {
    const src = series[v % series.length];
    const n = src.values.length;
    const shift = Math.floor((Math.floor(v / series.length) * n) / Math.ceil(w.vms / series.length));
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = src.values[(i + shift) % n] * w.sizeScale;
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = (src.times[i] - src.times[0]) * w.timeScale;
    replicas.push({ times, values, stepS: src.stepS * w.timeScale });
  }
  let windows = 0;
  for (const r of replicas) windows += r.values.length;
  checkTraceRequests(windows, where);
  const table = demandArrivals(replicas, {
    intervalS: I,
    vcpusPerUnit: w.vcpusPerUnit,
    app: 0,
    deadlineS: deadline[0],
    startS: 0,
  });
  return new TableArrivals(table.times, table.apps, table.deadlines, table.sizes, 0, bootstrapFor(I));
}

/**
 * Reseeded copies (the oracle's look-ahead) draw a trace's future from its past: blocks of 12
 * intervals from the last 144 (an hour at 25 s intervals; 12 hours at 300 s), see BootstrapArrivals.
 */
export function bootstrapFor(intervalS: number): BootstrapSettings {
  return { blockS: 12 * intervalS, windowS: 144 * intervalS };
}
