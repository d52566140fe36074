#!/usr/bin/env node
// Entry point of the `cotwin` command. Runs the compiled JavaScript in dist/ (built by `npm ci`
// through the `prepare` script, or `npm run build`); when dist/ is missing or older than a
// source file (a developer's edit), runs the TypeScript sources through tsx instead.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { newestSourceMs } from "./build-info.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const compiled = path.join(root, "dist", "src", "cli.js");

function buildIsFresh() {
  if (process.env.COTWIN_FROM_SOURCE === "1" || !existsSync(compiled)) return false;
  try {
    const info = JSON.parse(readFileSync(path.join(root, "dist", "build.json"), "utf8"));
    return newestSourceMs(root) <= info.sourcesMs;
  } catch {
    return false;
  }
}

// The last net under the commands' own error handling (src/errors.ts): an error raised outside
// any command's control (an event handler, a stray promise) prints its message, not a stack trace.
const lastResort = (e) => {
  process.stderr.write(`cotwin: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.COTWIN_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
};
process.on("uncaughtException", lastResort);
process.on("unhandledRejection", lastResort);

let main;
if (buildIsFresh()) {
  ({ main } = await import(pathToFileURL(compiled).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("./cli.ts"));
}
process.exitCode = await main(process.argv.slice(2));
