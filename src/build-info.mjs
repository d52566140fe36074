// What the build bundles, and the newest modification time among the sources (shared by the
// build, which records it, and the command's entry point, which compares it to spot a stale build).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

export const SOURCE_DIRS = ["simulator", "workloads", "oracle", "learner", "deploy", "src"];

/** Entry points of dist/: the command line and the modules started as worker threads or processes. */
export const ENTRY_POINTS = ["src/cli.ts", "oracle/worker.ts", "src/matrix/worker.ts", "deploy/testbed/worker.ts"];

/** Newest mtime (ms) of the sources (.ts, .mjs) and package.json. */
export function newestSourceMs(root) {
  let newest = statSync(path.join(root, "package.json")).mtimeMs;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith(".ts") || e.name.endsWith(".mjs")) {
        const t = statSync(path.join(dir, e.name)).mtimeMs;
        if (t > newest) newest = t;
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  return newest;
}
