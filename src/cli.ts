/**
 * The `cotwin` command line. Each command validates its flags here (errors name the flag) and
 * hands plain, valid values to the runner.
 */
import yargs, { type Argv } from "yargs";
import { guardStreams, io } from "./io.ts";
import { reportError } from "./errors.ts";
import { VERSION } from "../simulator/version.ts";
import { UsageError } from "./usage-error.ts";
import { checkNumericFlags, checkRepeatedFlags } from "./commands/flags.ts";
import { checkIntervals, checkWorkers } from "../simulator/limits.ts";
export { UsageError };

/** Flags given twice or numbers that do not parse, named (src/commands/flags.ts); bench --compare repeats. */
function checkFlags(a: Record<string, unknown>, argv: string[]): void {
  checkRepeatedFlags(a, ["compare"]);
  checkNumericFlags(a, argv);
}

// Command modules load when their command runs, so `cotwin --help` pays for yargs only.
const commands = () => import("./commands/run.ts");

/** Runs one command line; never throws: every error is one message (src/errors.ts), exit code 2 for bad input. */
export async function main(argv: string[]): Promise<number> {
  guardStreams();
  try {
    return await runCommand(argv);
  } catch (e) {
    return reportError(e, "cotwin", io.err);
  }
}

async function runCommand(argv: string[]): Promise<number> {
  // Sub-command families with their own parsers.
  if (argv[0] === "data") {
    const { runDataCommand } = await import("./commands/data.ts");
    return runDataCommand(argv.slice(1));
  }
  if (argv[0] === "oracle") {
    const { runOracleCommand } = await import("./commands/oracle.ts");
    return runOracleCommand(argv.slice(1));
  }
  if (argv[0] === "learn") {
    const { runLearnCommand } = await import("./commands/learn.ts");
    return runLearnCommand(argv.slice(1));
  }
  if (argv[0] === "deploy") {
    const { runDeployCommand } = await import("./commands/deploy.ts");
    return runDeployCommand(argv.slice(1), { out: (t) => io.out(t), err: (t) => io.err(t), interactive: Boolean(process.stderr.isTTY) });
  }
  if (argv[0] === "calibrate") {
    const { runCalibrateCommand } = await import("./commands/calibrate.ts");
    return runCalibrateCommand(argv.slice(1), { out: (t) => io.out(t), err: (t) => io.err(t), interactive: Boolean(process.stderr.isTTY) });
  }
  if (argv[0] === "forecast") {
    const { runForecastCommand } = await import("./commands/forecast.ts");
    return runForecastCommand(argv.slice(1));
  }
  let exitCode = 0;
  const parser = buildParser(argv, (code) => {
    exitCode = code;
  });
  await parser.parseAsync();
  return exitCode;
}

export function buildParser(argv: string[], setExit: (code: number) => void): Argv {
  return yargs(argv)
    .scriptName("cotwin")
    .usage("cotwin <command> [options]\n\nA digital twin for cloud resource management: simulate provisioning, deployment and placement decisions and measure energy, cost and quality of service.")
    .version(VERSION)
    .strict()
    .demandCommand(1, "give a command (see cotwin --help)")
    .recommendCommands()
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .middleware((a) => checkFlags(a, argv), true)
    .command(
      "simulate",
      "run a scenario under a policy and report energy, cost and QoS",
      (y) =>
        y
          .option("scenario", { type: "string", demandOption: true, describe: "built-in name (see `cotwin scenarios`) or a YAML/JSON file" })
          .option("policy", { type: "string", describe: "policy name, e.g. least-loaded or threshold+compressed+least-loaded (see `cotwin policies`)" })
          .option("seed", { type: "string", default: "1", describe: "seed of every random stream" })
          .option("intervals", { type: "string", describe: "scheduling intervals to run (default: the scenario's)" })
          .option("out", { type: "string", describe: "write the run directory (config, CSVs, summary, HTML report) here" })
          .option("force", FORCE_FLAG)
          .option("json", { type: "boolean", default: false, describe: "print the summary as one JSON object" })
          .options(ORACLE_FLAGS)
          .option("model", { type: "string", describe: "the learner policy's ONNX model (default: the shipped one made for the scenario's fleet: scinet or bitbrains-50)" }),
      async (a) => {
        const { runSimulate } = await commands();
        let policyOptions = oracleOptions(a, a.policy === "oracle");
        if (a.model !== undefined) {
          if ((a.policy ?? "") !== "learner") throw new UsageError("--model is for --policy learner");
          policyOptions = { ...policyOptions, model: a.model };
        }
        setExit(
          await runSimulate({
            policyOptions,
            scenario: a.scenario,
            policy: a.policy,
            seed: parseSeed(a.seed),
            intervals: a.intervals === undefined ? undefined : intervalsFlag(a.intervals),
            out: a.out,
            force: a.force,
            json: a.json,
            command: argv,
          }),
        );
      },
    )
    .command(
      "compare",
      "run several policies over several seeds on one scenario and compare them (mean and 95 % CI)",
      (y) =>
        y
          .option("scenario", { type: "string", default: "scinet-testbed", describe: "built-in name or file" })
          .option("policies", { type: "string", describe: "comma-separated policy names, or all for every baseline combination (default: eight representative baselines)" })
          .option("seeds", { type: "string", default: "3", describe: "number of seeds (1..n)" })
          .option("intervals", { type: "string", describe: "scheduling intervals per run" })
          .option("out", { type: "string", describe: "directory for one run directory per policy plus compare.json and compare.csv" })
          .option("force", FORCE_FLAG)
          .option("json", { type: "boolean", default: false, describe: "print the comparison as JSON" }),
      async (a) => {
        const { runCompare } = await commands();
        setExit(
          await runCompare({
            scenario: a.scenario,
            policies: a.policies !== undefined ? a.policies.split(",").map((p) => p.trim()).filter(Boolean) : undefined,
            seeds: parsePositiveInt(a.seeds, "--seeds"),
            intervals: a.intervals === undefined ? undefined : intervalsFlag(a.intervals),
            out: a.out,
            force: a.force,
            json: a.json,
            command: argv,
          }),
        );
      },
    )
    .command(
      "start",
      "the main job on the scinet fleet: train the learner on a small oracle data set, then the baselines, the oracle and the learner on unseen seeds at two load levels; report in runs/start (about 5 min on 2 cores)",
      (y) =>
        y
          .option("out", { type: "string", default: "runs/start", describe: "output directory; running again resumes (the trained model and finished runs are reused)" })
          .option("workers", { type: "string", describe: "worker threads of the evaluation (default: the number of cores)" })
          .option("force", { type: "boolean", default: false, describe: "write --out even into a non-empty directory that holds no main job" })
          .option("json", { type: "boolean", default: false, describe: "print the result as one JSON object" }),
      async (a) => {
        const { runStart } = await import("./commands/start.ts");
        setExit(await runStart({ out: a.out, json: a.json, force: a.force, workers: a.workers === undefined ? undefined : workersFlag(a.workers), command: argv }));
      },
    )
    .command(
      "bench",
      "run a policy x scenario x seed matrix (worker threads or a Redis queue) and write tables, charts and report.html; or --compare two result directories",
      (y) =>
        y
          .option("scenarios", { type: "string", default: "scinet-testbed", describe: "comma-separated built-in names or files" })
          .option("policies", { type: "string", describe: "comma-separated policies (default: the baselines); oracle and policy files too" })
          .option("seeds", { type: "string", default: "1..10", describe: "seeds: a range 1..10, a list 1,4,9, or both" })
          .option("intervals", { type: "string", describe: "scheduling intervals per run (default: each scenario's)" })
          .option("workers", { type: "string", describe: "worker threads (default: the number of cores)" })
          .option("out", { type: "string", describe: "result directory; re-running with the same one skips finished runs" })
          .option("reference", { type: "string", describe: "policy the others are compared with, paired by seed (default: the first)" })
          .option("queue", { type: "string", describe: "redis://host:port: put the runs on a job queue served by `cotwin worker`" })
          .option("compare", { type: "string", array: true, describe: "<dirA> <dirB>: what changed between two result directories" })
          .option("oracle-budget-ms", { type: "string", describe: "time budget per decision of the oracle policy, ms" })
          .option("model", { type: "string", describe: "the learner policy's ONNX model (default: the shipped one made for the scenario's fleet: scinet or bitbrains-50); its contents are part of every learner run's key" })
          .option("report", { type: "boolean", default: true, describe: "write the charts and report.html (--no-report: tables and CSVs only)" })
          .option("force", { type: "boolean", default: false, describe: "write --out even into a non-empty directory that holds no matrix" })
          .option("json", { type: "boolean", default: false, describe: "print the result as one JSON object" }),
      async (a) => {
        const bench = await import("./commands/bench.ts");
        if (a.compare !== undefined) {
          if (a.compare.length !== 2) throw new UsageError(`--compare needs two result directories, got ${a.compare.length}`);
          setExit(await bench.runBenchCompare(a.compare[0], a.compare[1], a.json));
          return;
        }
        if (!a.out) throw new UsageError("--out is required: the directory that holds (and checkpoints) the matrix");
        if (a.queue !== undefined) (await import("./matrix/queue.ts")).parseQueueUrl(a.queue);
        const { parseSeeds } = await import("./matrix/plan.ts");
        const { BASELINE_POLICIES } = await import("../simulator/policies/registry.ts");
        const list = (v: string, flag: string) => {
          const names = v.split(",").map((p) => p.trim()).filter(Boolean);
          if (names.length === 0) throw new UsageError(`${flag} names nothing, got "${v}" (give a comma-separated list)`);
          return names;
        };
        const policies = a.policies !== undefined ? list(a.policies, "--policies") : [...BASELINE_POLICIES];
        if (a.oracleBudgetMs !== undefined && !policies.includes("oracle")) throw new UsageError("--oracle-budget-ms applies to the oracle only: add oracle to --policies");
        if (a.model !== undefined && !policies.includes("learner")) throw new UsageError("--model applies to the learner only: add learner to --policies");
        const policyOptions = {
          ...(a.oracleBudgetMs === undefined ? {} : { budgetMs: parsePositiveNumber(a.oracleBudgetMs, "--oracle-budget-ms") }),
          ...(a.model === undefined ? {} : { model: a.model }),
        };
        setExit(
          await bench.runBench({
            scenarios: list(a.scenarios, "--scenarios"),
            policies,
            seeds: parseSeeds(a.seeds),
            intervals: a.intervals === undefined ? undefined : intervalsFlag(a.intervals),
            workers: a.workers === undefined ? undefined : workersFlag(a.workers),
            out: a.out,
            reference: a.reference,
            queue: a.queue,
            report: a.report,
            force: a.force,
            policyOptions: Object.keys(policyOptions).length === 0 ? undefined : policyOptions,
            json: a.json,
            command: argv,
          }),
        );
      },
    )
    .command(
      "worker",
      "serve a bench job queue: make the runs that `cotwin bench --queue` puts on it (any number of machines)",
      (y) =>
        y
          .option("queue", { type: "string", demandOption: true, describe: "redis://host:port of the queue" })
          .option("workers", { type: "string", default: "1", describe: "worker threads, i.e. runs at a time" })
          .option("lock-ms", { type: "string", default: "30000", describe: "how long a job stays claimed by a worker that stopped answering, ms" }),
      async (a) => {
        const { runWorkerCommand } = await import("./commands/worker.ts");
        setExit(
          await runWorkerCommand({
            url: a.queue,
            threads: workersFlag(a.workers),
            lockMs: parsePositiveInt(a.lockMs, "--lock-ms"),
          }),
        );
      },
    )
    .command(
      "scenarios",
      "list the built-in scenarios",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (a) => {
        const { listScenarios } = await commands();
        listScenarios(a.json);
      },
    )
    .command(
      "policies",
      "list the policies and the parts baselines are made of",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (a) => {
        const { policyCatalogue } = await import("./policies.ts");
        const rows = policyCatalogue();
        if (a.json) io.out(JSON.stringify(rows) + "\n");
        else {
          io.out("Baselines join one part of each kind with '+', e.g. threshold+compressed+least-loaded.\nDefaults: static provisioning, full deployment, first-fit placement.\n\n");
          for (const r of rows) io.out(`  ${r.name.padEnd(14)} ${r.kind.padEnd(13)} ${r.description}\n`);
        }
      },
    )
    .command(
      "bound",
      "a lower bound on the usd-per-request objective that no policy can beat on a run's arrivals (how much any decision could gain over a baseline)",
      (y) =>
        y
          .option("scenario", { type: "string", default: "scinet-testbed", describe: "built-in name or file (a tenant scenario with the usd-per-request objective)" })
          .option("seed", { type: "string", default: "1", describe: "seed of the run whose arrivals are bounded" })
          .option("intervals", { type: "string", describe: "scheduling intervals of the run (default: the scenario's)" })
          .option("iterations", { type: "string", default: "1000", describe: "subgradient iterations (work, not time: the result is deterministic)" })
          .option("json", { type: "boolean", default: false, describe: "print the bound as one JSON object" }),
      async (a) => {
        const { runBound } = await import("./commands/bound.ts");
        setExit(
          await runBound({
            scenario: a.scenario,
            seed: parseSeed(a.seed),
            intervals: a.intervals === undefined ? undefined : intervalsFlag(a.intervals),
            iterations: parsePositiveInt(a.iterations, "--iterations"),
            json: a.json,
            command: argv,
          }),
        );
      },
    )
    .command("objective", "list the variables a scenario's objective expression may use", {}, async () => {
      const { OBJECTIVE_VARIABLES } = await import("../simulator/objective.ts");
      for (const [k, v] of Object.entries(OBJECTIVE_VARIABLES)) io.out(`  ${k.padEnd(17)} ${v}\n`);
    })
    .command("oracle", "run the oracle on a scenario and record the learner's labelled data set (cotwin oracle --help)")
    .command("learn", "train the imitation learner on the oracle's decisions and export it to ONNX (cotwin learn --help)")
    .command("data", "list and download the public traces, generate serverless data (cotwin data --help)")
    .command("forecast", "evaluate, train, tune and select workload forecasters (cotwin forecast --help)")
    .command("deploy", "the online loop: apply decisions to Azure VMs, the local testbed or a dry run; status, teardown (cotwin deploy --help)")
    .command("calibrate", "fit the twin to a target's measurements and save the calibration (cotwin calibrate --help)")
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100));
}

/** --force of the commands that write a directory: see workloads/output/out-path.ts. */
const FORCE_FLAG = { type: "boolean", default: false, describe: "write --out even over a non-empty directory cotwin did not write" } as const;

/** The oracle's settings as flags of `simulate` (see oracle/settings.ts for their meaning and defaults). */
const ORACLE_FLAGS = {
  "oracle-evals": { type: "string", describe: "oracle: candidates scored per decision at most (default 40)" },
  "oracle-budget-ms": { type: "string", describe: "oracle: a hard wall-clock limit per decision, ms (opt-in: decisions then depend on machine speed)" },
  "oracle-horizon": { type: "string", describe: "oracle: look-ahead intervals (default: two boot times plus two intervals)" },
  "oracle-forks": { type: "string", describe: "oracle: look-ahead samples per candidate (default 2)" },
  "oracle-continuation": { type: "string", describe: "oracle: policy assumed after each decision in the look-ahead (default: target tracking)" },
  clairvoyant: { type: "boolean", describe: "oracle: the look-ahead sees the run's real future (labelled so in the summary)" },
} as const;

/** Oracle flags to policy options; an oracle flag without the oracle policy is an error naming it. */
function oracleOptions(a: Record<string, unknown>, oracleRuns: boolean): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const num = (flag: string, key: string, int: boolean) => {
    const v = a[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
    if (v === undefined) return;
    out[key] = int ? parsePositiveInt(String(v), `--${flag}`) : parsePositiveNumber(String(v), `--${flag}`);
  };
  num("oracle-evals", "budgetEvals", true);
  num("oracle-budget-ms", "budgetMs", false);
  num("oracle-horizon", "horizon", true);
  num("oracle-forks", "forks", true);
  if (typeof a.oracleContinuation === "string") out.continuation = a.oracleContinuation;
  if (a.clairvoyant === true) out.clairvoyant = true;
  const given = Object.keys(out);
  if (given.length === 0) return undefined;
  if (!oracleRuns) {
    const flag = Object.keys(ORACLE_FLAGS).find((f) => a[f.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] !== undefined);
    throw new UsageError(`--${flag} applies to the oracle only: run it with --policy oracle`);
  }
  return out;
}

export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--seed must be a non-negative integer, got "${v}"`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed must be a non-negative integer, got "${v}"`);
  return n;
}

export function parsePositiveNumber(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
  return n;
}

/** --intervals: a positive integer within the documented limit (simulator/limits.ts). */
function intervalsFlag(v: string): number {
  const n = parsePositiveInt(v, "--intervals");
  checkIntervals(n, "--intervals");
  return n;
}

/** --workers: a positive integer within the documented limit. */
function workersFlag(v: string): number {
  const n = parsePositiveInt(v, "--workers");
  checkWorkers(n);
  return n;
}

export function parsePositiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}
