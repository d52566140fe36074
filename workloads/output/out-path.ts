/**
 * Where a command may write: one check for every `--out` (and other output paths), made before any
 * work starts.
 *
 * - Never inside cotwin's own source tree (its code folders, its top-level files, the package
 *   folder itself), not even with --force.
 * - An existing file or a non-empty directory is replaced only when the command recognises it as
 *   its own earlier output (`owned`), or with --force.
 * - Never the current directory, one of its parents or the home directory (a directory output is
 *   replaced as a whole).
 * - The place must be creatable: the nearest existing parent is a writable directory. Directories
 *   are made one level at a time, because Node's recursive mkdir never returns on some file
 *   systems (under /proc it retries ENOENT forever).
 */
import * as fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "../../simulator/errors.ts";
import { PACKAGE_ROOT } from "../../simulator/package-root.ts";

/** A refused output path: the message names the flag and the path, and says what would allow it. */
export class OutputPathError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "OutputPathError";
  }
}

/** Folders of the package that hold its own code, data and dependencies: never an output place. */
export const SOURCE_DIRS = ["simulator", "workloads", "oracle", "learner", "deploy", "src", "test", "dist", "node_modules", "scenarios", ".git", ".ci"];

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** The path with symbolic links of its existing part resolved (so a link cannot lead into the source tree unseen). */
function realish(target: string): string {
  const abs = path.resolve(target);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return abs;
      tail.push(path.basename(head));
      head = up;
    }
  }
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Why `target` is inside cotwin's source tree, or null. `root` is the package folder (tests pass their own). */
export function sourceTreeRefusal(target: string, root: string = PACKAGE_ROOT): string | null {
  const abs = realish(target);
  let realRoot = root;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    // a root that does not exist holds nothing to protect
    return null;
  }
  if (!inside(realRoot, abs)) return null;
  const rel = path.relative(realRoot, abs);
  if (rel === "") return `${target} is cotwin's own package folder`;
  const top = rel.split(path.sep)[0];
  // an installed package (node_modules/cotwin) is all source; a checkout keeps outputs beside it (runs/)
  if (realRoot.split(path.sep).includes("node_modules")) return `${target} is inside the installed cotwin package`;
  if (SOURCE_DIRS.includes(top)) return `${target} is inside cotwin's own source tree (its ${top}/ folder)`;
  if (!rel.includes(path.sep) && fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) return `${target} is one of cotwin's own files`;
  return null;
}

/** The nearest existing ancestor of `p` (itself if it exists). */
function nearestExisting(p: string): string {
  let d = path.resolve(p);
  for (;;) {
    if (fs.existsSync(d)) return d;
    const up = path.dirname(d);
    if (up === d) return d;
    d = up;
  }
}

/** Refuses a place whose nearest existing parent is not a writable directory. */
function checkCreatable(what: string, target: string): void {
  const parent = nearestExisting(path.dirname(path.resolve(target)));
  let st: fs.Stats;
  try {
    st = fs.statSync(parent);
  } catch (e) {
    throw new OutputPathError(`${what} ${target}: cannot write there (${errno(e)} on ${parent})`);
  }
  if (!st.isDirectory()) throw new OutputPathError(`${what} ${target}: ${parent} is a file, not a directory`);
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new OutputPathError(`${what} ${target}: ${parent} is not writable`);
  }
  // Permission bits do not tell everything (a read-only mount, /proc, a quota): try it.
  const probe = path.join(parent, `.cotwin-probe-${process.pid}-${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    fs.mkdirSync(probe);
  } catch (e) {
    throw new OutputPathError(`${what} ${target}: cannot create anything in ${parent} (${errno(e)})`);
  }
  fs.rmdirSync(probe);
}

/**
 * Makes `dir` and its missing parents one level at a time; an error names the level that failed.
 * (Node's `mkdirSync(dir, { recursive: true })` loops forever where mkdir keeps failing with
 * ENOENT, e.g. under /proc.)
 */
export function makeDirectories(dir: string, mode?: number): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let d = abs;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(d);
    } catch {
      st = undefined;
    }
    if (st) {
      if (!st.isDirectory()) throw new OutputPathError(`cannot make directory ${dir}: ${d} is a file`);
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m, mode === undefined ? undefined : { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && fs.statSync(m).isDirectory()) continue;
      throw new OutputPathError(`cannot make directory ${m === abs ? dir : `${m} (for ${dir})`}: ${errno(e)}`);
    }
  }
}

export interface OutputCheck {
  /** the flag or setting that named the path, for messages (e.g. "--out") */
  what: string;
  /** replace what is there even when the command does not recognise it */
  force?: boolean;
}

export interface FileOutputCheck extends OutputCheck {
  /** true when the existing file's text is an earlier output of this command (safe to replace) */
  owned?: (text: string) => boolean;
}

/** Checks a file output before work starts; returns whether a file is already there. */
export function checkOutputFile(target: string, o: FileOutputCheck): { exists: boolean } {
  if (target === "") throw new OutputPathError(`${o.what}: give a file name`);
  const src = sourceTreeRefusal(target);
  if (src) throw new OutputPathError(`${o.what}: ${src}; cotwin never writes there, choose another place`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (st) {
    if (st.isDirectory()) throw new OutputPathError(`${o.what} ${target}: is a directory; give a file name`);
    if (!st.isFile()) throw new OutputPathError(`${o.what} ${target}: is not a regular file`);
    if (!o.force) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(target, "utf8");
      } catch {
        text = undefined;
      }
      if (text === undefined || !o.owned?.(text)) {
        throw new OutputPathError(`${o.what} ${target}: exists and was not written by this command; refusing to overwrite it (pass --force to replace it)`);
      }
    }
  }
  checkCreatable(o.what, target);
  return { exists: st !== undefined };
}

export interface DirectoryOutputCheck extends OutputCheck {
  /** true when the existing non-empty directory is an earlier output of this command */
  owned?: (dir: string, entries: string[]) => boolean;
  /** what the owned kind is called, for the refusal ("a run directory") */
  kind?: string;
}

/** Hidden files cotwin itself leaves beside or inside its outputs while writing. */
const OUR_TEMPORARY = /^\..*\.(tmp|tmp-\d+-[0-9a-f]+|old-\d+-[0-9a-f]+)$/;

/** Checks a directory output before work starts; returns what is there. */
export function checkOutputDirectory(dir: string, o: DirectoryOutputCheck): { exists: boolean; empty: boolean; owned: boolean } {
  if (dir === "") throw new OutputPathError(`${o.what}: give a directory`);
  const src = sourceTreeRefusal(dir);
  if (src) throw new OutputPathError(`${o.what}: ${src}; cotwin never writes there, choose another place`);
  const abs = realish(dir);
  for (const [name, p] of [["the current directory or one of its parents", process.cwd()], ["your home directory", os.homedir()]] as const) {
    let real = p;
    try {
      real = fs.realpathSync(p);
    } catch {
      // keep as given
    }
    if (name.startsWith("the current") ? inside(abs, real) : abs === real) {
      throw new OutputPathError(`${o.what} ${dir}: is ${name}; give a directory of its own (e.g. runs/name)`);
    }
  }
  let entries: string[] | undefined;
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: `dir` is a file, or one of its parents is (then checkCreatable names which)
    if (code === "ENOTDIR" && fs.existsSync(dir)) throw new OutputPathError(`${o.what} ${dir}: exists and is not a directory`);
    if (code !== "ENOENT" && code !== "ENOTDIR") throw new OutputPathError(`${o.what} ${dir}: cannot read it (${errno(e)})`);
  }
  if (entries === undefined) {
    checkCreatable(o.what, dir);
    return { exists: false, empty: true, owned: false };
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new OutputPathError(`${o.what} ${dir}: is not writable`);
  }
  const visible = entries.filter((e) => !OUR_TEMPORARY.test(e));
  if (visible.length === 0) return { exists: true, empty: true, owned: false };
  const owned = o.owned?.(dir, entries) ?? false;
  if (!owned && !o.force) {
    throw new OutputPathError(
      `${o.what} ${dir}: is not empty and is not ${o.kind ?? "an earlier output of this command"}; refusing to overwrite it (choose a new or empty directory, or pass --force to write there anyway)`,
    );
  }
  return { exists: true, empty: false, owned };
}
