/**
 * The cotwin worker: one per host, an HTTP server that serves the applications' fragments by
 * running a real ONNX model (testbed/models.ts) on onnxruntime-node. Its CPU share is a
 * concurrency limit: as many compute threads as the host has vCPUs, each with one ONNX thread.
 *
 * Only requests carrying the deployment's secret token are served (Authorization: Bearer; a
 * missing or wrong token gets 401). The token arrives over the IPC channel (local testbed) or in
 * a root-only config file written by cloud-init (Azure); it is never printed or logged.
 *
 *   GET  /v1/metrics                          CPU seconds used, fragments served, queue
 *   POST /v1/fragment?mflop=M&size=S&out=B    runs a fragment of M MFLOP x S, answers B bytes
 *
 * Execution is processor sharing over the host's vCPUs (see ComputePool), the twin's model.
 *
 * Started from the sources with tsx (its threads through thread-boot.mjs), from the build as the
 * bundled dist/deploy/testbed/worker.js, and on an Azure VM as that bundle written by cloud-init.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export interface WorkerConfig {
  token: string;
  host: number;
  vcpus: number;
  /** address to listen on: 127.0.0.1 on the testbed, 0.0.0.0 on a VM (its NSG admits only the controller) */
  listen: string;
  port: number;
}

const MAX_BODY_BYTES = 256 * 2 ** 20;
const MAX_OUT_BYTES = 256 * 2 ** 20;
const MAX_SIZE = 1000;

interface ComputeJob {
  id: number;
  rows: number;
}
interface ComputeReply {
  id: number;
  computeS: number;
  output?: ArrayBuffer;
  error?: string;
}

// ---------------------------------------------------------------- compute thread

async function computeThread(): Promise<void> {
  const { OnnxSession } = await import("../../learner/onnx/runtime.ts");
  const { fragmentModel, WIDTH } = await import("./models.ts");
  const session = new OnnxSession(fragmentModel(), { threads: 1 });
  // Warm up (first runs allocate and pick kernels), so the first request is timed like the rest.
  const warm = new Float32Array(64 * WIDTH).fill(0.1);
  for (let i = 0; i < 3; i++) session.run({ x: { data: warm, dims: [64, WIDTH] } });
  let input = new Float32Array(0);
  parentPort!.on("message", (job: ComputeJob) => {
    try {
      const n = job.rows * WIDTH;
      if (input.length < n) {
        input = new Float32Array(n);
        for (let i = 0; i < n; i++) input[i] = ((i * 7919) % 1000) / 1000 - 0.5;
      }
      const t0 = performance.now();
      const out = session.run({ x: { data: input.subarray(0, n), dims: [job.rows, WIDTH] } });
      const computeS = (performance.now() - t0) / 1000;
      const y = out.y.data;
      // A copy the size of at most one row batch goes back; the answer body is built from it.
      const sample = y.slice(0, Math.min(y.length, 16384));
      const reply: ComputeReply = { id: job.id, computeS, output: sample.buffer };
      parentPort!.postMessage(reply, [sample.buffer]);
    } catch (e) {
      parentPort!.postMessage({ id: job.id, computeS: 0, error: (e as Error).message } satisfies ComputeReply);
    }
  });
  parentPort!.postMessage({ ready: true });
}

// ---------------------------------------------------------------- process: HTTP server + compute pool

/**
 * Processor sharing over the host's vCPUs, as the twin models it: every fragment on the host
 * progresses, a fragment never runs on two vCPUs at once, and n > vCPUs fragments share them.
 * A fragment's rows run in quanta of at most QUANTUM_ROWS (a few ms of work); a free thread takes
 * the next active fragment in turn (round robin), so each of n active fragments gets vCPUs / n
 * of the host, give or take one quantum.
 */
const QUANTUM_ROWS = 96;

interface Job {
  rows: number;
  left: number;
  running: boolean;
  computeS: number;
  arrivedAt: number;
  sample?: ArrayBuffer;
  done: (r: { computeS: number; elapsedS: number; output?: ArrayBuffer; error?: string }) => void;
}

class ComputePool {
  private readonly idle: Worker[] = [];
  /** active fragments, in turn order */
  private readonly active: Job[] = [];
  private turn = 0;
  private readonly quanta = new Map<number, Job>();
  private nextId = 1;

  private constructor(private readonly threads: Worker[]) {}

  static async start(n: number): Promise<ComputePool> {
    const self = fileURLToPath(import.meta.url);
    const fromSource = self.endsWith(".ts");
    const threads: Worker[] = [];
    for (let i = 0; i < n; i++) {
      const w = fromSource
        ? new Worker(new URL("./thread-boot.mjs", import.meta.url), { workerData: { role: "compute", entry: pathToFileURL(self).href } })
        : new Worker(self, { workerData: { role: "compute" } });
      threads.push(w);
    }
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onMsg = (m: { ready?: boolean; error?: string }) => {
              if (m.ready) {
                w.off("message", onMsg);
                resolve();
              } else if (m.error) reject(new Error(m.error));
            };
            w.on("message", onMsg);
            w.once("error", reject);
          }),
      ),
    );
    const pool = new ComputePool(threads);
    for (const w of threads) {
      w.on("message", (r: ComputeReply) => pool.onReply(w, r));
      pool.idle.push(w);
    }
    return pool;
  }

  /** fragments on the host (running or waiting for their turn) */
  get placed(): number {
    return this.active.length;
  }

  /** fragments holding a vCPU now */
  get running(): number {
    return this.quanta.size;
  }

  /** Runs `rows` rows; resolves with the CPU time it took and the time from arrival to end. */
  run(rows: number): Promise<{ computeS: number; elapsedS: number; output?: ArrayBuffer; error?: string }> {
    return new Promise((done) => {
      this.active.push({ rows, left: rows, running: false, computeS: 0, arrivedAt: performance.now(), done });
      this.pump();
    });
  }

  private nextJob(): Job | undefined {
    const n = this.active.length;
    for (let k = 0; k < n; k++) {
      const j = this.active[(this.turn + k) % n];
      if (!j.running) {
        this.turn = (this.turn + k + 1) % Math.max(1, n);
        return j;
      }
    }
    return undefined;
  }

  private pump(): void {
    while (this.idle.length > 0) {
      const job = this.nextJob();
      if (!job) return;
      const w = this.idle.pop()!;
      const rows = Math.min(QUANTUM_ROWS, job.left);
      const id = this.nextId++;
      job.running = true;
      this.quanta.set(id, job);
      w.postMessage({ id, rows } satisfies ComputeJob);
    }
  }

  private onReply(w: Worker, r: ComputeReply): void {
    const job = this.quanta.get(r.id);
    if (!job) return;
    this.quanta.delete(r.id);
    this.idle.push(w);
    job.running = false;
    job.computeS += r.computeS;
    if (r.output) job.sample = r.output;
    if (r.error) job.left = 0;
    else job.left -= Math.min(QUANTUM_ROWS, job.left);
    if (job.left <= 0) {
      const at = this.active.indexOf(job);
      this.active.splice(at, 1);
      if (at < this.turn) this.turn--;
      if (this.turn >= this.active.length) this.turn = 0;
      job.done({ computeS: job.computeS, elapsedS: (performance.now() - job.arrivedAt) / 1000, output: job.sample, error: r.error });
    }
    this.pump();
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** True when the request carries the token (compared in constant time). */
export function authorised(header: string | undefined, tokenDigest: Buffer): boolean {
  if (!header || !header.startsWith("Bearer ")) return false;
  return timingSafeEqual(digest(header.slice(7)), tokenDigest);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export interface RunningWorker {
  port: number;
  close(): Promise<void>;
}

/** Starts the HTTP server and the compute threads; resolves when both are ready. */
export async function startWorker(cfg: WorkerConfig): Promise<RunningWorker> {
  if (!cfg.token || cfg.token.length < 16) throw new Error("worker config: token missing or too short");
  if (!(Number.isInteger(cfg.vcpus) && cfg.vcpus >= 1 && cfg.vcpus <= 256)) throw new Error(`worker config: vcpus must be an integer in 1..256, got ${cfg.vcpus}`);
  const { rowsFor, MAX_MFLOP } = await import("./models.ts");
  const tokenDigest = digest(cfg.token);
  const pool = await ComputePool.start(cfg.vcpus);
  const started = performance.now();
  let served = 0;
  let failed = 0;
  const server = http.createServer((req, res) => {
    if (!authorised(req.headers.authorization, tokenDigest)) {
      // Drain the body so the connection can be reused, but do nothing with it.
      req.resume();
      send(res, 401, { error: { code: "Unauthorized", message: "missing or wrong token" } });
      return;
    }
    const url = new URL(req.url ?? "/", "http://worker");
    if (req.method === "GET" && url.pathname === "/v1/metrics") {
      const cpu = process.cpuUsage();
      send(res, 200, {
        host: cfg.host,
        vcpus: cfg.vcpus,
        cpuS: (cpu.user + cpu.system) / 1e6,
        uptimeS: (performance.now() - started) / 1000,
        served,
        failed,
        running: pool.running,
        placed: pool.placed,
      });
      return;
    }
    if (req.method === "POST" && url.pathname === "/v1/fragment") {
      const mflop = Number(url.searchParams.get("mflop"));
      const size = Number(url.searchParams.get("size") ?? "1");
      const outBytes = Number(url.searchParams.get("out") ?? "0");
      if (!(mflop > 0 && mflop <= MAX_MFLOP) || !(size > 0 && size <= MAX_SIZE) || !(Number.isInteger(outBytes) && outBytes >= 0 && outBytes <= MAX_OUT_BYTES)) {
        req.resume();
        send(res, 400, { error: { code: "BadRequest", message: `mflop must be in (0, ${MAX_MFLOP}], size in (0, ${MAX_SIZE}], out an integer in [0, ${MAX_OUT_BYTES}]` } });
        return;
      }
      let received = 0;
      let tooBig = false;
      req.on("data", (c: Buffer) => {
        received += c.length;
        if (received > MAX_BODY_BYTES && !tooBig) {
          tooBig = true;
          send(res, 413, { error: { code: "PayloadTooLarge", message: `body above ${MAX_BODY_BYTES} bytes` } });
          req.destroy();
        }
      });
      req.on("end", () => {
        if (tooBig) return;
        const rows = Math.max(1, Math.round(rowsFor(mflop) * size));
        pool.run(rows).then((reply) => {
          if (reply.error) {
            failed++;
            send(res, 500, { error: { code: "ComputeFailed", message: reply.error } });
            return;
          }
          served++;
          const body = Buffer.alloc(outBytes);
          if (reply.output && reply.output.byteLength > 0 && outBytes > 0) {
            const src = Buffer.from(reply.output);
            for (let at = 0; at < outBytes; at += src.length) src.copy(body, at, 0, Math.min(src.length, outBytes - at));
          }
          res.writeHead(200, {
            "content-type": "application/octet-stream",
            "content-length": outBytes,
            "x-cotwin-wait-s": Math.max(0, reply.elapsedS - reply.computeS).toFixed(6),
            "x-cotwin-compute-s": reply.computeS.toFixed(6),
            "x-cotwin-rows": String(rows),
          });
          res.end(body);
        });
      });
      return;
    }
    req.resume();
    send(res, 404, { error: { code: "NotFound", message: `${req.method} ${url.pathname}` } });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.listen, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.close();
    },
  };
}

// ---------------------------------------------------------------- entry

async function processMain(): Promise<void> {
  const at = process.argv.indexOf("--config");
  if (at >= 0) {
    // On a VM: the config file cloud-init wrote (root-only).
    const cfg = JSON.parse(readFileSync(process.argv[at + 1], "utf8")) as WorkerConfig;
    const w = await startWorker(cfg);
    process.stdout.write(`cotwin worker for host ${cfg.host} listening on ${cfg.listen}:${w.port} with ${cfg.vcpus} vCPU(s)\n`);
    process.on("SIGTERM", () => void w.close().then(() => process.exit(0)));
    return;
  }
  if (!process.send) {
    process.stderr.write("cotwin worker: start it from the testbed (IPC) or with --config <file>\n");
    process.exit(2);
  }
  process.once("message", (m: { type: string; config: WorkerConfig }) => {
    if (m.type !== "config") return;
    startWorker(m.config).then(
      (w) => {
        process.send!({ type: "ready", port: w.port });
        // The controller went away (even killed): stop, never linger as an orphan.
        process.on("disconnect", () => void w.close().finally(() => process.exit(0)));
        process.on("SIGTERM", () => void w.close().finally(() => process.exit(0)));
      },
      (e: Error) => {
        process.send!({ type: "error", message: e.message });
        process.exit(1);
      },
    );
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === "compute") {
  computeThread().catch((e: Error) => parentPort!.postMessage({ error: `compute thread start-up failed: ${e.message}` }));
} else if (isMainThread && isEntry()) {
  processMain().catch((e: Error) => {
    process.stderr.write(`cotwin worker: ${e.message}\n`);
    process.exit(1);
  });
}

/** This module is the process's entry (not imported by a test or another module). */
function isEntry(): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return pathToFileURL(argv1).href === import.meta.url || fileURLToPath(import.meta.url) === argv1;
  } catch {
    return false;
  }
}
