/**
 * Directories published whole: the files go into a hidden temporary sibling of the target
 * (`.<name>.tmp-<pid>-<random>`), which is renamed into place only when every file is written.
 * An interrupted write (Ctrl-C, a crash, a full disk) leaves the target as it was - absent, or the
 * previous complete directory - never a mix of two writes or a directory that looks finished but
 * is not. A previous directory is first renamed aside (`.<name>.old-<pid>-<random>`) and removed
 * after the new one is in place. Leftovers of writers that died are removed by the next write to
 * the same target (only those whose process no longer runs).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import path from "node:path";
import { isProcessRunning } from "./atomic.ts";
import { makeDirectories } from "./out-path.ts";

/** The target's name as used in its siblings' names: shortened, so a name near the 255-byte limit still fits. */
const short = (base: string) => base.slice(0, 120);

const LEFTOVER = (base: string) => new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(tmp|old)-(\\d+)-[0-9a-f]+$`);

/** Removes temporary and set-aside siblings of `target` left by writers that no longer run; returns their names. */
export function removeLeftovers(target: string): string[] {
  const parent = path.dirname(path.resolve(target));
  const re = LEFTOVER(short(path.basename(path.resolve(target))));
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = re.exec(n);
    if (!m || isProcessRunning(Number(m[2]))) continue;
    fs.rmSync(path.join(parent, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

export interface DirectoryTransaction {
  /** the hidden directory being filled; write every file here */
  readonly dir: string;
  readonly target: string;
  /** puts the directory in place of the target (replacing a previous one) */
  commit(): void;
  /** removes the temporary directory; safe after commit or twice */
  abort(): void;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // not supported on every platform; the files themselves are synced by their writers
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Starts writing a directory that appears at `target` only when committed. */
export function beginDirectory(target: string): DirectoryTransaction {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const base = short(path.basename(abs));
  makeDirectories(parent);
  removeLeftovers(abs);
  const tag = () => `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = path.join(parent, `.${base}.tmp-${tag()}`);
  fs.mkdirSync(temp);
  let done = false;
  return {
    dir: temp,
    target,
    commit() {
      if (done) throw new Error(`${target}: directory already committed or aborted`);
      done = true;
      try {
        // rename(2) replaces an absent target or an empty directory in one step
        fs.renameSync(temp, abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOTDIR") {
          fs.rmSync(temp, { recursive: true, force: true });
          throw new Error(`cannot write ${target}: ${(e as Error).message}`, { cause: e });
        }
        // a previous output: set it aside, put the new one in place, then drop the old one
        const old = path.join(parent, `.${base}.old-${tag()}`);
        fs.renameSync(abs, old);
        try {
          fs.renameSync(temp, abs);
        } catch (e2) {
          fs.renameSync(old, abs);
          fs.rmSync(temp, { recursive: true, force: true });
          throw new Error(`cannot write ${target}: ${(e2 as Error).message}`, { cause: e2 });
        }
        fs.rmSync(old, { recursive: true, force: true });
      }
      fsyncDir(parent);
    },
    abort() {
      done = true;
      fs.rmSync(temp, { recursive: true, force: true });
    },
  };
}
