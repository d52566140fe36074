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

/** True when this code runs from the built bundle in dist/ rather than from the TypeScript sources. */
export const FROM_BUILD: boolean = /[\\/]dist[\\/]/.test(fileURLToPath(import.meta.url));

/**
 * The file to start as a worker thread or process for a source module (path from the package
 * root, e.g. "oracle/worker.ts"): its bundled entry in dist/ when running from the build (see
 * src/build-info.mjs ENTRY_POINTS), else the TypeScript source, which needs tsx in the new thread.
 */
export function entryFile(sourcePath: string): { file: string; needsTsx: boolean } {
  if (FROM_BUILD) return { file: packagePath("dist", sourcePath.replace(/\.ts$/, ".js")), needsTsx: false };
  return { file: packagePath(sourcePath), needsTsx: true };
}
