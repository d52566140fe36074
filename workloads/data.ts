import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { findDataset, type Dataset, type DatasetFile } from "./data-catalogue.ts";

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

export interface DatasetStatus {
  name: string;
  /** every file exists with the catalogued size */
  present: boolean;
  /** the dataset's folder in the data directory */
  path: string;
  files: { path: string; present: boolean }[];
}

export async function datasetStatus(name: string, dir: string = dataDir()): Promise<DatasetStatus> {
  const d = findDataset(name);
  const files = await Promise.all(d.files.map(async (f) => ({ path: join(dir, f.path), present: (await sizeOf(join(dir, f.path))) === f.bytes })));
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
  /** download even files already present with the right size */
  force?: boolean;
  onProgress?: (p: FetchProgress) => void;
}

export interface FetchedFile {
  path: string;
  url: string;
  status: "downloaded" | "present";
  bytes: number;
}

function fileUrl(f: DatasetFile, baseUrl: string | undefined): string {
  return baseUrl === undefined ? f.url : `${baseUrl.replace(/\/+$/, "")}/${f.path}`;
}

/**
 * Downloads one file to a temporary name next to its destination, checks size and SHA-256, then
 * renames it into place: a crash or a bad download never leaves a truncated file that a later run
 * would take for the real one.
 */
async function download(d: Dataset, f: DatasetFile, url: string, dest: string, onProgress?: (p: FetchProgress) => void): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`fetch ${d.name}: GET ${url} failed: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`fetch ${d.name}: GET ${url} failed: HTTP ${res.status} ${res.statusText}`);
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString("hex")}`;
  const hash = createHash("sha256");
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      received += chunk.length;
      onProgress?.({ dataset: d.name, file: f.path, receivedBytes: received, totalBytes: f.bytes });
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp));
    if (received !== f.bytes) throw new Error(`fetch ${d.name}: ${url}: expected ${f.bytes} bytes, got ${received}`);
    const sha = hash.digest("hex");
    if (sha !== f.sha256) throw new Error(`fetch ${d.name}: ${url}: SHA-256 ${sha} does not match the catalogue's ${f.sha256}`);
    await rename(tmp, dest);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Fetches a dataset of the catalogue into the data directory; files already there (right size) are kept. */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<{ name: string; dir: string; files: FetchedFile[] }> {
  const d = findDataset(name);
  const dir = options.dataDir ?? dataDir();
  const files: FetchedFile[] = [];
  for (const f of d.files) {
    const dest = join(dir, f.path);
    const url = fileUrl(f, options.baseUrl);
    if (!options.force && (await sizeOf(dest)) === f.bytes) {
      files.push({ path: dest, url, status: "present", bytes: f.bytes });
      continue;
    }
    await download(d, f, url, dest, options.onProgress);
    files.push({ path: dest, url, status: "downloaded", bytes: f.bytes });
  }
  return { name, dir, files };
}
