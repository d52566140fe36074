/**
 * Atomic file writes: data goes to a temporary file in the target's directory, is flushed to disk,
 * then renamed over the target. A reader (or a crash) sees either the old file or the complete new
 * one, never a truncated mix. On failure the temporary file is removed and the old file is left as
 * it was.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { makeDirectories } from "./out-path.ts";

/** A temporary name next to `target`: same directory (so rename stays on one file system), hidden. */
function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  // shortened, so a target whose name is near the 255-byte limit still has a temporary name
  const base = path.basename(target).slice(0, 120);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** The temporary name tempPathFor gives, with the writer's process id. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** True while process `pid` runs (this one included): its temporary files are not leftovers. */
export function isProcessRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files in `dir` that writers stopped before their rename left behind (a
 * Ctrl-C, a crash), keeping those of processes still running. Returns the names removed.
 */
export function removeLeftoverTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_NAME.exec(n);
    if (!m || isProcessRunning(Number(m[1]))) continue;
    fs.rmSync(path.join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}

/** Wraps a failure so the message names the file, keeping the original as `cause`. */
function writeError(target: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(`cannot write ${target}: ${reason}`, { cause: err });
}

/** Makes the rename itself durable. Best effort: some platforms cannot open a directory for fsync. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // not supported here (e.g. Windows); the file data itself is already synced
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `data` to `target` atomically (temp file, fsync, rename). */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(target);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(temp, "wx");
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(temp, target);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw writeError(target, err);
  }
  syncDirectory(path.dirname(target));
}

/**
 * Writes `value` as JSON (two-space indent, trailing newline) atomically. Serialisation happens
 * before anything touches the disk, so a value that cannot be serialised leaves no trace.
 */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (err) {
    throw writeError(target, err);
  }
  if (text === undefined) throw writeError(target, new Error("value is not representable as JSON"));
  await writeFileAtomic(target, text + "\n");
}

/**
 * A file written in pieces and published atomically: chunks are appended to a temporary file,
 * `commit()` syncs it and renames it over the target, `abort()` removes it. Synchronous, because
 * it is fed from tight loops over large tables and has no backpressure to manage.
 */
export interface AtomicFileWriter {
  readonly target: string;
  write(chunk: string | Uint8Array): void;
  commit(): void;
  /** Removes the temporary file; safe to call more than once and after a failed commit. */
  abort(): void;
}

export function openFileAtomic(target: string): AtomicFileWriter {
  const temp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx");
  } catch (err) {
    throw writeError(target, err);
  }
  let done = false;

  const cleanup = (): void => {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error matters more
      }
      fd = undefined;
    }
    fs.rmSync(temp, { force: true });
  };

  return {
    target,
    write(chunk) {
      if (done || fd === undefined) throw writeError(target, new Error("writer is already closed"));
      try {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
        // writeSync may write less than asked (rare on regular files); loop until all is out
        let offset = 0;
        while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset);
      } catch (err) {
        done = true;
        cleanup();
        throw writeError(target, err);
      }
    },
    commit() {
      if (done || fd === undefined) throw writeError(target, new Error("writer is already closed"));
      done = true;
      try {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fd = undefined;
        fs.renameSync(temp, target);
      } catch (err) {
        cleanup();
        throw writeError(target, err);
      }
      syncDirectory(path.dirname(target));
    },
    abort() {
      done = true;
      cleanup();
    },
  };
}

/** writeFileAtomic for synchronous callers (creates the directory first). */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  makeDirectories(path.dirname(path.resolve(target)));
  const w = openFileAtomic(target);
  w.write(data);
  w.commit();
}
