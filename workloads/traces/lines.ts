import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { TraceFileError } from "./errors.ts";

/** True when the file starts with the gzip magic bytes (so `.gz` need not be trusted or required). */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Streams a text file line by line (gzip decompressed transparently), without a trailing "\r"
 * and without a leading byte-order mark. Lines are yielded in order, so the caller's count is the
 * 1-based physical line number used in error messages. Stopping early closes the file.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  // Sniff first: a stream opened before an awaited failure would raise an unhandled error.
  const gz = await isGzip(file);
  const raw = createReadStream(file);
  const input: Readable = gz ? raw.pipe(createGunzip()) : raw;
  // A decompression error would otherwise be emitted on the gunzip stream only.
  raw.on("error", (e) => input.destroy(e));
  const rl = createInterface({ input, crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of rl) {
      if (first) {
        first = false;
        yield line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      } else {
        yield line;
      }
    }
  } catch (e) {
    // zlib's messages ("unexpected end of file") do not say which file.
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) throw new TraceFileError(`${basename(file)}: ${(e as Error).message} (corrupt or truncated gzip)`, { cause: e });
    throw e;
  } finally {
    rl.close();
    input.destroy();
    raw.destroy();
  }
}

/** The first line of a file (header sniffing), or "" for an empty file. */
export async function firstLine(file: string): Promise<string> {
  for await (const line of readLines(file)) return line;
  return "";
}
