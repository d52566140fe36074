/**
 * Start-up of the command line as a whole process (`npm run bench -- startup`): the compiled
 * build in dist/ against the same command run through the TypeScript sources (tsx), median of
 * several runs each, measured in one run. Never fails for being slow.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { packagePath } from "../../simulator/package-root.ts";

const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeCommand(args: string[], fromSource: boolean): number {
  const bin = packagePath("src", "bin.mjs");
  const env = { ...process.env, COTWIN_FROM_SOURCE: fromSource ? "1" : "0" };
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`cotwin ${args.join(" ")} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  return median(times);
}

export function benchStartup(log: (line: string) => void): void {
  // measure the build of these sources: rebuild when dist/ is missing or stale (it takes a second)
  const r = spawnSync(process.execPath, [packagePath("src", "build.mjs")], { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0 || !existsSync(packagePath("dist", "src", "cli.js"))) {
    log(`startup: skipped (the build failed: ${r.stderr.toString().slice(0, 300)})`);
    return;
  }
  const cases: Array<{ args: string[]; target: number }> = [
    { args: ["--help"], target: 150 },
    { args: ["simulate", "--scenario", "scinet-testbed", "--policy", "least-loaded", "--json"], target: 250 },
  ];
  for (const c of cases) {
    const built = timeCommand(c.args, false);
    const source = timeCommand(c.args, true);
    log(
      `cotwin ${c.args.join(" ")}: ${built.toFixed(0)} ms from the build, ${source.toFixed(0)} ms through the TypeScript sources ` +
        `(${(source / built).toFixed(1)}x faster; median of ${RUNS} whole-process runs; target < ${c.target} ms: ${built < c.target ? "met" : "NOT met"})`,
    );
  }
}
