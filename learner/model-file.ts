/**
 * The learner's model file: an ONNX model (the network with its weights) whose metadata property
 * "cotwin.learner" holds what the policy needs to use it - the format, the feature layout, the
 * maximum sizes, the applications its one-hot refers to, the architecture - and how it was made
 * (scenario, expert, seed, version). Loading checks all of it and names the file in every error.
 */
import * as fs from "node:fs";
import path from "node:path";
import { packagePath } from "../simulator/package-root.ts";
import type { TwinModel } from "../simulator/model.ts";
import { readOnnxInitializers, readOnnxMetadata } from "./onnx/model-proto.ts";
import { checkWeights, paramSpecs, type Weights } from "./model/architecture.ts";
import { VERSION } from "../simulator/version.ts";
import { OnnxSession } from "./onnx/runtime.ts";
import { ENCODER_INPUT_NAMES, FEATURE_LAYOUT, FEATURE_LAYOUTS, INPUT_NAMES, inputDims, layoutIsChunked, type ModelSizes } from "./encoding/layout.ts";
import { ChunkHead } from "./decode/step.ts";
import type { Architecture } from "./model/architecture.ts";

export const MODEL_FORMAT = "cotwin-learner-model/1";
export const METADATA_KEY = "cotwin.learner";

/** The model shipped with the package, trained by `cotwin learn` on the scinet-testbed fleet. */
export const DEFAULT_MODEL_FILE = packagePath("learner", "models", "scinet-default.onnx");

/** Every model shipped with the package, each made by `cotwin learn` for one fleet and catalogue. */
export const SHIPPED_MODEL_FILES: readonly string[] = [DEFAULT_MODEL_FILE, packagePath("learner", "models", "bitbrains-50-default.onnx")];

export interface LearnerModelInfo {
  format: string;
  featureLayout: string;
  sizes: ModelSizes;
  /** application names, in one-hot order */
  apps: string[];
  architecture: Architecture;
  parameters: number;
  /** provenance */
  training: Record<string, unknown>;
}

export class LearnerModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LearnerModelError";
  }
}

export interface LoadedModel {
  file: string;
  info: LearnerModelInfo;
  session: OnnxSession;
  /** the step of a chunk-decoded model (layout 5), on the weights read from the file; null otherwise */
  head: ChunkHead | null;
}

/** Reads and checks a model file's metadata (no ONNX Runtime session). */
export function readLearnerModelInfo(file: string): LearnerModelInfo {
  return readChecked(file).info;
}

function readChecked(file: string): { bytes: Uint8Array; info: LearnerModelInfo } {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LearnerModelError(`learner model ${file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  let meta: Record<string, string>;
  try {
    meta = readOnnxMetadata(bytes);
  } catch (e) {
    throw new LearnerModelError(`learner model ${file}: not an ONNX model (${firstLine(e)})`);
  }
  const raw = meta[METADATA_KEY];
  if (raw === undefined) throw new LearnerModelError(`learner model ${file}: an ONNX model without cotwin's "${METADATA_KEY}" metadata (not made by cotwin learn)`);
  let info: LearnerModelInfo;
  try {
    info = JSON.parse(raw) as LearnerModelInfo;
  } catch (e) {
    throw new LearnerModelError(`learner model ${file}: unreadable "${METADATA_KEY}" metadata (${firstLine(e)})`);
  }
  if (info.format !== MODEL_FORMAT) throw new LearnerModelError(`learner model ${file}: format "${String(info.format)}", this version reads "${MODEL_FORMAT}"`);
  if (!(FEATURE_LAYOUTS as readonly string[]).includes(info.featureLayout)) throw new LearnerModelError(`learner model ${file}: feature layout "${String(info.featureLayout)}", this version encodes "${FEATURE_LAYOUT}"; retrain it with cotwin learn`);
  const s = info.sizes;
  if (!s || ![s.hosts, s.requests, s.apps, s.fragments].every((n) => Number.isInteger(n) && n > 0) || !Array.isArray(info.apps)) {
    throw new LearnerModelError(`learner model ${file}: metadata without valid sizes and applications`);
  }
  const chunkArch = info.architecture?.kind === "attention" && info.architecture.decode === "chunk";
  if (chunkArch !== layoutIsChunked(info.featureLayout)) {
    throw new LearnerModelError(`learner model ${file}: feature layout "${info.featureLayout}" with ${chunkArch ? "a chunk-decoded" : "a pass-decoded"} architecture (layout 5 and decode "chunk" go together)`);
  }
  return { bytes, info };
}

/** Reads and checks a model file and opens an ONNX Runtime session on it. */
export function loadLearnerModel(file: string): LoadedModel {
  const { bytes, info } = readChecked(file);
  const s = info.sizes;
  let session: OnnxSession;
  try {
    session = new OnnxSession(bytes);
  } catch (e) {
    throw new LearnerModelError(`learner model ${file}: ONNX Runtime cannot load it (${firstLine(e)})`);
  }
  // the graph must take the inputs its metadata promises (a file edited or put together by hand):
  // its weights have the sizes the metadata's architecture gives them, and each input its length
  // (the attention graph's token inputs have a symbolic length, -1 here, onnx-export.ts)
  const stored = storedWeights(bytes, info);
  const why = stored.why;
  if (why) {
    session.dispose();
    throw new LearnerModelError(`learner model ${file}: its weights do not match its metadata's architecture and sizes (${why})`);
  }
  const want = inputDims(s);
  const tokens = tokenInputs(session);
  const chunked = layoutIsChunked(info.featureLayout);
  for (const name of chunked ? ENCODER_INPUT_NAMES : INPUT_NAMES) {
    const shape = session.inputShapes[name];
    if (!shape || shape.length !== 2 || (shape[1] !== want[name] && !(tokens && TOKEN_INPUTS.includes(name) && shape[1] === -1))) {
      session.dispose();
      throw new LearnerModelError(`learner model ${file}: input "${name}" is ${shape ? `[${shape.join(", ")}]` : "missing"}, its metadata's sizes need [batch, ${want[name]}]`);
    }
  }
  const arch = info.architecture;
  const head = chunked && arch.kind === "attention" ? new ChunkHead(stored.weights, arch.dModel) : null;
  if (chunked && !["placeQuery", "placeKey"].every((n) => session.outputNames.includes(n))) {
    session.dispose();
    throw new LearnerModelError(`learner model ${file}: a chunk-decoded model whose graph lacks the outputs placeQuery and placeKey`);
  }
  return { file, info, session, head };
}

/** The inputs whose length follows the number of host or request tokens. */
export const TOKEN_INPUTS: readonly string[] = ["hosts", "hostMask", "requests", "requestMask", "slot"];

/** Whether a session's graph takes any number of host and request tokens (attention models exported by this version). */
export function tokenInputs(session: OnnxSession): boolean {
  const present = TOKEN_INPUTS.filter((n) => session.inputShapes[n] !== undefined);
  return present.includes("hosts") && present.every((n) => session.inputShapes[n][1] === -1);
}

/** Why a model cannot serve a scenario's twin (null: it can). */
export function modelMismatch(info: LearnerModelInfo, model: TwinModel): string | null {
  const s = info.sizes;
  const why: string[] = [];
  if (model.hostCount > s.hosts) why.push(`${model.hostCount} hosts (the model takes at most ${s.hosts})`);
  if (model.apps.length > s.apps) why.push(`${model.apps.length} applications (the model takes at most ${s.apps})`);
  if (model.maxFragments > s.fragments) why.push(`variants of ${model.maxFragments} fragments (the model takes at most ${s.fragments})`);
  const names = model.apps.map((a) => a.name);
  const differ = names.findIndex((n, i) => i < info.apps.length && info.apps[i] !== n);
  if (differ >= 0) why.push(`application ${differ} "${names[differ]}" where the model was trained on "${info.apps[differ]}"`);
  else if (names.length > info.apps.length && names.length <= s.apps) why.push(`application ${info.apps.length} "${names[info.apps.length]}" the model never saw`);
  return why.length > 0 ? why.join(", ") : null;
}

/**
 * The shipped model that serves a twin's fleet and catalogue (the first of SHIPPED_MODEL_FILES
 * that fits it), or null when none does; a shipped file that is missing or unreadable is skipped.
 */
export function shippedModelFor(model: TwinModel): string | null {
  for (const file of SHIPPED_MODEL_FILES) {
    const info = shippedInfo(file);
    if (info && modelMismatch(info, model) === null) return file;
  }
  return null;
}

const shippedInfos = new Map<string, { version: string; info: LearnerModelInfo | null }>();

/** A shipped file's metadata (null: missing or unreadable), read again only when the file changes. */
function shippedInfo(file: string): LearnerModelInfo | null {
  let version = "missing";
  try {
    const st = fs.statSync(file);
    version = `${st.mtimeMs}:${st.size}`;
  } catch {
    // missing: no model
  }
  const hit = shippedInfos.get(file);
  if (hit && hit.version === version) return hit.info;
  let info: LearnerModelInfo | null = null;
  try {
    info = readLearnerModelInfo(file);
  } catch {
    info = null;
  }
  shippedInfos.set(file, { version, info });
  return info;
}

/** Why no shipped model serves a scenario, and what to do about it. */
export function noShippedModelMessage(scenario: string): string {
  const names = SHIPPED_MODEL_FILES.map((f) => {
    const trained = shippedInfo(f)?.training?.scenarios as string[] | undefined;
    return `${path.basename(f)}${trained && trained.length > 0 ? ` (trained on ${trained.join(", ")})` : ""}`;
  }).join("; ");
  return `learner: no shipped model serves scenario ${scenario} (shipped: ${names}); train one for it with \`cotwin learn --scenario <name|file> --out <dir>\` and pass --model <dir>/model.onnx`;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}

/**
 * A model file's weights and metadata in the graph this version exports (onnx-export.ts): for an
 * attention model made before its graph took any number of tokens, the same network that serves
 * with less work. The metadata is kept, with the re-export recorded in its provenance.
 */
/** The weights a model file's metadata asks for, read from its bytes (null where they cannot be). */
function storedWeights(bytes: Uint8Array, info: LearnerModelInfo): { weights: Weights; why: string | null } {
  let specs;
  try {
    specs = paramSpecs(info.architecture, info.sizes);
  } catch (e) {
    return { weights: new Map(), why: `architecture: ${firstLine(e)}` };
  }
  const stored = readOnnxInitializers(bytes);
  const weights: Weights = new Map(specs.filter((x) => stored.has(x.name)).map((x) => [x.name, stored.get(x.name)!]));
  return { weights, why: checkWeights(specs, weights) };
}

export async function reexportModel(file: string): Promise<{ bytes: Uint8Array; info: LearnerModelInfo }> {
  // the exporter shares constants with the TensorFlow.js forward pass: loaded only here
  const { exportOnnx } = await import("./model/onnx-export.ts");
  const { bytes, info } = readChecked(file);
  const { weights, why } = storedWeights(bytes, info);
  if (why) throw new LearnerModelError(`learner model ${file}: its weights do not match its metadata's architecture and sizes (${why})`);
  const meta = readOnnxMetadata(bytes);
  const previous = (info.training.reexports as unknown[] | undefined) ?? [];
  const out: LearnerModelInfo = { ...info, training: { ...info.training, reexports: [...previous, { version: VERSION }] } };
  return { bytes: exportOnnx(info.architecture, info.sizes, weights, { ...meta, [METADATA_KEY]: JSON.stringify(out) }), info: out };
}
