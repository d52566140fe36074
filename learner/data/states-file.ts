/**
 * Labelled states on disk, and the oracle's data set read as labelled states.
 *
 * The learner keeps the states of each round (behaviour cloning, then each DAgger round) in its
 * output directory, so a resumed run does not label them again. Format "cotwin-learner-states/2"
 * (JSON lines): a header {format, statics} with the fixed parts of the observations (as in the
 * oracle's data set; one per scenario), then one line per state {episode, step, time, interval,
 * static (index into statics), observation, decision, alternatives: [{decision, score}], work: the
 * acting policy's account of the work per host, MI}, the
 * observation's dynamic part encoded as the oracle's data set encodes it (oracle/dataset.ts).
 *
 * readLabelledDataset reads the oracle's data set directory (format cotwin-oracle-dataset/2: one
 * on-policy episode, each decision point with its scored alternatives) as labelled states; it is
 * the one place to change when the oracle's data set format changes.
 */
import * as fs from "node:fs";
import path from "node:path";
import type { LabelledState } from "../../oracle/labels.ts";
import {
  DATA_FILE,
  DATASET_FORMAT,
  parseCompleteLines,
  decodeObservation,
  encodeObservation,
  MANIFEST_FILE,
  staticObservation,
  type DatasetManifest,
  type EncodedObservation,
  type StaticObservation,
} from "../../oracle/dataset.ts";
import type { Decision } from "../../simulator/types.ts";
import { WorkTracker } from "../../simulator/policies/work-tracker.ts";
import { writeFileAtomicSync } from "../../workloads/output/atomic.ts";

export const STATES_FORMAT = "cotwin-learner-states/2";

export class LearnerDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LearnerDataError";
  }
}

interface StateLine {
  episode: string;
  static: number;
  step: number;
  time: number;
  interval: number;
  observation: EncodedObservation;
  decision: Decision;
  alternatives: Array<{ decision: Decision; score: number }>;
  /** the acting policy's account of the work per host, MI (LabelledState.workMI) */
  work?: number[];
  /** the workload model's expected arrivals (LabelledState.prior) */
  prior?: number[];
}

/** Writes states atomically. */
export function writeStates(file: string, states: readonly LabelledState[]): void {
  const statics: string[] = [];
  const lines: string[] = [];
  for (const s of states) {
    const st = JSON.stringify(staticObservation(s.observation));
    let k = statics.indexOf(st);
    if (k < 0) k = statics.push(st) - 1;
    const line: StateLine = {
      episode: s.episode,
      static: k,
      step: s.step,
      time: s.observation.time,
      interval: s.observation.interval,
      observation: encodeObservation(s.observation),
      decision: s.decision,
      alternatives: s.alternatives,
      work: s.workMI,
      ...(s.prior ? { prior: s.prior } : {}),
    };
    lines.push(JSON.stringify(line));
  }
  const head = `{"format":${JSON.stringify(STATES_FORMAT)},"statics":[${statics.join(",")}]}`;
  writeFileAtomicSync(file, [head, ...lines].join("\n") + "\n");
}

export function readStates(file: string): LabelledState[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new LearnerDataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = text.split("\n").filter((l) => l.length > 0);
  const parse = (l: string, i: number) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new LearnerDataError(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
    }
  };
  const head = lines.length > 0 ? (parse(lines[0], 0) as { format?: string; statics?: StaticObservation[] }) : null;
  if (!head || head.format !== STATES_FORMAT) throw new LearnerDataError(`${file}:1: format "${String(head?.format)}", expected "${STATES_FORMAT}"`);
  const statics = head.statics ?? [];
  return lines.slice(1).map((l, i) => {
    const s = parse(l, i + 1) as StateLine;
    const st = statics[s.static];
    if (!st) throw new LearnerDataError(`${file}:${i + 2}: static observation ${s.static} is not in the header`);
    return { episode: s.episode, step: s.step, observation: decodeObservation(s, st), decision: s.decision, alternatives: s.alternatives ?? [], workMI: s.work, ...(s.prior ? { prior: s.prior } : {}) };
  });
}

/** What a data set directory holds, for provenance. */
export interface DatasetSource {
  dir: string;
  format: string;
  /** the recorded scenario and seed (null for a learner's states file, which may mix seeds) */
  scenario: string | null;
  seed: number | null;
  version: string | null;
  decisions: number;
}

/**
 * Reads labelled states for training: an oracle data set directory (episode "<scenario>:seed<seed>"),
 * or a file of labelled states a learner run kept (`<out>/data/round0.jsonl`, to train another
 * model on the same labels).
 */
export function readLabelledDataset(dir: string): { states: LabelledState[]; source: DatasetSource } {
  if (dir.endsWith(".jsonl") && fs.existsSync(dir) && fs.statSync(dir).isFile()) {
    const states = readStates(dir);
    if (states.length === 0) throw new LearnerDataError(`${dir}: holds no labelled states`);
    return { states, source: { dir, format: STATES_FORMAT, scenario: null, seed: null, version: null, decisions: states.length } };
  }
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(dir)) throw new LearnerDataError(`data set ${dir}: no such directory`);
  if (!fs.existsSync(file)) throw new LearnerDataError(`data set ${dir}: no ${MANIFEST_FILE} (make one with cotwin oracle --out ${dir})`);
  let m: DatasetManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as DatasetManifest;
  } catch (e) {
    throw new LearnerDataError(`${file}: unreadable manifest (${(e as Error).message})`);
  }
  if (m.format !== DATASET_FORMAT) throw new LearnerDataError(`${file}: data set format "${String(m.format)}", this learner reads "${DATASET_FORMAT}"`);
  if (!m.static || !m.scenario) throw new LearnerDataError(`${file}: manifest without the static observation or the scenario`);
  // complete lines only (a data set being written may end in a partial one); the file is not changed
  const dataFile = path.join(dir, DATA_FILE);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(dataFile);
  } catch (e) {
    throw new LearnerDataError(`${dataFile}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const { lines } = parseCompleteLines(bytes, dataFile, (m) => new LearnerDataError(m));
  if (lines.length === 0) throw new LearnerDataError(`data set ${dir}: ${DATA_FILE} holds no decisions`);
  const episode = `${m.scenario.name}:seed${m.seed}`;
  // one on-policy episode in step order: the oracle's account of the hosts' work is rebuilt by
  // following its decisions, as the learner keeps its own
  const work = new WorkTracker();
  const states = lines.map((line, i) => {
    if (!line.observation || !line.decision) throw new LearnerDataError(`${dataFile}:${i + 1}: a line without observation or decision`);
    if (!Array.isArray(line.alternatives)) throw new LearnerDataError(`${dataFile}:${i + 1}: a line without alternatives`);
    // an alternative the search did not score (null) cannot weigh a soft target: left out
    const alternatives = line.alternatives.filter((a): a is { decision: Decision; score: number } => a !== null && typeof a === "object" && typeof a.score === "number" && Number.isFinite(a.score) && a.decision !== undefined);
    const observation = decodeObservation(line, m.static);
    work.observe(observation);
    const workMI = Array.from(work.remainingMI);
    work.redo(observation, line.decision);
    return { episode, step: line.step, observation, decision: line.decision, alternatives, workMI };
  });
  return { states, source: { dir, format: m.format, scenario: m.scenario.name, seed: m.seed, version: m.version, decisions: states.length } };
}
