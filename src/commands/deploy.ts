/**
 * `cotwin deploy`: the online loop against Azure, the local testbed or a dry run.
 *
 *   cotwin deploy --target local --scenario <name|file> [--policy P] [--intervals N] [--json]
 *   cotwin deploy --target dry-run --scenario <name|file> [--policy P]
 *   cotwin deploy --target azure --scenario <name|file> --subscription S --resource-group G
 *                 --location L --controller-address IP [--max-vms N] [--max-usd-per-hour X]
 *   cotwin deploy status   --target azure --deployment D ...    what is tagged for D, with its cost
 *   cotwin deploy teardown --target azure --deployment D ...    deletes everything tagged for D
 *
 * The policy is created here (policies are wired in src/) and handed to the loop (deploy/).
 */
import { reportError } from "../errors.ts";
import { sourceTreeRefusal } from "../../workloads/output/out-path.ts";
import { checkNumericFlags, checkRepeatedFlags } from "./flags.ts";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import yargs from "yargs";
import { RandomStream } from "../../simulator/engine/random.ts";
import { createPolicy, isRegistered } from "../../simulator/policies/registry.ts";
import { validateTenantScenario, type TenantScenario } from "../../simulator/scenario.ts";
import { buildTwinModel, loadTenantScenario } from "../../simulator/scenarios.ts";
import type { TwinModel } from "../../simulator/model.ts";
import type { Policy } from "../../simulator/types.ts";
import { VERSION } from "../../simulator/version.ts";
import { buildReadyTwin, prepareInputs, type ReadyTwin, type TwinInputs } from "../../workloads/ready-twin.ts";
import { createProgress } from "../../workloads/output/progress.ts";
import { JumpClock, realClock, TimeAxis } from "../../deploy/clock.ts";
import { asCidr, loadDeployConfig, type DeployConfig } from "../../deploy/config.ts";
import { CalibrationError, calibrationFile, loadCalibration, type Calibration } from "../../deploy/calibrate.ts";
import { DryRunTarget } from "../../deploy/dry-run-target.ts";
import { hostSlots, type HostSlot } from "../../deploy/hosts.ts";
import { checkInitial, type Limits } from "../../deploy/limits.ts";
import { runLoop, type LoopResult } from "../../deploy/loop.ts";
import { deploymentState } from "../../deploy/state.ts";
import type { Target, TargetEvent } from "../../deploy/types.ts";
import type { ArmConnection } from "../../deploy/azure/arm.ts";
import type { WorkerAddress } from "../../deploy/worker-client.ts";
import { ensurePolicies } from "../policies.ts";

export interface DeployIo {
  out: (text: string) => void;
  err: (text: string) => void;
  interactive: boolean;
}

const processIo = (): DeployIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
});

/** What tests replace: the Azure connection (a fake Resource Manager) and where workers answer. */
export interface DeployDeps {
  arm?: ArmConnection;
  workerAddress?: (host: number, ip: string) => WorkerAddress;
  /** Azure target settings for tests (zero polling, short timeouts) */
  azureTuning?: Record<string, unknown>;
  signal?: AbortSignal;
}

export class DeployUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeployUsageError";
  }
}

/** Errors that mean bad input or a refusal: one line (and a hint), exit code 2 (matched by name: modules load lazily). */
export const KNOWN_DEPLOY_ERRORS = ["DeployUsageError", "ScenarioError", "PolicyError", "ObjectiveError", "LimitError", "CalibrationError", "JournalError", "YError", "ActionFailure", "NotOursError", "CustomDataTooLarge"];

export type TargetKind = "azure" | "local" | "dry-run";

export interface SessionArgs {
  target: TargetKind;
  scenario: string;
  policy?: string;
  /** the learner's ONNX model (default: the shipped one made for the scenario's fleet) */
  model?: string;
  seed: number;
  intervals?: number;
  deployment?: string;
  stateDir: string;
  config: DeployConfig;
  limits: Limits;
  /** use the saved calibration of the scenario on this target (default true) */
  calibration: boolean;
  json: boolean;
}

/** A scenario ready to run: the twin (calibrated when a calibration is saved) and the host slots (as written). */
export interface Prepared {
  original: TenantScenario;
  source: string;
  inputs: TwinInputs;
  ready: ReadyTwin;
  slots: HostSlot[];
  originalModel: TwinModel;
  calibration?: { file: string; c: Calibration };
  policy: Policy;
  policyName: string;
  /** the learner's model file and its SHA-256 (null for other policies) */
  learnerModel: { file: string; sha256: string } | null;
}

/** The policy: `--policy`, else the learner when it is registered, else a clear error. */
export async function choosePolicy(name: string | undefined): Promise<string> {
  const chosen = name ?? "learner";
  await ensurePolicies(chosen);
  if (name === undefined && !isRegistered("learner")) {
    throw new DeployUsageError('no --policy given, and the learner (the default) is not available in this build: give one, e.g. --policy threshold+compressed+least-loaded (see `cotwin policies`)');
  }
  return chosen;
}

export async function prepare(a: SessionArgs, say: (line: string) => void): Promise<Prepared> {
  const { scenario: original, source } = loadTenantScenario(a.scenario);
  const originalModel = buildTwinModel(original, source);
  let scenario = original;
  let calibration: Prepared["calibration"];
  if (a.calibration && a.target !== "dry-run") {
    const file = calibrationFile(a.stateDir, original.name, a.target);
    const { existsSync } = await import("node:fs");
    if (existsSync(file)) {
      const c = loadCalibration(file);
      if (c.calibrated.hosts.length !== originalModel.hostCount) throw new CalibrationError(`${file}: made for ${c.calibrated.hosts.length} hosts, the scenario has ${originalModel.hostCount}: run \`cotwin calibrate\` again`);
      scenario = { ...c.calibrated, intervals: original.intervals };
      calibration = { file, c };
      say(`calibration: ${file} (fitted ${c.createdAt} from ${c.fit.requests} requests; host speed ${fmtList(c.fit.hostMips.map((m, h) => (m === null ? null : m * (c.fit.contention[h] ?? 1))))} MIPS/vCPU)`);
    } else say(`calibration: none for ${original.name} on ${a.target} (\`cotwin calibrate --target ${a.target} --scenario ${a.scenario}\` fits one)`);
  }
  const policyName = await choosePolicy(a.policy ?? original.policy);
  if (a.model !== undefined && policyName !== "learner") throw new DeployUsageError(`--model is for --policy learner (the policy is ${policyName})`);
  const inputs = await prepareInputs({ scenario, source, seed: a.seed });
  const ready = buildReadyTwin(inputs);
  const policy = createPolicy(policyName, { model: ready.model, seed: a.seed, streams: ready.streams, options: { twin: () => ready.twin, scenario, source, ...(a.model !== undefined ? { model: a.model } : {}) } });
  // createPolicy has read and checked the file: record which model decides, by its contents
  const modelFile = policyName === "learner" ? (a.model ?? (await import("../../learner/model-file.ts")).shippedModelFor(ready.model)) : null;
  const learnerModel = modelFile !== null ? { file: modelFile, sha256: createHash("sha256").update(readFileSync(modelFile)).digest("hex") } : null;
  return { original, source, inputs, ready, slots: hostSlots(originalModel), originalModel, calibration, policy, policyName, learnerModel };
}

function fmtList(xs: Array<number | null>): string {
  const shown = xs.slice(0, 4).map((x) => (x === null ? "-" : x.toFixed(0)));
  return shown.join(", ") + (xs.length > 4 ? `, ... (${xs.length} hosts)` : "");
}

export function deploymentName(a: { deployment?: string; config: DeployConfig }, scenarioName: string): string {
  const raw = a.deployment ?? a.config.deployment ?? scenarioName.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 24).replace(/-+$/, "");
  return raw || "cotwin";
}

export interface AzureFlags {
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  controllerAddress?: string;
  sshFrom?: string;
  sshPublicKey?: string;
  tags?: Record<string, string>;
  workerPort?: number;
}

/** Builds the target. Azure needs its flags (or config) and creates nothing yet. */
export async function makeTarget(kind: TargetKind, p: { model: TwinModel; slots: HostSlot[] }, axis: TimeAxis, a: { deployment: string; stateDir: string; config: DeployConfig; azure: AzureFlags; limits: Limits; seed: number }, deps: DeployDeps, print: (line: string) => void): Promise<Target> {
  if (kind === "dry-run") return new DryRunTarget(p.slots, print, () => Math.floor(axis.nowS() / p.model.intervalS + 1e-9));
  const state = deploymentState(a.stateDir, a.deployment, kind);
  if (kind === "local") {
    const { LocalTarget } = await import("../../deploy/testbed/local-target.ts");
    return new LocalTarget({ model: p.model, slots: p.slots, token: state.token, axis });
  }
  return makeAzureTarget(p, axis, a, deps, state);
}

async function makeAzureTarget(p: { model: TwinModel; slots: HostSlot[] }, axis: TimeAxis, a: { deployment: string; stateDir: string; config: DeployConfig; azure: AzureFlags; limits: Limits; seed: number }, deps: DeployDeps, state: ReturnType<typeof deploymentState>) {
  const c = a.config;
  const need = (v: string | undefined, flag: string, key: string): string => {
    if (!v) throw new DeployUsageError(`--target azure needs ${flag} (or "${key}" in --config)`);
    return v;
  };
  const subscription = need(a.azure.subscription ?? c.subscription ?? process.env.AZURE_SUBSCRIPTION_ID, "--subscription", "subscription");
  const resourceGroup = need(a.azure.resourceGroup ?? c.resourceGroup, "--resource-group", "resourceGroup");
  const location = need(a.azure.location ?? c.location, "--location", "location");
  const controller = need(a.azure.controllerAddress ?? c.controllerAddress, "--controller-address", "controllerAddress");
  const { deploymentNameProblem, extraTagsProblem } = await import("../../deploy/azure/naming.ts");
  const bad = deploymentNameProblem(a.deployment);
  if (bad) throw new DeployUsageError(`--deployment: ${bad}`);
  const tags = { ...(c.tags ?? {}), ...(a.azure.tags ?? {}) };
  const tagBad = extraTagsProblem(tags);
  if (tagBad) throw new DeployUsageError(`--tag: ${tagBad}`);
  let sshKey: string | undefined;
  const keyFile = a.azure.sshPublicKey ?? c.sshPublicKey;
  if (keyFile) {
    const { readFileSync } = await import("node:fs");
    try {
      sshKey = readFileSync(keyFile, "utf8").trim();
    } catch (e) {
      throw new DeployUsageError(`--ssh-public-key ${keyFile}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const { armClients, defaultCredential } = await import("../../deploy/azure/arm.ts");
  const { AzureTarget } = await import("../../deploy/azure/target.ts");
  const { Journal } = await import("../../deploy/journal.ts");
  const { customData, readWorkerBundle } = await import("../../deploy/azure/cloud-init.ts");
  const arm = armClients(deps.arm ?? { subscriptionId: subscription, credential: await defaultCredential() });
  const journal = new Journal(state.journalFile);
  journal.append({ kind: "session", deployment: a.deployment, target: "azure", version: VERSION });
  const workerPort = a.azure.workerPort ?? c.workerPort ?? 8790;
  let bundle: ReturnType<typeof readWorkerBundle> | undefined;
  const { createRequire } = await import("node:module");
  const req = createRequire(import.meta.url);
  const versionOf = (pkg: string) => (req(`${pkg}/package.json`) as { version: string }).version;
  return new AzureTarget({
    arm,
    resourceGroup,
    location,
    deployment: a.deployment,
    slots: p.slots,
    model: p.model,
    token: state.token,
    axis,
    journal,
    rng: new RandomStream(`deploy:${a.deployment}:${a.seed}`),
    controllerAddress: asCidr(controller),
    sshFrom: a.azure.sshFrom ?? c.sshFrom ? asCidr((a.azure.sshFrom ?? c.sshFrom)!) : undefined,
    sshPublicKey: sshKey,
    extraTags: tags,
    workerPort,
    maxUsdPerHour: a.limits.maxUsdPerHour,
    gcGraceMs: c.gcGraceS !== undefined ? c.gcGraceS * 1000 : undefined,
    customData: (host, vcpus) => {
      bundle ??= readWorkerBundle();
      return customData({ bundle, token: state.token, host, vcpus, port: workerPort, onnxruntimeVersion: versionOf("onnxruntime-node"), onnxProtoVersion: versionOf("onnx-proto") });
    },
    workerAddress: deps.workerAddress,
    ...(deps.azureTuning ?? {}),
  });
}

// ---------------------------------------------------------------- output

function num(x: number | null, digits = 3): string {
  return x === null || !Number.isFinite(x) ? "-" : x.toFixed(digits);
}

function pct(x: number | null): string {
  return x === null ? "-" : `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;
}

export function summaryJson(a: SessionArgs, p: Prepared, deployment: string, r: LoopResult, plan?: string[]): Record<string, unknown> {
  const mean = r.overheadMs.length > 0 ? r.overheadMs.reduce((s, x) => s + x, 0) / r.overheadMs.length : null;
  return {
    scenario: p.original.name,
    target: a.target,
    deployment,
    policy: p.policyName,
    learnerModel: p.learnerModel,
    seed: a.seed,
    version: VERSION,
    intervalS: p.ready.model.intervalS,
    limits: a.limits,
    calibration: p.calibration?.file ?? null,
    intervals: r.intervals,
    stoppedEarly: r.stoppedEarly,
    actions: r.actions,
    measured: r.measured,
    twin: r.twin,
    responseErrorPct: r.responseErrorPct,
    serviceErrorPct: r.serviceErrorPct,
    pairedRequests: r.paired,
    twinCorrections: r.syncChanges,
    loopOverheadMs: { mean, max: r.overheadMs.length > 0 ? Math.max(...r.overheadMs) : null },
    running: r.running,
    costPerHour: r.costPerHour,
    events: r.events,
    ...(plan ? { plan } : {}),
  };
}

export function formatSummary(a: SessionArgs, p: Prepared, deployment: string, r: LoopResult): string {
  const m = r.measured;
  const t = r.twin;
  const lines = [
    `deploy ${p.original.name} on ${a.target} (deployment ${deployment}), policy ${p.policyName}${p.learnerModel ? ` (model ${p.learnerModel.file})` : ""}, seed ${a.seed}, ${r.intervals} interval(s) of ${p.ready.model.intervalS} s${r.stoppedEarly ? " (stopped early)" : ""}, cotwin ${VERSION}`,
    `  actions         ${r.actions.applied} applied, ${r.actions.failed} failed, ${r.actions.retried} retried, ${r.actions.refused} refused by limits; twin corrected ${r.syncChanges} time(s)`,
  ];
  if (a.target !== "dry-run") {
    lines.push(
      `                  measured      twin`,
      `  requests        ${String(m.completed).padEnd(13)} ${t.completed} completed (${r.paired} in both)`,
      `  mean response   ${(num(m.meanResponseS) + " s").padEnd(13)} ${num(t.meanResponseS)} s   twin ${pct(r.responseErrorPct)} (service time alone ${pct(r.serviceErrorPct)})`,
      `  p95 response    ${(num(m.p95ResponseS) + " s").padEnd(13)} ${num(t.p95ResponseS)} s`,
      `  CPU             ${(num(m.cpuUtilisation === null ? null : 100 * m.cpuUtilisation, 1) + " %").padEnd(13)} ${num(t.cpuUtilisation === null ? null : 100 * t.cpuUtilisation, 1)} %`,
      `  energy (est.)   ${(num(m.energyKWh * 1000, 4) + " Wh").padEnd(13)} ${num(t.energyKWh * 1000, 4)} Wh`,
      `  cost            ${(num(m.costUSD, 6) + " USD").padEnd(13)} ${num(t.costUSD, 6)} USD`,
    );
    const mean = r.overheadMs.length > 0 ? r.overheadMs.reduce((s, x) => s + x, 0) / r.overheadMs.length : 0;
    lines.push(`  loop overhead   ${mean.toFixed(2)} ms per interval (mean; cloud and worker calls excluded), max ${Math.max(0, ...r.overheadMs).toFixed(2)} ms`);
  }
  lines.push(runningLine(a.target, r.running));
  return lines.join("\n") + "\n";
}

function runningLine(target: TargetKind, running: LoopResult["running"]): string {
  if (running.length === 0) return "  still running   nothing";
  const usd = running.reduce((s, x) => s + x.pricePerHour, 0);
  const what = running.map((x) => `${x.name} (${x.size}, ${x.phase})`).join(", ");
  if (target === "local") return `  at the end      ${running.length} host(s) running, ${usd.toFixed(4)} USD/h: ${what} (the local workers stop with this command)`;
  return `  still running   ${running.length} host(s), ${usd.toFixed(4)} USD/h: ${what}${target === "azure" ? "; `cotwin deploy teardown` removes them" : ""}`;
}

// ---------------------------------------------------------------- the command

interface CommonFlags {
  target: string;
  scenario?: string;
  deployment?: string;
  "state-dir": string;
  config?: string;
  subscription?: string;
  "resource-group"?: string;
  location?: string;
  "controller-address"?: string;
  "ssh-from"?: string;
  "ssh-public-key"?: string;
  tag?: string[];
  "worker-port"?: number;
  json: boolean;
}

export function azureFlags(a: CommonFlags): AzureFlags {
  const tags: Record<string, string> = {};
  for (const t of a.tag ?? []) {
    const at = t.indexOf("=");
    if (at <= 0) throw new DeployUsageError(`--tag must be key=value, got "${t}"`);
    tags[t.slice(0, at)] = t.slice(at + 1);
  }
  for (const [flag, v] of [["--controller-address", a["controller-address"]], ["--ssh-from", a["ssh-from"]]] as const) {
    if (v !== undefined && !/^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/.test(v)) throw new DeployUsageError(`${flag} must be an IPv4 address or CIDR, e.g. 203.0.113.7 or 203.0.113.0/24, got "${v}"`);
  }
  return {
    subscription: a.subscription,
    resourceGroup: a["resource-group"],
    location: a.location,
    controllerAddress: a["controller-address"],
    sshFrom: a["ssh-from"],
    sshPublicKey: a["ssh-public-key"],
    tags,
    workerPort: a["worker-port"],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
/** Flags given twice (but --tag) or numbers that do not parse, named with what was typed. */
export function deployFlagChecks(argv: string[]): (a: Record<string, unknown>) => void {
  return (a) => {
    const make = (m: string) => new DeployUsageError(m);
    checkRepeatedFlags(a, ["tag"], make);
    checkNumericFlags(a, argv, make);
  };
}

/** The state directory (journals, tokens, calibrations): anywhere but cotwin's own source tree. */
export function stateDirOf(a: { "state-dir"?: string }, config: DeployConfig): string {
  const dir = a["state-dir"] ?? config.stateDir ?? ".cotwin";
  const why = sourceTreeRefusal(dir);
  if (why) throw new DeployUsageError(`--state-dir: ${why}; choose another place`);
  return dir;
}

export function commonOptions(y: any): any {
  return y
    .option("target", { type: "string", choices: ["azure", "local", "dry-run"], demandOption: true, describe: "where the decisions are applied" })
    .option("deployment", { type: "string", describe: "deployment name: names and tags every resource (default: the scenario's name)" })
    .option("state-dir", { type: "string", default: ".cotwin", describe: "where journals, tokens and calibrations are kept" })
    .option("config", { type: "string", describe: "deploy config file (YAML/JSON): subscription, resourceGroup, location, controllerAddress, tags, ..." })
    .option("subscription", { type: "string", describe: "Azure subscription id (default: AZURE_SUBSCRIPTION_ID)" })
    .option("resource-group", { type: "string", describe: "Azure resource group (created when absent)" })
    .option("location", { type: "string", describe: "Azure region, e.g. eastus" })
    .option("controller-address", { type: "string", describe: "this machine's public IPv4 address: the only source the workers admit" })
    .option("ssh-from", { type: "string", describe: "open SSH to the VMs from this address or CIDR (default: closed)" })
    .option("ssh-public-key", { type: "string", describe: "OpenSSH public key file for the VMs (default: a throwaway key)" })
    .option("tag", { type: "string", array: true, describe: "extra tag key=value on every resource (repeatable)" })
    .option("worker-port", { type: "number", describe: "the workers' TCP port (default 8790)" })
    .option("json", { type: "boolean", default: false, describe: "print the result as one JSON object" });
}

function intFlag(v: number | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw new DeployUsageError(`${flag} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

export function limitsOf(a: { "max-vms"?: number; "max-usd-per-hour"?: number }, c: DeployConfig): Limits {
  const maxVms = intFlag(a["max-vms"], "--max-vms", 1) ?? c.maxVms;
  const usd = a["max-usd-per-hour"] ?? c.maxUsdPerHour;
  if (usd !== undefined && !(Number.isFinite(usd) && usd > 0)) throw new DeployUsageError(`--max-usd-per-hour must be a positive number, got ${String(usd)}`);
  return { maxVms, maxUsdPerHour: usd };
}

/** Runs `cotwin deploy <argv>` (and its status and teardown); returns the exit code. */
export async function runDeployCommand(argv: string[], io: DeployIo = processIo(), deps: DeployDeps = {}): Promise<number> {
  const sub = argv[0] === "status" || argv[0] === "teardown" ? argv[0] : undefined;
  const rest = sub ? argv.slice(1) : argv;
  try {
    if (sub) return await runAzureAdmin(sub, rest, io, deps);
    return await runDeploy(rest, io, deps);
  } catch (e) {
    if (e instanceof Error && KNOWN_DEPLOY_ERRORS.includes(e.name)) {
      const hint = (e as { info?: { hint?: string } }).info?.hint ?? (e as { hint?: string }).hint;
      io.err(`cotwin deploy: ${e.message}${hint ? `\n  hint: ${hint}` : ""}\n`);
      return 2;
    }
    return reportError(e, "cotwin deploy", (t) => io.err(t));
  }
}

async function runDeploy(argv: string[], io: DeployIo, deps: DeployDeps): Promise<number> {
  const parser = commonOptions(
    yargs(argv)
      .middleware(deployFlagChecks(argv), true)
      .scriptName("cotwin deploy")
      .usage(
        "cotwin deploy --target azure|local|dry-run --scenario <name|file> [options]\ncotwin deploy status|teardown --target azure --deployment <name> [options]\n\nRuns the online loop: observe the target, keep the twin in step, decide, validate, apply, record twin versus measured.",
      ),
  )
    .option("scenario", { type: "string", demandOption: true, describe: "built-in tenant scenario or a YAML/JSON file" })
    .option("policy", { type: "string", describe: 'policy (default: the learner; e.g. "threshold+compressed+least-loaded", "oracle")' })
    .option("model", { type: "string", describe: "the learner's ONNX model (default: the shipped one made for the scenario's fleet)" })
    .option("intervals", { type: "number", describe: "intervals to run (default: the scenario's)" })
    .option("seed", { type: "number", default: 1, describe: "seed of the workload and the policy" })
    .option("max-vms", { type: "number", describe: "never allocate more hosts than this" })
    .option("max-usd-per-hour", { type: "number", describe: "never allocate hosts costing more than this per hour" })
    .option("calibration", { type: "boolean", default: true, describe: "use the scenario's saved calibration on this target (--no-calibration: the scenario as written)" })
    .option("stop-at-end", { type: "boolean", default: false, describe: "Azure: deallocate the VMs when the run ends (default: leave them; teardown removes them)" })
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg: string, err: Error) => {
      throw err ?? new DeployUsageError(msg);
    });
  const a = await parser.parseAsync();
  if (a.help) return 0;
  const config = a.config ? loadDeployConfig(a.config) : {};
  const args: SessionArgs = {
    target: a.target as TargetKind,
    scenario: a.scenario,
    policy: a.policy,
    model: a.model === undefined ? undefined : String(a.model),
    seed: intFlag(a.seed, "--seed", 0)!,
    intervals: intFlag(a.intervals, "--intervals", 1),
    deployment: a.deployment,
    stateDir: stateDirOf(a, config),
    config,
    limits: limitsOf(a, config),
    calibration: a.calibration,
    json: a.json,
  };
  const s = await runSession(args, azureFlags(a), io, deps, { stopAtEnd: a["stop-at-end"] });
  if (args.json) io.out(JSON.stringify(summaryJson(args, s.prepared, s.deployment, s.result, args.target === "dry-run" ? s.plan : undefined)) + "\n");
  else io.out(formatSummary(args, s.prepared, s.deployment, s.result));
  return 0;
}

export interface Session {
  prepared: Prepared;
  deployment: string;
  result: LoopResult;
  plan: string[];
}

/** One run of the loop: prepare, open the target, loop, close. */
export async function runSession(args: SessionArgs, azure: AzureFlags, io: DeployIo, deps: DeployDeps, o: { stopAtEnd: boolean }): Promise<Session> {
  const say = (line: string) => io.err(line + "\n");
  const p = await prepare(args, say);
  const deployment = deploymentName(args, p.original.name);
  const intervals = args.intervals ?? p.original.intervals;
  const initialOn = p.slots.filter((_, h) => p.ready.model.initiallyOn[h]).map((s) => s.host);
  checkInitial(initialOn, (h) => p.slots[h].pricePerHour, args.limits);
  const plan: string[] = [];
  const print = (line: string) => {
    if (args.json) plan.push(line);
    else io.out(line + "\n");
  };
  const axis = new TimeAxis(args.target === "dry-run" ? new JumpClock() : realClock);
  const target = await makeTarget(args.target, { model: p.ready.model, slots: p.slots }, axis, { deployment, stateDir: args.stateDir, config: args.config, azure, limits: args.limits, seed: args.seed }, deps, print);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) {
      io.err("cotwin deploy: stopping now (the journal records what was in progress)\n");
      process.exit(130);
    }
    io.err("cotwin deploy: stopping after this step (Ctrl-C again to stop at once)\n");
    stop.abort();
  };
  process.on("SIGINT", onSigint);
  deps.signal?.addEventListener("abort", () => stop.abort());
  const bar = createProgress({ total: intervals, label: `deploy ${p.original.name}`, enabled: io.interactive && !args.json });
  const onEvent = (e: TargetEvent) => {
    if (e.kind !== "info" || !args.json) say(`  ${e.kind}: ${e.message}`);
  };
  let result: LoopResult;
  try {
    say(`deploy: ${args.target}, ${initialOn.length} host(s) to start; ${args.target === "azure" ? "creating VMs takes minutes" : "starting"}...`);
    await target.open(initialOn);
    result = await runLoop({
      ready: p.ready,
      policy: p.policy,
      target,
      intervals,
      axis,
      limits: args.limits,
      signal: stop.signal,
      onInterval: (done) => bar.update(done),
      onEvent,
    });
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
    await target.close({ stopHosts: o.stopAtEnd || args.target !== "azure" });
  }
  return { prepared: p, deployment, result, plan };
}

/** A stand-in model for status and teardown (they need no scenario). */
const ADMIN_SCENARIO: TenantScenario = validateTenantScenario({ name: "admin", intervalS: 1, intervals: 1, hosts: [{ size: "Standard_B1s", count: 1, initial: "off" }], workload: { kind: "poisson", ratePerInterval: 0 } }, "teardown");

async function runAzureAdmin(sub: "status" | "teardown", argv: string[], io: DeployIo, deps: DeployDeps): Promise<number> {
  const parser = commonOptions(
    yargs(argv)
      .middleware(deployFlagChecks(argv), true)
      .scriptName(`cotwin deploy ${sub}`)
      .usage(sub === "status" ? "cotwin deploy status --target azure --deployment <name> [options]\n\nLists what is tagged for the deployment, with what it costs per hour." : "cotwin deploy teardown --target azure --deployment <name> [options]\n\nDeletes every resource tagged for the deployment (VMs, NICs, IPs, disks, its network security group and virtual network); untagged resources are never touched."),
  )
    .option("scenario", { type: "string", describe: "the scenario deployed (names the hosts; default: none needed)" })
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg: string, err: Error) => {
      throw err ?? new DeployUsageError(msg);
    });
  const a = await parser.parseAsync();
  if (a.help) return 0;
  const config = a.config ? loadDeployConfig(a.config) : {};
  const target = a.target as TargetKind;
  if (target !== "azure") {
    io.out(target === "local" ? "local testbed: its workers are processes of the `cotwin deploy` that started them and end with it; nothing stays allocated\n" : "dry run: nothing is ever allocated\n");
    return 0;
  }
  const deployment = a.deployment ?? config.deployment;
  if (!deployment) throw new DeployUsageError("--deployment is required (the name `cotwin deploy` printed)");
  const stateDir = stateDirOf(a, config);
  // Status and teardown work from the tags, not from a scenario's hosts.
  const model = a.scenario ? buildTwinModel(loadTenantScenario(a.scenario).scenario, a.scenario) : buildTwinModel(ADMIN_SCENARIO, "teardown");
  const slots: HostSlot[] = a.scenario ? hostSlots(model) : [];
  const axis = new TimeAxis(realClock);
  const t = (await makeTarget("azure", { model, slots }, axis, { deployment, stateDir, config, azure: azureFlags(a), limits: {}, seed: 1 }, deps, () => {})) as import("../../deploy/azure/target.ts").AzureTarget;
  try {
    if (sub === "status") {
      const rows = await t.status();
      const usd = rows.reduce((s, r) => s + r.pricePerHour, 0);
      if (a.json) io.out(JSON.stringify({ deployment, resources: rows, costPerHour: usd }) + "\n");
      else {
        if (rows.length === 0) io.out(`deployment ${deployment}: nothing tagged in the resource group\n`);
        for (const r of rows) io.out(`  ${r.kind.padEnd(5)} ${r.name.padEnd(32)} ${(r.size ?? "").padEnd(16)} ${(r.state ?? "").padEnd(24)} ${r.pricePerHour > 0 ? `${r.pricePerHour} USD/h` : ""}\n`);
        io.out(`deployment ${deployment}: ${rows.filter((r) => r.kind === "vm").length} VM(s), ${usd.toFixed(4)} USD/h allocated\n`);
      }
    } else {
      const rep = await t.teardown();
      if (a.json) io.out(JSON.stringify({ deployment, ...rep }) + "\n");
      else {
        io.out(`deployment ${deployment}: deleted ${rep.deleted.length} resource(s)${rep.deleted.length ? `: ${rep.deleted.join(", ")}` : ""}\n`);
        for (const l of rep.left) io.out(`  left: ${l.name}: ${l.reason}\n`);
      }
      if (rep.left.length > 0) return 1;
    }
  } finally {
    await t.close({ stopHosts: false });
  }
  return 0;
}
