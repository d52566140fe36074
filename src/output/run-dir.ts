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
import { beginDirectory } from "../../workloads/output/atomic-dir.ts";
import { checkOutputDirectory } from "../../workloads/output/out-path.ts";
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

/** A run directory's kind, for refusals. */
const RUN_KIND = `a run directory of cotwin (one with a config.json carrying the "${RUN_MARKER}" marker)`;

/**
 * Checks `dir` can take a run directory (see workloads/output/out-path.ts): new, empty, an earlier
 * run, or anything with `force`; never cotwin's source tree. Commands call it before the run, so
 * a bad --out is refused before any work; the writers call it again.
 */
export function checkRunDirectory(dir: string, force = false, what = "--out"): void {
  checkOutputDirectory(dir, { what, force, owned: (d) => isRunDirectory(d), kind: RUN_KIND });
}

/**
 * Writes a run directory (see the file comment for its contents) as a hidden sibling renamed into
 * place when complete (workloads/output/atomic-dir.ts): an interrupted write leaves `dir` as it was.
 * Returns the paths written.
 */
export async function writeRunDirectory(dir: string, record: RunRecord, meta: RunMeta, options: { force?: boolean } = {}): Promise<string[]> {
  checkRunDirectory(dir, options.force);
  const tx = beginDirectory(dir);
  try {
    const file = (name: (typeof RUN_FILES)[number]): string => path.join(tx.dir, name);
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
    tx.commit();
  } finally {
    tx.abort();
  }
  return RUN_FILES.map((name) => path.join(dir, name));
}

/**
 * Writes the directory of a run that did not finish (a policy threw): config.json, the intervals
 * that ran and run-info.json with `"finished": false` and the error. There is no summary.json, so
 * it is never mistaken for a finished run. Published whole, like a finished one.
 */
export async function writeUnfinishedRunDirectory(
  dir: string,
  partial: { config: unknown; intervals: IntervalRow[] },
  meta: RunMeta,
  error: string,
  options: { force?: boolean } = {},
): Promise<void> {
  checkRunDirectory(dir, options.force);
  const tx = beginDirectory(dir);
  try {
    await writeJsonAtomic(path.join(tx.dir, "config.json"), { [RUN_MARKER]: RUN_LAYOUT_VERSION, version: meta.version, seed: meta.seed, config: partial.config });
    writeCsvAtomic(path.join(tx.dir, "intervals.csv"), partial.intervals, INTERVAL_COLUMNS);
    await writeJsonAtomic(path.join(tx.dir, "run-info.json"), {
      finished: false,
      error,
      intervalsDone: partial.intervals.length,
      writtenAt: new Date().toISOString(),
      command: meta.command,
      node: process.version,
    });
    tx.commit();
  } finally {
    tx.abort();
  }
}
