/**
 * `cotwin data ...`: list, locate and download the public trace samples.
 *   cotwin data list                       each dataset, whether it is in the data directory, where
 *   cotwin data dir                        the data directory
 *   cotwin data fetch <name|all> [--force] [--base-url URL]
 */
import yargs from "yargs";
import { dataDir, datasetNames, datasetStatus, DATASETS, fetchDataset } from "../../workloads/data.ts";
import { generateServerlessData, SERVERLESS_COLUMNS, serverlessCsv, type ServerlessFunctionSpec, type ServerlessLoad } from "../../workloads/generators/serverless.ts";
import { writeFileAtomic } from "../../workloads/output/atomic.ts";
import { checkOutputFile } from "../../workloads/output/out-path.ts";
import { FETCH_DEFAULTS } from "../../workloads/data.ts";
import { approxBytes, grouped, SizeLimitError } from "../../simulator/limits.ts";
import { reportError } from "../errors.ts";
import { io as processStreams } from "../io.ts";
import { checkNumericFlags, checkRepeatedFlags, intFlag } from "./flags.ts";

/** Where the command writes; tests pass their own. */
export interface DataCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: DataCommandIo = {
  out: (t) => processStreams.out(t),
  err: (t) => processStreams.err(t),
};

class DataUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataUsageError";
  }
}

/** Bounds of `data serverless` (README "Limits and errors"): invocations are held in memory before the CSV is written. */
export const SERVERLESS_LIMITS = { functions: 10_000, durationS: 30 * 86_400, invocations: 10_000_000 } as const;
/** bytes per invocation held before the CSV is written (a row object and its CSV line) */
const BYTES_PER_INVOCATION = 400;

/** An earlier `data serverless` output: a CSV that starts with the columns it writes. */
function isServerlessCsv(text: string): boolean {
  return text.startsWith(`${SERVERLESS_COLUMNS.join(",")}\n`);
}

function humanBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

async function list(io: DataCommandIo): Promise<number> {
  const dir = dataDir();
  io.out(`data directory: ${dir}\n`);
  for (const d of DATASETS) {
    const s = await datasetStatus(d.name, dir);
    const bytes = d.files.reduce((a, f) => a + f.bytes, 0);
    const damaged = s.files.filter((f) => f.problem !== null && f.problem !== "is missing");
    const state = s.present ? "present" : damaged.length > 0 ? "damaged" : s.files.some((f) => f.present) ? "partial" : "absent";
    io.out(`  ${d.name.padEnd(15)} ${state.padEnd(8)} ${String(d.files.length).padStart(2)} file(s) ${humanBytes(bytes).padStart(9)}  ${s.path}\n`);
    for (const f of damaged) io.out(`      ${f.path} ${f.problem}; \`cotwin data fetch ${d.name}\` fetches it again\n`);
  }
  return 0;
}

async function fetchCommand(name: string, force: boolean, baseUrl: string | undefined, net: { timeoutMs: number; retries: number }, io: DataCommandIo): Promise<number> {
  const names = name === "all" ? datasetNames() : [name];
  if (name !== "all" && !datasetNames().includes(name)) {
    throw new DataUsageError(`unknown dataset "${name}"; known datasets: ${datasetNames().join(", ")}, or all`);
  }
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) throw new DataUsageError(`--base-url must be an http(s) URL, got "${baseUrl}"`);
  let failed = 0;
  for (const n of names) {
    try {
      const r = await fetchDataset(n, { force, baseUrl, ...net });
      for (const f of r.files) io.out(`${n}: ${f.status === "present" ? "already present" : "downloaded"} ${f.path} (${humanBytes(f.bytes)})\n`);
    } catch (e) {
      failed++;
      io.err(`cotwin data: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** The load knobs of `data serverless`, each checked against its bound with the flag named. */
function serverlessLoadFlags(a: { rateScale?: string; burstiness?: string; keepAlive?: string; concurrencyLimit?: string }): ServerlessLoad {
  const num = (v: string | undefined, flag: string, ok: (x: number) => boolean, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v.trim() === "" || !Number.isFinite(x) || !ok(x)) throw new DataUsageError(`${flag} must be ${what}, got "${v}"`);
    return x;
  };
  const load: ServerlessLoad = {
    rateScale: num(a.rateScale, "--rate-scale", (x) => x > 0 && x <= 1000, "a number above 0 and at most 1000"),
    burstiness: num(a.burstiness, "--burstiness", (x) => x >= 1 && x <= 100, "a number from 1 to 100"),
    keepAliveS: num(a.keepAlive, "--keep-alive", (x) => x >= 0, "a number of seconds >= 0"),
    concurrencyLimit: num(a.concurrencyLimit, "--concurrency-limit", (x) => Number.isInteger(x) && x >= 1, "an integer >= 1"),
  };
  for (const k of Object.keys(load) as (keyof ServerlessLoad)[]) if (load[k] === undefined) delete load[k];
  return load;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new DataUsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

/**
 * A spread of function profiles for `cotwin data serverless`: rates from 0.05 to 2 per second,
 * work from 50 ms to 2 s of CPU, 0.5 to 2 vCPUs, keep-alive from 60 s to 10 min (so rarely called
 * functions start cold), cold starts of about 0.8 s (an assumed, typical figure), concurrency
 * limits of 4 to 16; function i cycles through them.
 */
export function serverlessPreset(n: number): ServerlessFunctionSpec[] {
  const rates = [0.5, 2, 0.05, 0.2];
  const works = [0.2, 0.05, 2, 0.5];
  const vcpus = [1, 0.5, 2, 1];
  const keepAlive = [600, 300, 60, 120];
  const limits = [8, 16, 4, 8];
  return Array.from({ length: n }, (_, i) => ({
    id: `fn-${i}`,
    ratePerS: rates[i % 4],
    meanWorkS: works[i % 4],
    vcpus: vcpus[i % 4],
    memoryMb: 512,
    keepAliveS: keepAlive[i % 4],
    coldStartMeanS: 0.8,
    concurrencyLimit: limits[i % 4],
  }));
}

/** Runs `cotwin data <args>` (argv without the leading "data"); resolves to the exit code. */
export async function runDataCommand(argv: string[], io: DataCommandIo = processIo): Promise<number> {
  let code = 0;
  const parser = yargs(argv)
    .scriptName("cotwin data")
    .usage("cotwin data <command>\n\nThe public trace samples cotwin uses, kept in the data directory ($COTWIN_DATA_DIR, else $XDG_CACHE_HOME/cotwin/data, else ~/.cache/cotwin/data).")
    .strict()
    .demandCommand(1, "give a data command: list, dir, fetch or serverless")
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new DataUsageError(msg);
    })
    .middleware((a) => {
      const make = (m: string) => new DataUsageError(m);
      checkRepeatedFlags(a, [], make);
      checkNumericFlags(a, argv, make);
    }, true)
    .command("list", "show each dataset, whether it is in the data directory, and its path", {}, async () => {
      code = await list(io);
    })
    .command("dir", "print the data directory", {}, () => {
      io.out(`${dataDir()}\n`);
    })
    .command(
      "serverless",
      "generate serverless function performance data (CSV) with a seeded simulation",
      (y) =>
        y
          .option("out", { type: "string", demandOption: true, describe: "CSV file to write (an earlier one is replaced; another file only with --force)" })
          .option("force", { type: "boolean", default: false, describe: "replace --out even if this command did not write it" })
          .option("functions", { type: "string", default: "4", describe: "number of functions" })
          .option("duration", { type: "string", default: "3600", describe: "seconds of invocations" })
          .option("seed", { type: "string", default: "1", describe: "seed" })
          .option("rate-scale", { type: "string", describe: "load knob: every function's invocation rate times this (at most 1000)" })
          .option("burstiness", { type: "string", describe: "load knob: rate in a burst over the mean rate, for every function (1 = Poisson)" })
          .option("keep-alive", { type: "string", describe: "load knob: seconds an idle instance stays warm, for every function (0: every invocation after an idle gap starts cold)" })
          .option("concurrency-limit", { type: "string", describe: "load knob: instances a function may run at once; more are throttled" }),
      async (a) => {
        const n = positiveInt(a.functions, "--functions");
        const duration = positiveInt(a.duration, "--duration");
        const seed = intFlag(a.seed, "--seed", 0);
        const load = serverlessLoadFlags(a);
        if (n > SERVERLESS_LIMITS.functions) throw new SizeLimitError(`--functions: ${grouped(n)} is above the limit of ${grouped(SERVERLESS_LIMITS.functions)}`);
        if (duration > SERVERLESS_LIMITS.durationS) throw new SizeLimitError(`--duration: ${grouped(duration)} s is above the limit of ${grouped(SERVERLESS_LIMITS.durationS)} s (30 days)`);
        const functions = serverlessPreset(n);
        if (load.burstiness !== undefined) {
          for (const f of functions) {
            const share = f.burstShare ?? 0.1;
            if (load.burstiness * share > 1) throw new DataUsageError(`--burstiness ${load.burstiness}: at most ${1 / share} for function ${f.id}, whose bursts take ${share * 100} % of the time (the calm rate would be negative)`);
          }
        }
        const expected = functions.reduce((s, f) => s + f.ratePerS, 0) * (load.rateScale ?? 1) * duration;
        if (expected > SERVERLESS_LIMITS.invocations) {
          throw new SizeLimitError(
            `--functions ${n} --duration ${duration}: about ${grouped(expected)} invocations (about ${approxBytes(expected * BYTES_PER_INVOCATION)} of memory), above the limit of ${grouped(SERVERLESS_LIMITS.invocations)}; fewer functions or a shorter duration`,
          );
        }
        checkOutputFile(a.out, { what: "--out", force: a.force, owned: isServerlessCsv });
        const { rows, stats } = generateServerlessData({ functions, durationS: duration, seed, load });
        await writeFileAtomic(a.out, serverlessCsv(rows));
        const throttled = stats.reduce((t, st) => t + st.throttled, 0);
        const knobs = Object.entries(load).map(([k, v]) => `${k} ${v}`).join(", ");
        io.out(`wrote ${rows.length} invocations that ran${throttled > 0 ? ` (${throttled} more were throttled)` : ""} of ${n} function(s) over ${duration} s to ${a.out} (seed ${seed}${knobs ? `; ${knobs}` : ""})\n`);
        for (const st of stats) io.out(`  ${JSON.stringify(st)}\n`);
      },
    )
    .command(
      "fetch <name>",
      `download a dataset (${datasetNames().join(", ")}) or all of them`,
      (y) =>
        y
          .positional("name", { type: "string", demandOption: true, describe: "dataset name or all" })
          .option("force", { type: "boolean", default: false, describe: "download again even if present" })
          .option("base-url", { type: "string", describe: "a mirror laid out like the data directory" })
          .option("timeout", { type: "string", default: String(FETCH_DEFAULTS.timeoutMs / 1000), describe: "seconds to wait for an answer, or for the next bytes of one" })
          .option("retries", { type: "string", default: String(FETCH_DEFAULTS.retries), describe: "further attempts after a time-out, a dropped connection or a server error" }),
      async (a) => {
        const timeoutS = Number(a.timeout);
        if (a.timeout.trim() === "" || !Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 3600) throw new DataUsageError(`--timeout must be a number of seconds in (0, 3600], got "${a.timeout}"`);
        const retries = intFlag(a.retries, "--retries", 0, 10);
        code = await fetchCommand(a.name, a.force, a.baseUrl, { timeoutMs: timeoutS * 1000, retries }, io);
      },
    )
    .help();
  try {
    await parser.parseAsync();
  } catch (e) {
    return reportError(e, "cotwin data", (t) => io.err(t));
  }
  return code;
}
