/**
 * The labelled data set the learner imitates: the twin runs with the oracle deciding, and every
 * decision point is recorded with what the oracle saw, what it chose and how the choice scored.
 *
 * Directory layout (format "cotwin-oracle-dataset/2"; /1 had no alternatives and is refused):
 *
 *   manifest.json   provenance and the static part of the observations (see DatasetManifest)
 *   data.jsonl      one JSON object per decision point, in order (see DatasetLine):
 *     step         decision point index from 0 (one per interval unless the scenario decides on arrival)
 *     interval     interval index; time: simulated time, s
 *     observation  the dynamic part of the Observation, typed arrays as plain arrays:
 *                  hosts {state, ramFreeMB, running, placed, utilisation, credits (null = no
 *                  credit bucket), throttled}, pending [{id, app, arrival, deadline, size}],
 *                  runningRequests, recentArrivals, forecast (null = none). decodeObservation()
 *                  joins it with manifest.static into a full Observation.
 *     decision     the Decision applied ({provision?, deploy?}); the twin accepted all of it
 *     score        {best, runnerUp, evaluations}: look-ahead scores (lower is better) of the
 *                  chosen and the best other distinct candidate (null if none), and candidates scored
 *     alternatives [{decision, score}]: the decision taken first (with its look-ahead score), then
 *                  the best other distinct candidates the search scored, best first (at most 5;
 *                  empty when there was nothing to decide), for soft targets that ignore near-ties
 *     course       the oracle's standing course after the decision: per application the variant
 *                  its look-ahead keeps (null: the continuation's own), restored on resume
 *
 * Checkpoints: each line is appended and fsync'ed as soon as it is decided, then the manifest is
 * rewritten atomically. A restart with `resume` checks that the scenario (name and hash of the
 * resolved config), seed, version and oracle settings match the manifest - refusing, with what
 * differs, otherwise - drops a partly written last line, replays the recorded decisions into a
 * fresh twin to rebuild its state, and continues. With an evaluation budget only (no budgetMs)
 * decisions are reproducible, and a resumed data set is byte-identical to an uninterrupted one.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { TenantScenario } from "../simulator/scenario.ts";
import type { Decision, HostsObservation, Observation, PendingRequest } from "../simulator/types.ts";
import type { AppSpec, VariantKind } from "../simulator/catalogue/applications.ts";
import { InputError } from "../simulator/errors.ts";
import { removeLeftoverTemporaries, writeJsonAtomic } from "../workloads/output/atomic.ts";
import { makeDirectories } from "../workloads/output/out-path.ts";
import { createProgress } from "../workloads/output/progress.ts";
import { percentile } from "../simulator/summary.ts";
import { VERSION } from "../simulator/version.ts";
import { buildReadyTwin, prepareInputs } from "../workloads/ready-twin.ts";
import { createOracle } from "./policy.ts";
import { TwinStepper } from "./replay.ts";
import type { OracleSettings } from "./settings.ts";
import type { ScoredDecision } from "./labels.ts";

export const DATASET_FORMAT = "cotwin-oracle-dataset/2";
export const DATA_FILE = "data.jsonl";
export const MANIFEST_FILE = "manifest.json";

const FORMAT_DESCRIPTION =
  "data.jsonl: one JSON object per decision point {step, interval, time, observation, decision, score}; " +
  "observation holds the dynamic fields of cotwin's Observation (typed arrays as arrays, NaN credits as null), " +
  "manifest.static the fixed ones (decodeObservation in oracle/dataset.ts joins them); decision is the Decision applied; " +
  "score {best, runnerUp, evaluations} are look-ahead objective values, lower is better; " +
  "alternatives [{decision, score}] lists the decision taken first, then the best other distinct candidates scored, best first; " +
  "course is the oracle's standing course after the decision (per application a variant kept, or null), read back on --resume.";

export class DatasetError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

export interface EncodedObservation {
  hosts: {
    state: number[];
    ramFreeMB: number[];
    running: number[];
    placed: number[];
    utilisation: number[];
    credits: Array<number | null>;
    throttled: number[];
  };
  pending: PendingRequest[];
  runningRequests: number;
  recentArrivals: number[];
  forecast: number[] | null;
}

export interface DatasetLine {
  step: number;
  interval: number;
  time: number;
  observation: EncodedObservation;
  decision: Decision;
  score: { best: number | null; runnerUp: number | null; evaluations: number };
  /** the decision taken first, then the best other distinct candidates scored (lower is better; null: not scored) */
  alternatives: Array<{ decision: Decision; score: number | null }>;
  /** the oracle's standing course after this decision (per application a variant, or null), so a resume goes on from it */
  course?: Array<VariantKind | null> | null;
}

/** The parts of an Observation that never change during a run. */
export interface StaticObservation {
  intervalS: number;
  hosts: { count: number; size: number[]; vcpus: number[]; mipsPerVcpu: number[]; ramMB: number[]; pricePerHour: number[]; idleW: number[]; maxW: number[]; bootS: number[]; baseUtilisation: number[] };
  apps: readonly AppSpec[];
  sizes: readonly string[];
  variants: readonly VariantKind[];
  network: { latencyS: number; bandwidthMBps: number };
}

/** What must match for a resumed data set to continue the same run. */
export interface DatasetProvenance {
  scenario: { name: string; configSha256: string };
  seed: number;
  version: string;
  oracle: OracleSettings;
}

export interface DatasetManifest extends DatasetProvenance {
  format: string;
  formatDescription: string;
  /** where the scenario came from (a built-in name or a file), informative */
  scenarioSource: string;
  /** the resolved scenario */
  config: TenantScenario;
  /** false when the oracle had a wall-clock budget (decisions then depend on machine speed) */
  reproducible: boolean;
  intervalsTarget: number;
  intervalsDone: number;
  decisions: number;
  /** this session's wall time and decision times (not part of the data) */
  timing: { wallMs: number; decisionMsP50: number; decisionMsP99: number };
  static: StaticObservation;
}

export interface DatasetOptions {
  scenario: TenantScenario;
  /** built-in name or file, for provenance and error messages */
  source: string;
  seed: number;
  intervals: number;
  out: string;
  oracle: OracleSettings;
  resume: boolean;
  /** progress on stderr when it is a terminal (default true) */
  progress?: boolean;
  /** stop after this many new decision points (tests: simulate an interruption) */
  stopAfter?: number;
  /** start over: an existing data set in `out` is replaced (without `resume`) */
  force?: boolean;
}

export interface DatasetResult {
  out: string;
  decisions: number;
  intervalsDone: number;
  resumedFrom: number;
  wallMs: number;
  decisionMs: number[];
}

/** SHA-256 of the scenario as canonical JSON (object keys sorted). */
export function configHash(s: TenantScenario): string {
  return createHash("sha256").update(canonicalJson(s)).digest("hex");
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function encodeObservation(obs: Observation): EncodedObservation {
  const h = obs.hosts;
  return {
    hosts: {
      state: Array.from(h.state),
      ramFreeMB: Array.from(h.ramFreeMB),
      running: Array.from(h.running),
      placed: Array.from(h.placed),
      utilisation: Array.from(h.utilisation),
      credits: Array.from(h.credits, (c) => (Number.isNaN(c) ? null : c)),
      throttled: Array.from(h.throttled),
    },
    pending: obs.pending.map((p) => ({ id: p.id, app: p.app, arrival: p.arrival, deadline: p.deadline, size: p.size })),
    runningRequests: obs.runningRequests,
    recentArrivals: Array.from(obs.recentArrivals),
    forecast: obs.forecast ? Array.from(obs.forecast) : null,
  };
}

export function staticObservation(obs: Observation): StaticObservation {
  const h = obs.hosts;
  return {
    intervalS: obs.intervalS,
    hosts: {
      count: h.count,
      size: Array.from(h.size),
      vcpus: Array.from(h.vcpus),
      mipsPerVcpu: Array.from(h.mipsPerVcpu),
      ramMB: Array.from(h.ramMB),
      pricePerHour: Array.from(h.pricePerHour),
      idleW: Array.from(h.idleW),
      maxW: Array.from(h.maxW),
      bootS: Array.from(h.bootS),
      baseUtilisation: Array.from(h.baseUtilisation),
    },
    apps: obs.apps,
    sizes: obs.sizes,
    variants: obs.variants,
    network: obs.network,
  };
}

/** Rebuilds a full Observation from a data set line and the manifest's static part. */
export function decodeObservation(line: Pick<DatasetLine, "time" | "interval" | "observation">, st: StaticObservation): Observation {
  const o = line.observation;
  const hosts: HostsObservation = {
    count: st.hosts.count,
    state: Int8Array.from(o.hosts.state),
    size: Int32Array.from(st.hosts.size),
    vcpus: Int32Array.from(st.hosts.vcpus),
    mipsPerVcpu: Float64Array.from(st.hosts.mipsPerVcpu),
    ramMB: Float64Array.from(st.hosts.ramMB),
    ramFreeMB: Float64Array.from(o.hosts.ramFreeMB),
    running: Int32Array.from(o.hosts.running),
    placed: Int32Array.from(o.hosts.placed),
    utilisation: Float64Array.from(o.hosts.utilisation),
    credits: Float64Array.from(o.hosts.credits, (c) => (c === null ? NaN : c)),
    throttled: Uint8Array.from(o.hosts.throttled),
    pricePerHour: Float64Array.from(st.hosts.pricePerHour),
    idleW: Float64Array.from(st.hosts.idleW),
    maxW: Float64Array.from(st.hosts.maxW),
    bootS: Float64Array.from(st.hosts.bootS),
    baseUtilisation: Float64Array.from(st.hosts.baseUtilisation),
  };
  return {
    time: line.time,
    interval: line.interval,
    intervalS: st.intervalS,
    hosts,
    pending: o.pending.map((p) => ({ ...p })),
    runningRequests: o.runningRequests,
    apps: st.apps,
    sizes: st.sizes,
    variants: st.variants,
    recentArrivals: Float64Array.from(o.recentArrivals),
    forecast: o.forecast ? Float64Array.from(o.forecast) : null,
    network: { ...st.network },
  };
}

/** What an interrupted append leaves after the last newline: the start of a line as buildDataset writes it. */
function isTornLine(tail: Buffer): boolean {
  // JSON.stringify escapes every control character, so a NUL or other control byte is not ours
  for (const b of tail) if (b < 0x20) return false;
  const t = tail.toString("latin1");
  const head = '{"step":';
  return t.startsWith(head) || head.startsWith(t);
}

/**
 * The complete lines of a data.jsonl (up to its last newline), parsed; `end` is the byte offset
 * after them. A line that is not JSON is `fail`ed, naming the file and the line.
 */
export function parseCompleteLines(bytes: Buffer, file: string, fail: (message: string) => Error): { lines: DatasetLine[]; end: number } {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes
    .subarray(0, end)
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as DatasetLine;
      } catch (e) {
        throw fail(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
      }
    });
  return { lines, end };
}

/**
 * Reads data.jsonl. Every complete line is parsed before the file is touched; then a last line
 * without its newline (an interrupted write) is cut off at its byte offset. Anything else after
 * the last newline (binary data, another file's bytes) is refused with the file left as it was.
 */
export function readDatasetLines(dir: string): DatasetLine[] {
  const file = path.join(dir, DATA_FILE);
  if (!fs.existsSync(file)) return [];
  const bytes = fs.readFileSync(file);
  const { lines, end } = parseCompleteLines(bytes, file, (m) => new DatasetError(`${m}; nothing was changed`));
  const tail = bytes.subarray(end);
  if (tail.length > 0) {
    if (!isTornLine(tail)) {
      throw new DatasetError(
        `${file}: ${tail.length} byte(s) after the last complete line (from byte ${end}) are not the start of a data set line; nothing was changed ` +
          `(to keep the ${lines.length} complete line(s), cut the file to ${end} bytes: truncate -s ${end} ${file})`,
      );
    }
    fs.truncateSync(file, end);
  }
  return lines;
}

/** The differences between a recorded and an asked provenance, one phrase each (empty: same run). */
export function provenanceDifferences(recorded: DatasetProvenance, asked: DatasetProvenance): string[] {
  const out: string[] = [];
  const rs = recorded.scenario;
  const as = asked.scenario;
  if (rs.name !== as.name || rs.configSha256 !== as.configSha256) {
    out.push(`scenario: recorded "${rs.name}" (config sha256 ${rs.configSha256.slice(0, 12)}), asked "${as.name}" (config sha256 ${as.configSha256.slice(0, 12)})`);
  }
  if (recorded.seed !== asked.seed) out.push(`seed: recorded ${recorded.seed}, asked ${asked.seed}`);
  if (recorded.version !== asked.version) out.push(`version: recorded ${recorded.version}, asked ${asked.version}`);
  const keys = [...new Set([...Object.keys(recorded.oracle), ...Object.keys(asked.oracle)])].sort() as Array<keyof OracleSettings>;
  for (const k of keys) {
    const a = JSON.stringify(recorded.oracle[k] ?? null);
    const b = JSON.stringify(asked.oracle[k] ?? null);
    if (a !== b) out.push(`oracle ${k}: recorded ${a}, asked ${b}`);
  }
  return out;
}

/** Builds (or resumes) a data set. */
export async function buildDataset(o: DatasetOptions): Promise<DatasetResult> {
  const wall0 = performance.now();
  const provenance: DatasetProvenance = {
    scenario: { name: o.scenario.name, configSha256: configHash(o.scenario) },
    seed: o.seed,
    version: VERSION,
    oracle: o.oracle,
  };
  const manifestFile = path.join(o.out, MANIFEST_FILE);
  const dataFile = path.join(o.out, DATA_FILE);
  let recorded: DatasetLine[] = [];
  if (o.force && !o.resume) {
    for (const f of [manifestFile, dataFile]) fs.rmSync(f, { force: true });
  }
  // temporary manifests of sessions that were stopped while writing one
  removeLeftoverTemporaries(o.out);
  if (fs.existsSync(manifestFile)) {
    if (!o.resume) throw new DatasetError(`${o.out} already holds a data set; pass --resume to continue it, --force to start it over, or choose another --out`);
    let old: DatasetManifest;
    try {
      old = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as DatasetManifest;
    } catch (e) {
      throw new DatasetError(`${manifestFile}: unreadable manifest (${(e as Error).message})`);
    }
    if (old.format !== DATASET_FORMAT) {
      throw new DatasetError(`${manifestFile}: format "${old.format}", expected "${DATASET_FORMAT}"${old.format === "cotwin-oracle-dataset/1" ? " (a /1 data set records no alternatives: make it again in a new --out)" : ""}`);
    }
    const diffs = provenanceDifferences(old, provenance);
    if (diffs.length > 0) {
      throw new DatasetError(`${o.out} holds a data set of a different run (${diffs.join("; ")}); resume with the same settings, or choose another --out`);
    }
    if (o.intervals < old.intervalsDone) {
      throw new DatasetError(
        `--intervals ${o.intervals}: ${o.out} already holds ${old.intervalsDone} intervals; resuming continues a data set to --intervals in total, so give more than ${old.intervalsDone} to extend it (or choose another --out)`,
      );
    }
    recorded = readDatasetLines(o.out);
  } else if (fs.existsSync(dataFile)) {
    // an empty data.jsonl is what an interrupt before the first manifest left: nothing to lose
    if (fs.statSync(dataFile).size > 0) {
      throw new DatasetError(`${dataFile} exists without ${MANIFEST_FILE}: its provenance is unknown; move it away, pass --force to start over, or choose another --out`);
    }
    fs.rmSync(dataFile);
  }
  makeDirectories(o.out);

  // The run exactly as the runner builds it (trace, forecaster, twin), with the oracle deciding.
  const run = buildReadyTwin(await prepareInputs({ scenario: o.scenario, source: o.source, seed: o.seed, record: false }));
  const oracle = createOracle(
    { model: run.model, seed: o.seed, streams: run.streams, options: { scenario: o.scenario, source: o.source } },
    () => run.twin,
    o.oracle,
  );
  const stepper = new TwinStepper(run.twin);
  let intervalsDone = 0;
  let staticPart: StaticObservation | null = null;
  try {
    // Replay what was recorded, checking the twin arrives where it was.
    recorded.forEach((line, i) => {
      const obs = stepper.observe();
      staticPart ??= staticObservation(obs);
      if (line.step !== i || line.time !== obs.time || line.interval !== obs.interval) {
        throw new DatasetError(`${dataFile}:${i + 1}: recorded step ${line.step} at t=${line.time} s (interval ${line.interval}), but the replayed twin is at step ${i}, t=${obs.time} s (interval ${obs.interval})`);
      }
      const { rejections, intervalClosed } = stepper.apply(line.decision);
      if (rejections.length > 0) throw new DatasetError(`${dataFile}:${i + 1}: the twin rejected the recorded decision on replay (${rejections[0].reason})`);
      oracle.noteApplied(line.decision, obs, line.course ?? null);
      if (intervalClosed) intervalsDone++;
    });

    const decisionMs: number[] = [];
    let step = recorded.length;
    const manifest = (): DatasetManifest => ({
      format: DATASET_FORMAT,
      formatDescription: FORMAT_DESCRIPTION,
      ...provenance,
      scenarioSource: o.source,
      config: o.scenario,
      reproducible: o.oracle.budgetMs === null,
      intervalsTarget: o.intervals,
      intervalsDone,
      decisions: step,
      timing: { wallMs: performance.now() - wall0, decisionMsP50: percentile(decisionMs, 50), decisionMsP99: percentile(decisionMs, 99) },
      static: staticPart ?? staticObservation(run.twin.observe()),
    });
    let fresh = 0;
    // The manifest exists before the first line: a session stopped during its first decision
    // leaves a data set that --resume continues, not an orphan data.jsonl.
    if (recorded.length === 0) await writeJsonAtomic(manifestFile, manifest());
    const bar = createProgress({ total: o.intervals, label: `oracle ${o.scenario.name}`, enabled: o.progress ?? true });
    bar.update(intervalsDone);
    const fd = fs.openSync(dataFile, "a");
    try {
      while (intervalsDone < o.intervals && (o.stopAfter === undefined || fresh < o.stopAfter)) {
        const obs = stepper.observe();
        staticPart ??= staticObservation(obs);
        const t0 = performance.now();
        const decision = oracle.decide(obs);
        decisionMs.push(performance.now() - t0);
        const last = oracle.last!;
        const line: DatasetLine = {
          step,
          interval: obs.interval,
          time: obs.time,
          observation: encodeObservation(obs),
          decision,
          score: { best: Number.isNaN(last.bestScore) ? null : last.bestScore, runnerUp: last.runnerUpScore, evaluations: last.evaluations },
          alternatives: oracle.lastAlternatives.map((a: ScoredDecision) => ({ decision: a.decision, score: Number.isFinite(a.score) ? a.score : null })),
          course: oracle.course,
        };
        const { rejections, intervalClosed } = stepper.apply(decision);
        if (rejections.length > 0) throw new Error(`the twin rejected an oracle decision at step ${step}: ${rejections.map((r) => r.reason).join("; ")}`);
        fs.writeSync(fd, JSON.stringify(line) + "\n");
        fs.fsyncSync(fd);
        step++;
        fresh++;
        if (intervalClosed) intervalsDone++;
        await writeJsonAtomic(manifestFile, manifest());
        bar.update(intervalsDone);
      }
      if (fresh === 0) await writeJsonAtomic(manifestFile, manifest());
    } finally {
      bar.stop();
      fs.closeSync(fd);
    }
    return { out: o.out, decisions: step, intervalsDone, resumedFrom: recorded.length, wallMs: performance.now() - wall0, decisionMs };
  } finally {
    oracle.close();
  }
}
