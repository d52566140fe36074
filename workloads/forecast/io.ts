import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../../simulator/version.ts";
import { writeFileAtomicSync } from "../output/atomic.ts";

/** Writes a file so readers never see it half-written (temp file, fsync, rename). */
export const writeFileAtomic = writeFileAtomicSync;

export function readJSONFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new Error(`${what}: ${file} does not exist`);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${what}: ${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** cotwin's version (recorded in every saved model and --json output). */
export function cotwinVersion(): string {
  return VERSION;
}

/** The installed cotwin package's folder: the nearest package.json named "cotwin" above this module. */
export function projectRoot(): string | null {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(d, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "cotwin") return d;
      } catch {
        // not ours; keep looking
      }
    }
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** Folders of the package that hold its own code, data and dependencies: never an output place. */
const SOURCE_DIRS = ["simulator", "workloads", "oracle", "learner", "deploy", "src", "test", "dist", "node_modules", "scenarios", ".git", ".ci"];

/**
 * Why writing `target` would damage something cotwin did not write, or null when it is safe:
 * a path inside the package's source tree, or an existing file that `ownedBy` does not recognise
 * as an earlier output of the same command. `--force` skips the check.
 */
export function outputRefusal(target: string, ownedBy: (existing: string) => boolean): string | null {
  const abs = path.resolve(target);
  const root = projectRoot();
  if (root) {
    const rel = path.relative(root, abs);
    const top = rel.split(path.sep)[0];
    const inside = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
    if (inside && (SOURCE_DIRS.includes(top) || (!rel.includes(path.sep) && existsSync(abs)))) return `${target} is inside cotwin's own source tree (${root})`;
  }
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) return `${target} is a directory`;
    let text = "";
    try {
      text = readFileSync(abs, "utf8");
    } catch {
      return `${target} exists and cannot be read`;
    }
    if (!ownedBy(text)) return `${target} exists and was not written by this command`;
  }
  return null;
}
