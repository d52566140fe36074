/**
 * `cotwin oracle`: builds (or resumes) the oracle's labelled data set for the learner.
 *
 *   cotwin oracle --scenario scinet-testbed --intervals 1000 --seed 1 --out data/oracle-scinet
 *   cotwin oracle ... --resume          continue an interrupted data set (same settings only)
 */
import yargs from "yargs";
import { ScenarioError } from "../../simulator/scenario.ts";
import { ObjectiveError } from "../../simulator/objective.ts";
import { PolicyError } from "../../simulator/policies/registry.ts";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { buildDataset, DATA_FILE, DatasetError, MANIFEST_FILE } from "../../oracle/dataset.ts";
import { checkTenantSize } from "../../simulator/limits.ts";
import { readScenarioFile } from "../../simulator/scenario.ts";
import { checkOutputDirectory } from "../../workloads/output/out-path.ts";
import { isProviderBuiltin } from "../provider-runs.ts";
import { reportError } from "../errors.ts";
import { io as processStreams } from "../io.ts";
import { checkNumericFlags, checkRepeatedFlags } from "./flags.ts";
import { SEARCH_METHODS } from "../../oracle/search/index.ts";
import { ensurePolicies } from "../policies.ts";
import { DEFAULT_ORACLE_SETTINGS as D, flagName, OracleSettingsError, parseOracleSettings } from "../../oracle/settings.ts";

export interface OracleCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** progress bar on stderr (default: when stderr is a terminal) */
  interactive: boolean;
}

const processIo = (): OracleCommandIo => ({
  out: (t) => processStreams.out(t),
  err: (t) => processStreams.err(t),
  interactive: Boolean(process.stderr.isTTY),
});

/** A data set directory cotwin wrote: it holds the manifest or the data file. */
function isDatasetDir(_dir: string, entries: string[]): boolean {
  return entries.includes(MANIFEST_FILE) || entries.includes(DATA_FILE);
}

/** A scenario file that declares the provider view (unreadable files are left to the tenant loader's message). */
function isProviderFile(file: string): boolean {
  try {
    const raw = readScenarioFile(file) as { view?: unknown } | null;
    return typeof raw === "object" && raw !== null && raw.view === "provider";
  } catch {
    return false;
  }
}

export class OracleUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OracleUsageError";
  }
}

const KNOWN = [OracleUsageError, DatasetError, OracleSettingsError, ScenarioError, ObjectiveError, PolicyError];

/** Runs `cotwin oracle <argv>`; returns the exit code (2 for usage and data set errors). */
export async function runOracleCommand(argv: string[], io: OracleCommandIo = processIo()): Promise<number> {
  let code = 0;
  const parser = yargs(argv)
    .scriptName("cotwin oracle")
    .usage("cotwin oracle --scenario <name|file> --out <dir> [options]\n\nRuns the twin with the oracle deciding and records each decision point (observation, decision, scores) as JSON lines for the learner.")
    .option("scenario", { type: "string", demandOption: true, describe: "built-in tenant scenario or a YAML/JSON file" })
    .option("out", { type: "string", demandOption: true, describe: "data set directory (data.jsonl + manifest.json)" })
    .option("intervals", { type: "number", describe: "intervals to record (default: the scenario's)" })
    .option("seed", { type: "number", default: 1, describe: "seed of the run (arrivals, failures, the oracle's search)" })
    .option("budget-ms", { type: "number", describe: "a hard wall-clock limit per decision, ms (opt-in: decisions then depend on machine speed, not reproducible)" })
    .option("budget-evals", { type: "number", default: D.budgetEvals ?? undefined, describe: "candidates scored per decision at most" })
    .option("patience", { type: "number", default: D.patience, describe: "stop a search after this many evaluations without improvement (0: never)" })
    .option("method", { type: "string", default: D.method, choices: SEARCH_METHODS as unknown as string[], describe: "search method" })
    .option("horizon", { type: "number", describe: "look-ahead intervals (default: two boot times plus two intervals)" })
    .option("forks", { type: "number", default: D.forks, describe: "look-ahead samples averaged per candidate" })
    .option("validation-forks", { type: "number", default: D.validationForks, describe: "fresh samples the best must win on against the continuation's decision (0: no check)" })
    .option("continuation", { type: "string", default: D.continuation, describe: "policy assumed after each decision in the look-ahead (a name or a policy file)" })
    .option("clairvoyant", { type: "boolean", default: false, describe: "the look-ahead sees the run's real future (labelled so in the data set)" })
    .option("workers", { type: "number", default: D.workers, describe: "worker threads scoring candidates" })
    .option("resume", { type: "boolean", default: false, describe: "continue the data set in --out to --intervals in total (refused if its scenario, seed, version or settings differ)" })
    .option("force", { type: "boolean", default: false, describe: "start the data set in --out over, or write into a non-empty directory that holds none" })
    .option("json", { type: "boolean", default: false, describe: "print the result as JSON" })
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new OracleUsageError(msg);
    })
    .middleware((a) => {
      const make = (m: string) => new OracleUsageError(m);
      checkRepeatedFlags(a, [], make);
      checkNumericFlags(a, argv, make);
    }, true);
  try {
    const a = await parser.parseAsync();
    if (a.help) return 0;
    const intNeeded = (flag: string, v: number | undefined, min: number): void => {
      if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new OracleUsageError(`--${flag} must be an integer >= ${min}, got ${String(v)}`);
    };
    intNeeded("intervals", a.intervals, 1);
    intNeeded("seed", a.seed, 0);
    if (a.resume && a.force) throw new OracleUsageError("--resume continues the data set in --out and --force starts it over: give one");
    if (isProviderBuiltin(a.scenario) || isProviderFile(a.scenario)) {
      throw new OracleUsageError(`--scenario ${a.scenario}: a provider-view scenario; the oracle decides for tenant scenarios only (see \`cotwin scenarios\`)`);
    }
    const { scenario, source } = loadTenantScenario(a.scenario);
    const intervals = a.intervals ?? scenario.intervals;
    checkTenantSize(scenario, a.scenario, intervals, a.intervals === undefined ? "intervals" : "--intervals");
    checkOutputDirectory(a.out, { what: "--out", force: a.force, owned: isDatasetDir, kind: "an oracle data set (one with manifest.json or data.jsonl)" });
    const oracle = parseOracleSettings(
      {
        method: a.method,
        budgetMs: a.budgetMs ?? null,
        budgetEvals: a.budgetEvals,
        patience: a.patience,
        horizon: a.horizon ?? null,
        forks: a.forks,
        validationForks: a.validationForks,
        continuation: a.continuation,
        clairvoyant: a.clairvoyant,
        workers: a.workers,
      },
      flagName,
    );
    await ensurePolicies(oracle.continuation);
    const r = await buildDataset({
      scenario,
      source,
      seed: a.seed,
      intervals,
      out: a.out,
      oracle,
      resume: a.resume,
      force: a.force,
      progress: io.interactive && !a.json,
    });
    if (a.json) io.out(JSON.stringify({ out: r.out, decisions: r.decisions, intervals: r.intervalsDone, resumedFrom: r.resumedFrom, wallMs: r.wallMs }) + "\n");
    else {
      const n = r.decisionMs.length;
      const mean = n > 0 ? r.decisionMs.reduce((s, x) => s + x, 0) / n : 0;
      io.out(
        `data set ${r.out}: ${r.intervalsDone} intervals, ${r.decisions} decisions` +
          (r.resumedFrom > 0 ? ` (${r.resumedFrom} replayed from the previous session)` : "") +
          `; ${n} decided in ${(r.wallMs / 1000).toFixed(1)} s (mean ${mean.toFixed(1)} ms per decision)\n`,
      );
    }
  } catch (e) {
    if (KNOWN.some((k) => e instanceof k) || (e instanceof Error && e.name === "YError")) {
      io.err(`cotwin oracle: ${(e as Error).message}\n`);
      code = 2;
    } else code = reportError(e, "cotwin oracle", (t) => io.err(t));
  }
  return code;
}
