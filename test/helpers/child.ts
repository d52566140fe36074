/** Runs the `cotwin` command (src/bin.mjs: the build, or the sources when it is stale) as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./data.ts";

export interface Child {
  process: ChildProcess;
  /** what the child printed so far */
  stdout(): string;
  stderr(): string;
  /** resolves when the child ends: its exit code, or the signal that ended it */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCotwin(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [path.join(repoRoot, "src/bin.mjs"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { process: child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the command to its end. */
export async function runCotwin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = startCotwin(args, env);
  const { code } = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Polls `ready` every 2 ms until it holds; throws after `timeoutMs`, saying what was awaited. */
export async function waitFor(ready: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
