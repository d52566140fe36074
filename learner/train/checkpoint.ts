/**
 * Checkpoints of a training run: one file (written atomically, so an interruption leaves either
 * the previous checkpoint or the new one) holding a JSON header - the run's progress, its
 * training history and anything the caller adds - followed by the float32 weights, Adam moments
 * and best weights.
 *
 *   bytes 0..3   header length L (uint32, little endian)
 *   bytes 4..4+L header (UTF-8 JSON), padded with spaces to a multiple of 4
 *   then         float32 arrays in the order the header's `arrays` lists them
 */
import * as fs from "node:fs";
import { writeFileAtomicSync } from "../../workloads/output/atomic.ts";
import type { Weights } from "../model/architecture.ts";
import type { TrainerState } from "./trainer.ts";

export const CHECKPOINT_FORMAT = "cotwin-learner-checkpoint/1";

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const GROUPS = ["weights", "adamM", "adamV", "bestWeights"] as const;

export function writeCheckpoint(file: string, state: TrainerState, extra: Record<string, unknown>): void {
  const arrays: Array<{ group: string; name: string; length: number }> = [];
  const parts: Float32Array[] = [];
  for (const g of GROUPS) {
    for (const [name, data] of state[g]) {
      arrays.push({ group: g, name, length: data.length });
      parts.push(data);
    }
  }
  const { weights: _w, adamM: _m, adamV: _v, bestWeights: _b, ...rest } = state;
  const header = JSON.stringify({ format: CHECKPOINT_FORMAT, ...extra, trainer: { ...rest, bestLoss: Number.isFinite(rest.bestLoss) ? rest.bestLoss : null }, arrays });
  let text = Buffer.from(header, "utf8");
  const pad = (4 - (text.length % 4)) % 4;
  if (pad) text = Buffer.concat([text, Buffer.alloc(pad, 0x20)]);
  const floats = parts.reduce((a, p) => a + p.length, 0);
  const buf = Buffer.alloc(4 + text.length + floats * 4);
  buf.writeUInt32LE(text.length, 0);
  text.copy(buf, 4);
  let off = 4 + text.length;
  for (const p of parts) {
    Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(buf, off);
    off += p.byteLength;
  }
  writeFileAtomicSync(file, buf);
}

export interface Checkpoint {
  state: TrainerState;
  /** the caller's extra fields */
  extra: Record<string, unknown>;
}

export function readCheckpoint(file: string): Checkpoint {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`${file}: cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const bad = (why: string) => new CheckpointError(`${file}: not a readable learner checkpoint (${why})`);
  if (buf.length < 4) throw bad("too short");
  const len = buf.readUInt32LE(0);
  if (4 + len > buf.length) throw bad("header longer than the file");
  let header: { format?: string; trainer: Omit<TrainerState, (typeof GROUPS)[number]> & { bestLoss: number | null }; arrays: Array<{ group: string; name: string; length: number }> } & Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(4, 4 + len).toString("utf8"));
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (header.format !== CHECKPOINT_FORMAT) throw bad(`format "${String(header.format)}", expected "${CHECKPOINT_FORMAT}"`);
  const groups: Record<string, Weights> = Object.fromEntries(GROUPS.map((g) => [g, new Map()]));
  let off = 4 + len;
  for (const a of header.arrays) {
    const bytes = a.length * 4;
    if (off + bytes > buf.length) throw bad("truncated");
    const data = new Float32Array(a.length);
    new Uint8Array(data.buffer).set(buf.subarray(off, off + bytes));
    groups[a.group].set(a.name, data);
    off += bytes;
  }
  if (off !== buf.length) throw bad("trailing bytes");
  const { format: _f, trainer, arrays: _a, ...extra } = header;
  const state: TrainerState = {
    ...trainer,
    bestLoss: trainer.bestLoss ?? Infinity,
    weights: groups.weights,
    adamM: groups.adamM,
    adamV: groups.adamV,
    bestWeights: groups.bestWeights,
  };
  return { state, extra };
}
