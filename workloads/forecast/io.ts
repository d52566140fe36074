import { existsSync, readFileSync } from "node:fs";
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
