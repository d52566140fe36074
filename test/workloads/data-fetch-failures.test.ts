/**
 * Downloads from servers that misbehave, on a loopback server started here: one that never
 * answers, one that stalls in the middle, one that drops the connection, one that fails once.
 * Each attempt is bounded in time, failures that may pass are retried, and the message names the
 * data set, the URL and the file, and says what happened (not undici's bare "terminated").
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fetchDataset, findDataset } from "../../workloads/data.ts";
import { sharedDataDir } from "../helpers/data.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cotwin-fetch-"));
let server: Server;
let base = "";
let handler: (req: IncomingMessage, res: ServerResponse, n: number) => void = () => undefined;
let hits = 0;

before(async () => {
  server = createServer((req, res) => handler(req, res, ++hits));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(tmp, { recursive: true, force: true });
});

const VM_LOAD = findDataset("vm-load").files[0]; // 317,478 bytes
const fast = { timeoutMs: 150, retryDelayMs: 10 };

function noLeftovers(dir: string): void {
  if (!existsSync(dir)) return;
  assert.deepEqual(readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes(".part-")), []);
}

test("a server that never answers: each attempt ends after the time-out, then the retries, then one message", async () => {
  hits = 0;
  handler = () => undefined;
  const dir = path.join(tmp, "silent");
  const t0 = Date.now();
  // a time-out long enough that each attempt reaches the server even on a loaded machine (every
  // attempt is counted there), short enough to stay far below Node's own limit of 300 s
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: dir, ...fast, timeoutMs: 600, retries: 2 }), {
    message: `fetch vm-load: GET ${base}/vm-load/aa.txt (vm-load/aa.txt) failed 3 times: no response in 0.6 s`,
  });
  assert.equal(hits, 3);
  // 3 x 0.6 s plus pauses of 10 and 20 ms
  assert.ok(Date.now() - t0 < 6000, `${Date.now() - t0} ms`);
  noLeftovers(dir);
});

test("a server that stalls in the middle: the stall is timed, with how many bytes came", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-length": VM_LOAD.bytes });
    res.write(Buffer.alloc(1000, 65)); // then nothing more
  };
  const dir = path.join(tmp, "stall");
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: dir, ...fast, retries: 0 }), {
    message: `fetch vm-load: GET ${base}/vm-load/aa.txt (vm-load/aa.txt) failed: no data for 0.15 s after 1000 of 317478 bytes`,
  });
  noLeftovers(dir);
});

test("a dropped connection says so, with the cause and the bytes received", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-length": VM_LOAD.bytes });
    res.write(Buffer.alloc(2000, 65), () => res.socket?.destroy());
  };
  const dir = path.join(tmp, "drop");
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: dir, ...fast, retries: 1 }), (e: Error) => {
    assert.match(e.message, new RegExp(`^fetch vm-load: GET ${base}/vm-load/aa\\.txt \\(vm-load/aa\\.txt\\) failed 2 times: the connection was dropped \\(.+\\) \\(after 2000 of 317478 bytes\\)$`));
    assert.doesNotMatch(e.message, /: terminated/);
    return true;
  });
  noLeftovers(dir);
});

test("a failure that passes (HTTP 503, then the file) is retried; a 404 is not", async (t) => {
  const shared = sharedDataDir();
  const real = shared ? path.join(shared, "vm-load", "aa.txt") : null;
  if (!real || !existsSync(real)) return t.skip("vm-load sample absent: run `npx cotwin data fetch vm-load`");
  const bytes = readFileSync(real);
  assert.equal(createHash("sha256").update(bytes).digest("hex"), VM_LOAD.sha256);
  hits = 0;
  handler = (_req, res, n) => {
    if (n === 1) {
      res.writeHead(503);
      res.end("busy");
      return;
    }
    res.writeHead(200, { "content-length": bytes.length });
    res.end(bytes);
  };
  const dir = path.join(tmp, "retry");
  const r = await fetchDataset("vm-load", { baseUrl: base, dataDir: dir, ...fast, retries: 2 });
  assert.deepEqual(r.files.map((f) => f.status), ["downloaded"]);
  assert.equal(hits, 2);
  assert.ok(readFileSync(path.join(dir, "vm-load", "aa.txt")).equals(bytes));
  hits = 0;
  handler = (_req, res) => {
    res.writeHead(404);
    res.end();
  };
  await assert.rejects(fetchDataset("vm-load", { baseUrl: base, dataDir: path.join(tmp, "404"), ...fast, retries: 2, force: true }), /failed: HTTP 404 Not Found$/);
  assert.equal(hits, 1, "a 404 is an answer, not retried");
});
