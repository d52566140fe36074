#!/usr/bin/env node
// Builds dist/ (run by `npm ci` through the `prepare` script, and by `npm run build`): the
// command line and its worker entry points bundled by esbuild into ES modules, split into chunks
// so each command loads only what it uses. One bundle starts in a fraction of the time Node
// takes to resolve and compile the ~250 separate source and dependency modules (and no
// TypeScript is compiled at each start). Types are checked by `npm run typecheck`, not here.
// Native and heavy packages stay external (loaded from node_modules when a command needs them).
// dist/build.json records the newest source time seen, so src/bin.mjs can tell a stale build.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ENTRY_POINTS, newestSourceMs } from "./build-info.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist");
const tmp = path.join(root, `.dist-${process.pid}.tmp`);
const sourcesMs = newestSourceMs(root);
rmSync(tmp, { recursive: true, force: true });
try {
  const r = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: tmp,
    outbase: ".",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    metafile: true,
    external: [
      "@resvg/resvg-js",
      "onnxruntime-node",
      "onnx-proto",
      "@tensorflow/*",
      "puppeteer-core",
      "bullmq",
      "ioredis",
      "@azure/*",
      "tsx",
      "esbuild",
      "typescript",
    ],
    // bundled CommonJS packages may call require() for Node's own modules
    banner: { js: "import { createRequire as __cotwinRequire } from 'node:module'; const require = __cotwinRequire(import.meta.url);" },
  });
  writeFileSync(path.join(tmp, "build.json"), JSON.stringify({ sourcesMs, inputs: Object.keys(r.metafile.inputs).length }) + "\n");
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`cotwin build failed: ${e.message}\n`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
