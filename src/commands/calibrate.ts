/**
 * `cotwin calibrate --target local|azure --scenario <name|file> [--intervals N]`: runs the
 * scenario on the target with the twin as written, fits the twin's figures to what was measured
 * (deploy/calibrate.ts) and saves the calibration that later `cotwin deploy` runs of that
 * scenario on that target use. Prints the fitted figures and how well the calibrated twin
 * reproduces the run it was fitted on (the same decisions replayed). When a calibration is saved
 * already, it measures with it and fits again (a second round: the policy then decides, and the
 * hosts are loaded, as in calibrated runs); --fresh measures with the scenario as written.
 */
import { reportError } from "../errors.ts";
import yargs from "yargs";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { calibrationFile, fitCalibration, makeCalibration, saveCalibration } from "../../deploy/calibrate.ts";
import { loadDeployConfig } from "../../deploy/config.ts";
import { compare, MeasuredUse, pairRequests } from "../../deploy/fidelity.ts";
import { replaySteps } from "../../deploy/replay.ts";
import { azureFlags, commonOptions, deployFlagChecks, DeployUsageError, stateDirOf, KNOWN_DEPLOY_ERRORS, limitsOf, runSession, type DeployDeps, type DeployIo, type SessionArgs, type TargetKind } from "./deploy.ts";

const processIo = (): DeployIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
});

function f(x: number | null, d = 3): string {
  return x === null || !Number.isFinite(x) ? "-" : x.toFixed(d);
}

export async function runCalibrateCommand(argv: string[], io: DeployIo = processIo(), deps: DeployDeps = {}): Promise<number> {
  try {
    return await calibrate(argv, io, deps);
  } catch (e) {
    if (e instanceof Error && KNOWN_DEPLOY_ERRORS.includes(e.name)) {
      const hint = (e as { info?: { hint?: string } }).info?.hint ?? (e as { hint?: string }).hint;
      io.err(`cotwin calibrate: ${e.message}${hint ? `\n  hint: ${hint}` : ""}\n`);
      return 2;
    }
    return reportError(e, "cotwin calibrate", (t) => io.err(t));
  }
}

async function calibrate(argv: string[], io: DeployIo, deps: DeployDeps): Promise<number> {
  const parser = commonOptions(
    yargs(argv)
      .middleware(deployFlagChecks(argv), true)
      .scriptName("cotwin calibrate")
      .usage("cotwin calibrate --target local|azure --scenario <name|file> [--intervals N] [options]\n\nRuns the scenario on the target, fits the twin's compute figures, host speeds, contention, overhead and boot times to the measurements, and saves a calibration that later runs of the scenario on that target use."),
  )
    .option("scenario", { type: "string", demandOption: true, describe: "built-in tenant scenario or a YAML/JSON file" })
    .option("policy", { type: "string", describe: "policy while measuring (default: the learner)" })
    .option("intervals", { type: "number", describe: "intervals to measure (default: the scenario's)" })
    .option("seed", { type: "number", default: 1, describe: "seed of the workload" })
    .option("max-vms", { type: "number" })
    .option("max-usd-per-hour", { type: "number" })
    .option("fresh", { type: "boolean", default: false, describe: "measure with the scenario as written, ignoring a saved calibration" })
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg: string, err: Error) => {
      throw err ?? new DeployUsageError(msg);
    });
  const a = await parser.parseAsync();
  if (a.help) return 0;
  if (a.target === "dry-run") throw new DeployUsageError("--target dry-run measures nothing: calibrate on local or azure");
  const config = a.config ? loadDeployConfig(a.config) : {};
  const seed = a.seed;
  if (!Number.isInteger(seed) || seed < 0) throw new DeployUsageError(`--seed must be an integer >= 0, got ${String(seed)}`);
  if (a.intervals !== undefined && !(Number.isInteger(a.intervals) && a.intervals >= 1)) throw new DeployUsageError(`--intervals must be an integer >= 1, got ${String(a.intervals)}`);
  const args: SessionArgs = {
    target: a.target as TargetKind,
    scenario: a.scenario,
    policy: a.policy,
    seed,
    intervals: a.intervals,
    deployment: a.deployment,
    stateDir: stateDirOf(a, config),
    config,
    limits: limitsOf(a, config),
    // A saved calibration is used while measuring (a second round measures under a twin that is
    // already close, so the policy's decisions, and the load, are those of calibrated runs).
    calibration: a.fresh !== true,
    json: a.json,
  };
  const s = await runSession(args, azureFlags(a), io, deps, { stopAtEnd: false });
  const p = s.prepared;
  const r = s.result;
  const written = { ...p.inputs, scenario: p.original };
  const fit = fitCalibration(written, p.originalModel, r);
  const cal = makeCalibration(p.original, p.originalModel, fit, args.target, p.source);
  // In-sample check: the calibrated twin replays the run's own decisions.
  const replayed = buildReadyTwin({ ...written, scenario: cal.calibrated, record: true });
  const recs = replaySteps(replayed.twin, r.steps, p.ready.model.intervalS);
  const after = compare(pairRequests(r.pairs.map((x) => x.measured), recs), new MeasuredUse(), replayed.twin.totals(), replayed.twin.totals(), 0);
  const file = calibrationFile(args.stateDir, p.original.name, args.target);
  await saveCalibration(file, cal);
  if (args.json) {
    io.out(JSON.stringify({ calibration: file, scenario: p.original.name, target: args.target, measuredWith: p.calibration?.file ?? null, fit, before: { responseErrorPct: r.responseErrorPct, serviceErrorPct: r.serviceErrorPct }, after: { responseErrorPct: after.responseErrorPct, serviceErrorPct: after.serviceErrorPct }, measured: r.measured, paired: r.paired }) + "\n");
    return 0;
  }
  const mips = fit.hostMips.map((m, h) => (m === null ? "-" : `${(m * (fit.contention[h] ?? 1)).toFixed(0)}`));
  io.out(
    [
      `calibration of ${p.original.name} on ${args.target}: ${fit.requests} requests, ${fit.fragments} fragments measured over ${r.intervals} interval(s)`,
      `  host speed      ${mips.slice(0, 8).join(", ")}${mips.length > 8 ? ", ..." : ""} MIPS per vCPU (scenario: ${p.originalModel.mips[0].toFixed(0)})`,
      `  contention      ${fit.contention.slice(0, 8).map((c) => f(c, 2)).join(", ")} (speed factor fitted by replay; 1 = none)`,
      `  fragments       ${Object.entries(fit.fragmentFactor).slice(0, 6).map(([k, v]) => `${k} x${v.toFixed(2)}`).join(", ")}`,
      `  overhead        ${(fit.overheadS * 1000).toFixed(1)} ms per fragment outside the worker (as ${fit.overheadMI.toFixed(0)} MI)`,
      `  boot            ${fit.bootS.slice(0, 8).map((b) => (b === null ? "-" : `${b.toFixed(1)} s`)).join(", ")}`,
      `  mean response   measured ${f(r.measured.meanResponseS)} s; twin while measuring (${p.calibration ? "earlier calibration" : "as written"}) ${f(r.twin.meanResponseS)} s (${f(r.responseErrorPct, 1)} %), new calibration on the same decisions ${f(after.twin.meanResponseS)} s (${f(after.responseErrorPct, 1)} %)`,
      `  saved           ${file} (used by \`cotwin deploy --target ${args.target} --scenario ${a.scenario}\`)`,
    ].join("\n") + "\n",
  );
  return 0;
}
