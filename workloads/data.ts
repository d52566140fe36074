import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync, statSync } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { InputError } from "../simulator/errors.ts";
import { DATASETS, findDataset, type Dataset, type DatasetFile } from "./data-catalogue.ts";
import { makeDirectories } from "./output/out-path.ts";

export { DATASETS, datasetNames, findDataset, type Dataset, type DatasetFile } from "./data-catalogue.ts";

/** Where traces live: $COTWIN_DATA_DIR, else $XDG_CACHE_HOME/cotwin/data, else ~/.cache/cotwin/data. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COTWIN_DATA_DIR) return env.COTWIN_DATA_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "cotwin", "data");
  return join(homedir(), ".cache", "cotwin", "data");
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** SHA-256 of a file, remembered per path, size and modification time (a run may check a data set many times). */
const hashCache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();
function sha256Of(file: string, size: number, mtimeMs: number): string {
  const c = hashCache.get(file);
  if (c && c.size === size && c.mtimeMs === mtimeMs) return c.sha256;
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  hashCache.set(file, { size, mtimeMs, sha256 });
  return sha256;
}

/** What is wrong with a catalogued file in the data directory: absent, the wrong size or the wrong content (null: none). */
export function datasetFileProblem(f: DatasetFile, file: string): string | null {
  let st;
  try {
    st = statSync(file);
  } catch {
    return "is missing";
  }
  if (!st.isFile()) return "is not a file";
  if (st.size !== f.bytes) return `has ${st.size} bytes, the catalogue's copy ${f.bytes} (truncated or changed)`;
  if (sha256Of(file, st.size, st.mtimeMs) !== f.sha256) return "has the catalogued size but not its SHA-256 (changed or corrupt)";
  return null;
}

/** A data set file that is missing, truncated or changed: names the file and the command that fetches it again. */
export class DatasetFileError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "DatasetFileError";
  }
}

/**
 * Checks every file of a data set in the data directory (size, then SHA-256) before a run uses
 * it; returns the files' paths. A truncated or changed file would otherwise run quietly with a
 * different trace.
 */
export function verifiedDatasetFiles(name: string, dir: string = dataDir()): string[] {
  return findDataset(name).files.map((f) => verifyDatasetFile(name, f, join(dir, f.path)));
}

/** Checks one catalogued file (see verifiedDatasetFiles); returns its path. */
export function verifyDatasetFile(dataset: string, f: DatasetFile, file: string): string {
  const problem = datasetFileProblem(f, file);
  if (problem) {
    throw new DatasetFileError(`data set "${dataset}": ${file} ${problem}; run \`npx cotwin data fetch ${dataset}\` to fetch it again (or set COTWIN_DATA_DIR to where it is)`);
  }
  return file;
}

/** The catalogued file a path names, when it lies in the data directory (so it can be verified too). */
export function catalogueFileAt(file: string, dir: string = dataDir()): { dataset: string; file: DatasetFile } | undefined {
  const abs = resolve(file);
  for (const d of DATASETS) for (const f of d.files) if (resolve(dir, f.path) === abs) return { dataset: d.name, file: f };
  return undefined;
}

export interface DatasetStatus {
  name: string;
  /** every file exists with the catalogued size and SHA-256 */
  present: boolean;
  /** the dataset's folder in the data directory */
  path: string;
  files: { path: string; present: boolean; problem: string | null }[];
}

export async function datasetStatus(name: string, dir: string = dataDir()): Promise<DatasetStatus> {
  const d = findDataset(name);
  const files = d.files.map((f) => {
    const problem = datasetFileProblem(f, join(dir, f.path));
    return { path: join(dir, f.path), present: problem === null, problem };
  });
  return { name, present: files.every((f) => f.present), path: join(dir, d.name), files };
}

export interface FetchProgress {
  dataset: string;
  /** path inside the data directory */
  file: string;
  receivedBytes: number;
  totalBytes: number;
}

export interface FetchOptions {
  /** a mirror laid out like the data directory: file URL = baseUrl + "/" + file path */
  baseUrl?: string;
  dataDir?: string;
  /** download even files already present and intact */
  force?: boolean;
  onProgress?: (p: FetchProgress) => void;
  /** longest wait for the response or for the next bytes of it, ms (default 30 s) */
  timeoutMs?: number;
  /** further attempts after a failure that may pass (time-out, dropped connection, HTTP 5xx or 429); default 2 */
  retries?: number;
  /** wait before the first retry, doubled for each next one, ms (default 1 s) */
  retryDelayMs?: number;
}

export const FETCH_DEFAULTS = { timeoutMs: 30_000, retries: 2, retryDelayMs: 1_000 } as const;

export interface FetchedFile {
  path: string;
  url: string;
  status: "downloaded" | "present";
  bytes: number;
}

function fileUrl(f: DatasetFile, baseUrl: string | undefined): string {
  return baseUrl === undefined ? f.url : `${baseUrl.replace(/\/+$/, "")}/${f.path}`;
}

/** A failed attempt; `retry` says whether another attempt may succeed. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** Why a fetch failed, in words: undici says only "terminated" or "fetch failed", the cause says what happened. */
function networkReason(e: unknown, timedOut: string | undefined): string {
  if (timedOut) return timedOut;
  const err = e as Error & { cause?: { message?: string; code?: string } };
  const cause = err.cause;
  const detail = cause?.message ? ` (${cause.message}${cause.code && !cause.message.includes(cause.code) ? `, ${cause.code}` : ""})` : "";
  if (err.message === "terminated") return `the connection was dropped${detail}`;
  return `${err.message}${detail}`;
}

/**
 * One download attempt to a temporary name next to the destination; size and SHA-256 are
 * checked before it is renamed into place, so a crash or a bad download never leaves a truncated
 * file that a later run would take for the real one. The attempt is aborted when no response or
 * no further bytes come for `timeoutMs`.
 */
async function downloadOnce(d: Dataset, f: DatasetFile, url: string, dest: string, timeoutMs: number, onProgress?: (p: FetchProgress) => void): Promise<void> {
  const ac = new AbortController();
  let timedOut: string | undefined;
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (what: () => string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = what();
      ac.abort();
    }, timeoutMs);
  };
  const seconds = `${timeoutMs / 1000} s`;
  arm(() => `no response in ${seconds}`);
  let res: Response;
  try {
    res = await fetch(url, { signal: ac.signal });
  } catch (e) {
    clearTimeout(timer);
    throw new AttemptError(networkReason(e, timedOut), true);
  }
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    await res.body?.cancel().catch(() => undefined);
    throw new AttemptError(`HTTP ${res.status} ${res.statusText}`, res.status >= 500 || res.status === 429);
  }
  makeDirectories(dirname(dest));
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString("hex")}`;
  const hash = createHash("sha256");
  const stalled = () => `no data for ${seconds} after ${received} of ${f.bytes} bytes`;
  arm(stalled);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      arm(stalled);
      hash.update(chunk);
      received += chunk.length;
      onProgress?.({ dataset: d.name, file: f.path, receivedBytes: received, totalBytes: f.bytes });
      done(null, chunk);
    },
  });
  try {
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // our own file failing (disk full, permissions) is not the network's fault
      if (typeof code === "string" && code.startsWith("E") && !timedOut && (e as { syscall?: string }).syscall) throw new AttemptError(`cannot write ${tmp}: ${(e as Error).message}`, false);
      // a stall's message already counts the bytes
      throw new AttemptError(timedOut ?? `${networkReason(e, undefined)} (after ${received} of ${f.bytes} bytes)`, true);
    } finally {
      clearTimeout(timer);
    }
    // a complete response of another size is another file, not a dropped connection (which errs above)
    if (received !== f.bytes) throw new AttemptError(`expected ${f.bytes} bytes, got ${received}`, false);
    const sha = hash.digest("hex");
    if (sha !== f.sha256) throw new AttemptError(`SHA-256 ${sha} does not match the catalogue's ${f.sha256}`, false);
    await rename(tmp, dest);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Downloads one file, retrying failures that may pass; the error names the data set, the file and the URL. */
async function download(d: Dataset, f: DatasetFile, url: string, dest: string, o: FetchOptions): Promise<void> {
  const retries = o.retries ?? FETCH_DEFAULTS.retries;
  const timeoutMs = o.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  let delay = o.retryDelayMs ?? FETCH_DEFAULTS.retryDelayMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await downloadOnce(d, f, url, dest, timeoutMs, o.onProgress);
      return;
    } catch (e) {
      if (!(e instanceof AttemptError)) throw e;
      if (!e.retry) {
        // a definite answer (404, wrong content): as the first line of the message, no retry
        if (/^(expected|SHA-256)/.test(e.message)) throw new Error(`fetch ${d.name}: ${url}: ${e.message}`);
        throw new Error(`fetch ${d.name}: GET ${url} failed: ${e.message}`);
      }
      if (attempt >= retries) {
        const tries = attempt + 1;
        throw new Error(`fetch ${d.name}: GET ${url} (${f.path}) failed${tries > 1 ? ` ${tries} times` : ""}: ${e.message}`);
      }
      await new Promise((ok) => setTimeout(ok, delay));
      delay *= 2;
    }
  }
}

/** Fetches a dataset of the catalogue into the data directory; files already there and intact are kept. */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<{ name: string; dir: string; files: FetchedFile[] }> {
  const d = findDataset(name);
  const dir = options.dataDir ?? dataDir();
  const files: FetchedFile[] = [];
  for (const f of d.files) {
    const dest = join(dir, f.path);
    const url = fileUrl(f, options.baseUrl);
    if (!options.force && (await sizeOf(dest)) === f.bytes && datasetFileProblem(f, dest) === null) {
      files.push({ path: dest, url, status: "present", bytes: f.bytes });
      continue;
    }
    await download(d, f, url, dest, options);
    files.push({ path: dest, url, status: "downloaded", bytes: f.bytes });
  }
  return { name, dir, files };
}
