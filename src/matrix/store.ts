/**
 * The checkpoint of a matrix: one file per finished run, runs/<key>.json, written atomically the
 * moment the run ends. A directory interrupted at any point (Ctrl-C, a crash, a killed machine)
 * holds only complete results, and the next invocation skips exactly those. A result is filed
 * once: a second copy of the same key (a queue job retried after its worker died, then finished
 * twice) is ignored.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "../../workloads/output/atomic.ts";
import type { RunResult } from "./execute.ts";

const KEY_RE = /^[0-9a-f]{32}$/;

export class ResultStore {
  readonly dir: string;
  private readonly known = new Set<string>();
  /** files under runs/ that could not be read (reported, then treated as not done) */
  readonly unreadable: string[] = [];

  constructor(outDir: string) {
    this.dir = path.join(outDir, "runs");
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) {
      const key = f.endsWith(".json") ? f.slice(0, -5) : "";
      if (KEY_RE.test(key)) this.known.add(key);
    }
  }

  has(key: string): boolean {
    return this.known.has(key);
  }

  get size(): number {
    return this.known.size;
  }

  private file(key: string): string {
    if (!KEY_RE.test(key)) throw new Error(`not a run key: "${key}"`);
    return path.join(this.dir, `${key}.json`);
  }

  /** Files the result unless its key is already filed; true when it was new. */
  async add(result: RunResult): Promise<boolean> {
    if (this.known.has(result.key)) return false;
    // marked before the write, so a concurrent second copy of the same key is ignored too
    this.known.add(result.key);
    try {
      await writeJsonAtomic(this.file(result.key), result);
    } catch (e) {
      this.known.delete(result.key);
      throw e;
    }
    return true;
  }

  /**
   * Removes the temporary files of writes that never finished (a thread stopped by Ctrl-C, a
   * crash). Only while nothing else writes into the directory: at the start and end of a sweep.
   */
  removeTemporaryFiles(): void {
    for (const f of readdirSync(this.dir)) if (f.startsWith(".") && f.endsWith(".tmp")) rmSync(path.join(this.dir, f), { force: true });
  }

  /** Records a key filed into this directory by another thread or process. */
  adopt(key: string): void {
    if (existsSync(this.file(key))) this.known.add(key);
  }

  /** The filed result, or undefined (not filed, or a file that cannot be read as this key's result). */
  read(key: string): RunResult | undefined {
    if (!this.known.has(key)) return undefined;
    const file = this.file(key);
    try {
      const r = JSON.parse(readFileSync(file, "utf8")) as RunResult;
      if (r.key !== key || typeof r.summary !== "object") throw new Error("not the result of this key");
      return r;
    } catch (e) {
      this.unreadable.push(`${file}: ${(e as Error).message}`);
      this.known.delete(key);
      return undefined;
    }
  }

  /** Keys filed here that a plan does not use (another config, version or seed set). */
  unused(keys: ReadonlySet<string>): string[] {
    return [...this.known].filter((k) => !keys.has(k) && existsSync(this.file(k)));
  }
}
