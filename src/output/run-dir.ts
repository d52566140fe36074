/**
 * The run directory: everything one simulation run produced, as files.
 *
 *   config.json    the resolved config with seed and cotwin version, plus the cotwin marker
 *   summary.json   the RunSummary without its timing fields
 *   intervals.csv  one row per interval (without the measured decision time)
 *   requests.csv   one row per request
 *   hosts.csv      one row per host
 *   report.html    the self-contained report
 *   run-info.json  how and when it ran: command line, node version, time, wall and decision times
 *
 * Reproducibility: for the same scenario and seed, every file except run-info.json is
 * byte-identical between runs. run-info.json holds all measured times and the invocation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HostRow, IntervalRow, RequestRow, RunRecord, RunSummary } from "../../simulator/summary.ts";
import { writeFileAtomic, writeJsonAtomic } from "../../workloads/output/atomic.ts";
import { type Columns, writeCsvAtomic } from "./csv.ts";
import { renderReport } from "./report.ts";

/** The key in config.json that marks a directory as a cotwin run; its value is the layout version. */
export const RUN_MARKER = "cotwinRun";
export const RUN_LAYOUT_VERSION = 1;

export const RUN_FILES = [
  "config.json",
  "summary.json",
  "intervals.csv",
  "requests.csv",
  "hosts.csv",
  "report.html",
  "run-info.json",
] as const;

/** Fails to compile when a row type gains a field that its column list does not write. */
type Covers<Row, List extends readonly (keyof Row)[]> = [Exclude<keyof Row, List[number]>] extends [never] ? List : never;

/** Measured per-interval decision time goes to run-info.json, so it is not a column here. */
type IntervalColumn = Exclude<keyof IntervalRow, "decisionMs">;
const INTERVAL_COLUMN_LIST = [
  "interval",
  "startS",
  "endS",
  "energyKWh",
  "costUSD",
  "arrived",
  "completed",
  "late",
  "rejected",
  "failed",
  "pending",
  "running",
  "drain",
  "meanResponseS",
  "meanAccuracy",
  "hostsOn",
  "meanUtilisation",
] as const;
export const INTERVAL_COLUMNS: Columns<IntervalRow> = INTERVAL_COLUMN_LIST satisfies Covers<
  Pick<IntervalRow, IntervalColumn>,
  typeof INTERVAL_COLUMN_LIST
>;

const REQUEST_COLUMN_LIST = [
  "id",
  "app",
  "variant",
  "arrivalS",
  "deadlineS",
  "startS",
  "endS",
  "responseS",
  "status",
  "late",
  "accuracy",
  "hosts",
] as const;
export const REQUEST_COLUMNS: Columns<RequestRow> = REQUEST_COLUMN_LIST satisfies Covers<RequestRow, typeof REQUEST_COLUMN_LIST>;

const HOST_COLUMN_LIST = [
  "host",
  "name",
  "size",
  "energyKWh",
  "costUSD",
  "billedS",
  "busyS",
  "meanUtilisation",
  "fragmentsCompleted",
  "boots",
  "failures",
] as const;
export const HOST_COLUMNS: Columns<HostRow> = HOST_COLUMN_LIST satisfies Covers<HostRow, typeof HOST_COLUMN_LIST>;

export interface RunMeta {
  version: string;
  seed: number;
  /** the command line as typed (e.g. process.argv.slice(2)) */
  command: string[];
}

/** The summary as written to summary.json: everything but the measured times. */
export type DeterministicSummary = Omit<RunSummary, "wallMs" | "decisionMs">;

export function deterministicSummary(summary: RunSummary): DeterministicSummary {
  const { wallMs: _wall, decisionMs: _decision, ...rest } = summary;
  return rest;
}

/** True if `dir` holds a config.json carrying the cotwin run marker. */
export function isRunDirectory(dir: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, "config.json"), "utf8");
  } catch {
    return false;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && RUN_MARKER in parsed;
  } catch {
    return false;
  }
}

/** Creates `dir` if needed; refuses a non-empty directory that cotwin did not write. */
function prepareDirectory(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      fs.mkdirSync(dir, { recursive: true });
      return;
    }
    if (code === "ENOTDIR") throw new Error(`cannot write run directory ${dir}: it exists and is not a directory`);
    throw new Error(`cannot write run directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (entries.length > 0 && !isRunDirectory(dir)) {
    throw new Error(
      `refusing to write run directory ${dir}: it is not empty and was not written by cotwin ` +
        `(no config.json with the "${RUN_MARKER}" marker); choose a new or empty directory`,
    );
  }
}

/**
 * Writes a run directory (see the file comment for its contents). Each file is written
 * atomically; config.json goes first, so an interrupted write leaves a directory that a later
 * run may overwrite. Returns the paths written.
 */
export async function writeRunDirectory(dir: string, record: RunRecord, meta: RunMeta): Promise<string[]> {
  prepareDirectory(dir);
  const file = (name: (typeof RUN_FILES)[number]): string => path.join(dir, name);

  await writeJsonAtomic(file("config.json"), {
    [RUN_MARKER]: RUN_LAYOUT_VERSION,
    version: meta.version,
    seed: meta.seed,
    config: record.config,
  });
  await writeJsonAtomic(file("summary.json"), deterministicSummary(record.summary));
  writeCsvAtomic(file("intervals.csv"), record.intervals, INTERVAL_COLUMNS);
  writeCsvAtomic(file("requests.csv"), record.requests, REQUEST_COLUMNS);
  writeCsvAtomic(file("hosts.csv"), record.hosts, HOST_COLUMNS);
  await writeFileAtomic(file("report.html"), renderReport(record));
  await writeJsonAtomic(file("run-info.json"), {
    finished: true,
    writtenAt: new Date().toISOString(),
    command: meta.command,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    wallMs: record.summary.wallMs,
    decisionMs: record.summary.decisionMs,
    intervalDecisionMs: record.intervals.map((r) => r.decisionMs),
  });
  return RUN_FILES.map(file);
}

/**
 * Writes the directory of a run that did not finish (a policy threw): config.json, the intervals
 * that ran and run-info.json with `"finished": false` and the error. There is no summary.json, so
 * it is never mistaken for a finished run.
 */
export async function writeUnfinishedRunDirectory(
  dir: string,
  partial: { config: unknown; intervals: IntervalRow[] },
  meta: RunMeta,
  error: string,
): Promise<void> {
  prepareDirectory(dir);
  for (const name of RUN_FILES) fs.rmSync(path.join(dir, name), { force: true });
  await writeJsonAtomic(path.join(dir, "config.json"), { [RUN_MARKER]: RUN_LAYOUT_VERSION, version: meta.version, seed: meta.seed, config: partial.config });
  writeCsvAtomic(path.join(dir, "intervals.csv"), partial.intervals, INTERVAL_COLUMNS);
  await writeJsonAtomic(path.join(dir, "run-info.json"), {
    finished: false,
    error,
    intervalsDone: partial.intervals.length,
    writtenAt: new Date().toISOString(),
    command: meta.command,
    node: process.version,
  });
}
