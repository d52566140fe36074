/**
 * The `cotwin` command line. Each command validates its flags here (errors name the flag) and
 * hands plain, valid values to the runner.
 */
import yargs, { type Argv } from "yargs";
import { io } from "./io.ts";
import { VERSION } from "../simulator/version.ts";
import { UsageError } from "./usage-error.ts";
export { UsageError };

// Command modules load when their command runs, so `cotwin --help` pays for yargs only.
const commands = () => import("./commands/run.ts");

/** Errors that mean bad input: printed as one line, exit code 2 (matched by name: their modules load lazily). */
const KNOWN_ERRORS = new Set(["UsageError", "ScenarioError", "PolicyError", "ObjectiveError", "YError"]);

export async function main(argv: string[]): Promise<number> {
  // Sub-command families with their own parsers.
  if (argv[0] === "data") {
    const { runDataCommand } = await import("./commands/data.ts");
    return runDataCommand(argv.slice(1));
  }
  if (argv[0] === "oracle") {
    const { runOracleCommand } = await import("./commands/oracle.ts");
    return runOracleCommand(argv.slice(1));
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
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof Error && KNOWN_ERRORS.has(e.name)) {
      io.err(`cotwin: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
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
          .option("json", { type: "boolean", default: false, describe: "print the summary as one JSON object" })
          .option("oracle-budget-ms", { type: "string", describe: "time budget per decision of the oracle policy, ms" }),
      async (a) => {
        const { runSimulate } = await commands();
        setExit(
          await runSimulate({
            policyOptions: a.oracleBudgetMs === undefined ? undefined : { budgetMs: parsePositiveNumber(a.oracleBudgetMs, "--oracle-budget-ms") },
            scenario: a.scenario,
            policy: a.policy,
            seed: parseSeed(a.seed),
            intervals: a.intervals === undefined ? undefined : parsePositiveInt(a.intervals, "--intervals"),
            out: a.out,
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
          .option("policies", { type: "string", describe: "comma-separated policy names (default: the baselines)" })
          .option("seeds", { type: "string", default: "3", describe: "number of seeds (1..n)" })
          .option("intervals", { type: "string", describe: "scheduling intervals per run" })
          .option("out", { type: "string", describe: "directory for one run directory per policy plus compare.json and compare.csv" })
          .option("json", { type: "boolean", default: false, describe: "print the comparison as JSON" }),
      async (a) => {
        const { runCompare } = await commands();
        setExit(
          await runCompare({
            scenario: a.scenario,
            policies: a.policies ? a.policies.split(",").map((p) => p.trim()).filter(Boolean) : undefined,
            seeds: parsePositiveInt(a.seeds, "--seeds"),
            intervals: a.intervals === undefined ? undefined : parsePositiveInt(a.intervals, "--intervals"),
            out: a.out,
            json: a.json,
            command: argv,
          }),
        );
      },
    )
    .command(
      "start",
      "the main job: the oracle against every baseline on scinet-testbed (3 seeds); writes runs/start with the reports",
      (y) => y.option("json", { type: "boolean", default: false }),
      async (a) => {
        const { runCompare } = await commands();
        const { BASELINE_POLICIES } = await import("../simulator/policies/registry.ts");
        setExit(
          await runCompare({ scenario: "scinet-testbed", policies: [...BASELINE_POLICIES, "oracle"], seeds: 3, out: "runs/start", json: a.json, command: argv }),
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
    .command("objective", "list the variables a scenario's objective expression may use", {}, async () => {
      const { OBJECTIVE_VARIABLES } = await import("../simulator/objective.ts");
      for (const [k, v] of Object.entries(OBJECTIVE_VARIABLES)) io.out(`  ${k.padEnd(17)} ${v}\n`);
    })
    .command("oracle", "run the oracle on a scenario and record the learner's labelled data set (cotwin oracle --help)")
    .command("data", "list and download the public traces, generate serverless data (cotwin data --help)")
    .command("forecast", "evaluate, train, tune and select workload forecasters (cotwin forecast --help)")
    .command("deploy", "the online loop: apply decisions to Azure VMs, the local testbed or a dry run; status, teardown (cotwin deploy --help)")
    .command("calibrate", "fit the twin to a target's measurements and save the calibration (cotwin calibrate --help)")
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100));
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

export function parsePositiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}
