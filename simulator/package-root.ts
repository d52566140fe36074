/**
 * The installed package's root directory (where package.json is), found from this module's own
 * location, so files shipped beside the code (built-in scenarios, the default learner model)
 * are found the same way from the TypeScript sources and from the compiled `dist/`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find cotwin's package.json above ${from}`);
    dir = up;
  }
}

export const PACKAGE_ROOT: string = findRoot(fileURLToPath(import.meta.url));

/** A path inside the package, e.g. packagePath("simulator", "scenarios"). */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

export const PACKAGE_JSON: { name: string; version: string } = JSON.parse(readFileSync(packagePath("package.json"), "utf8"));
