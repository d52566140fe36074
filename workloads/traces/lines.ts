import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { Transform, type Readable } from "node:stream";
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
  // A device (/dev/zero) or a FIFO would be read forever.
  if (!(await stat(file)).isFile()) throw new TraceFileError(`${basename(file)}: not a regular file`);
  // Sniff first: a stream opened before an awaited failure would raise an unhandled error.
  const gz = await isGzip(file);
  const raw = createReadStream(file);
  const decoded: Readable = gz ? raw.pipe(createGunzip()) : raw;
  const input = decoded.pipe(lineLengthGuard(file));
  // A read or decompression error would otherwise be emitted on the stream it happened in only.
  raw.on("error", (e) => input.destroy(e));
  decoded.on("error", (e) => input.destroy(e));
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
    decoded.destroy();
    raw.destroy();
  }
}

/** Longest line a trace may have; a longer one is not text (readline would hold it whole in memory). */
export const MAX_LINE_BYTES = 1_000_000;

/** Passes bytes through, failing once a line (bytes since the last \n or \r) grows past MAX_LINE_BYTES. */
function lineLengthGuard(file: string): Transform {
  let run = 0;
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const last = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d));
      if (last < 0) run += chunk.length;
      else {
        for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
        run = chunk.length - last - 1;
      }
      if (run > MAX_LINE_BYTES) {
        done(new TraceFileError(`${basename(file)}:${lines + 1}: a line longer than ${MAX_LINE_BYTES} bytes: not a text trace (a binary file?)`));
        return;
      }
      done(null, chunk);
    },
  });
}

/** The first line of a file (header sniffing), or "" for an empty file. */
export async function firstLine(file: string): Promise<string> {
  for await (const line of readLines(file)) return line;
  return "";
}
