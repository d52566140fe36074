/**
 * A sweep spread over machines through a BullMQ job queue on Redis.
 *
 * The submitter (`cotwin bench ... --queue redis://host:port`) adds one job per run not yet filed,
 * with the run's key as the job id: adding an id that exists is a no-op in BullMQ, so a restarted
 * submitter never duplicates work, and collects what finished while it was away (completed jobs
 * are kept in Redis for a week). Results are filed by key (ResultStore), so a job that ran twice
 * (retried after its worker died, or collected by two submitters) counts once.
 *
 * A worker (`cotwin worker --queue ...`) takes jobs and makes the runs on its own pool of worker
 * threads, so its event loop stays free to renew the job locks. A worker that dies stops renewing;
 * after the lock duration another worker's stalled-job check puts the job back in the queue.
 * A job records the cotwin version it needs; a worker of another version fails it with a reason.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type ConnectionOptions } from "bullmq";
import { VERSION } from "../../simulator/version.ts";
import { UsageError } from "../usage-error.ts";
import type { RunResult } from "./execute.ts";
import type { RunSpec } from "./plan.ts";
import { RunFailure, RunPool } from "./pool.ts";

export const QUEUE_NAME = "cotwin-bench";
const KEEP_S = 7 * 24 * 3600;

/** Redis is unreachable or refused us: one line, exit code 2 (see src/cli.ts). */
export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueError";
  }
}

export interface QueueAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** the URL without credentials, for messages */
  display: string;
}

export function parseQueueUrl(text: string, flag = "--queue"): QueueAddress {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be a Redis URL like redis://127.0.0.1:6379, got "${text}"`);
  }
  if (u.protocol !== "redis:") throw new UsageError(`${flag} must be a Redis URL like redis://127.0.0.1:6379 (scheme redis:), got "${u.protocol}"`);
  if (!u.hostname) throw new UsageError(`${flag}: no host in "${text}"`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, "");
  if (dbText !== "" && !/^\d+$/.test(dbText)) throw new UsageError(`${flag}: the path must be a database number, got "/${dbText}"`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: dbText === "" ? undefined : Number(dbText),
    display: `redis://${u.hostname}:${port}${dbText ? `/${dbText}` : ""}`,
  };
}

function connection(a: QueueAddress): ConnectionOptions {
  return { host: a.host, port: a.port, username: a.username, password: a.password, db: a.db, maxRetriesPerRequest: null };
}

/** Fails fast, with the address, when Redis cannot be reached (ioredis would otherwise retry for ever). */
async function checkReachable(a: QueueAddress): Promise<void> {
  const { Redis } = await import("ioredis");
  const r = new Redis({ host: a.host, port: a.port, username: a.username, password: a.password, db: a.db, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new QueueError(`cannot reach Redis at ${a.display}: ${(e as Error).message}`);
  } finally {
    r.disconnect();
  }
}

export interface SubmitHooks {
  file(r: RunResult): Promise<void>;
  fail(spec: RunSpec, reason: string): void;
  signal?: AbortSignal;
  note?: (line: string) => void;
  /** how often to look at every pending job, in case an event was missed (ms, default 2000) */
  pollMs?: number;
}

/** Enqueues the runs and files their results as they finish; true when interrupted. */
export async function submitToQueue(url: string, todo: RunSpec[], h: SubmitHooks): Promise<boolean> {
  if (todo.length === 0) return false;
  const address = parseQueueUrl(url);
  await checkReachable(address);
  const queue = new Queue<RunSpec, RunResult>(QUEUE_NAME, { connection: connection(address) });
  const events = new QueueEvents(QUEUE_NAME, { connection: connection(address) });
  const pending = new Map(todo.map((s) => [s.key, s]));
  let settle: (() => void) | undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const check = () => {
    if (pending.size === 0) settle?.();
  };
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  /**
   * Files a job's result once it is completed. The state is read first and the job after it: a
   * job read while active and found completed a moment later would carry no return value yet.
   */
  const collect = async (id: string | undefined): Promise<void> => {
    if (!id || !pending.has(id)) return;
    const state = await queue.getJobState(id);
    if (state !== "completed" && state !== "failed") return;
    const job = await queue.getJob(id);
    if (!job || !pending.has(id)) return;
    if (state === "completed") {
      const r = job.returnvalue;
      // a result that does not belong to this key is never filed; the next look tries again
      if (!r || r.key !== id) return;
      await h.file(r);
      pending.delete(id);
    } else {
      pending.delete(id);
      h.fail(job.data, job.failedReason || "failed");
    }
    check();
  };

  try {
    await events.waitUntilReady();
    events.on("completed", ({ jobId }) => track(collect(jobId)));
    events.on("failed", ({ jobId }) => track(collect(jobId)));

    // what the queue already holds from an earlier submitter: collect finished ones, retry failed ones
    const toAdd: RunSpec[] = [];
    for (const spec of todo) {
      const state = await queue.getJobState(spec.key);
      if (state === "unknown") toAdd.push(spec);
      else if (state === "completed") await collect(spec.key);
      else if (state === "failed") await (await queue.getJob(spec.key))?.retry("failed");
    }
    for (let i = 0; i < toAdd.length; i += 500) {
      await queue.addBulk(toAdd.slice(i, i + 500).map((spec) => ({ name: "run", data: spec, opts: { jobId: spec.key, attempts: 1, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } } })));
    }
    h.note?.(`${todo.length} run(s) on the queue "${QUEUE_NAME}" at ${address.display} (${toAdd.length} added now); serve it with \`cotwin worker --queue ${address.display}\``);
    check();

    // a bounded look at pending jobs, in case a completion event was missed: 200 keys per tick, in turn
    let cursor = 0;
    const poll = setInterval(() => {
      const keys = [...pending.keys()];
      if (cursor >= keys.length) cursor = 0;
      for (const key of keys.slice(cursor, cursor + 200)) track(collect(key));
      cursor += 200;
    }, h.pollMs ?? 2000);
    const aborted = new Promise<"aborted">((resolve) => {
      if (h.signal?.aborted) resolve("aborted");
      h.signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
    });
    try {
      const r = await Promise.race([allDone.then(() => "done" as const), aborted]);
      await Promise.allSettled([...inFlight]);
      return r === "aborted" && pending.size > 0;
    } finally {
      clearInterval(poll);
    }
  } finally {
    await events.close();
    await queue.close();
  }
}

export interface WorkerOptions {
  url: string;
  /** worker threads = jobs at a time (default 1) */
  threads: number;
  /** how long a job stays claimed by a worker that stopped answering (ms) */
  lockMs: number;
  signal?: AbortSignal;
  log(line: string): void;
}

/** Serves the queue until the signal aborts; then finishes the jobs it holds and returns. */
export async function runQueueWorker(o: WorkerOptions): Promise<{ completed: number; failed: number }> {
  const address = parseQueueUrl(o.url);
  await checkReachable(address);
  const pool = new RunPool(o.threads);
  let completed = 0;
  let failed = 0;
  const worker = new Worker<RunSpec, RunResult>(
    QUEUE_NAME,
    async (job) => {
      const spec = job.data;
      if (spec.version !== VERSION) throw new UnrecoverableError(`this worker runs cotwin ${VERSION}, the sweep needs ${spec.version}`);
      o.log(`started ${spec.scenario} · ${spec.policy} · seed ${spec.seed} (job ${spec.key.slice(0, 12)})`);
      try {
        const r = await pool.run(spec);
        o.log(`finished ${spec.scenario} · ${spec.policy} · seed ${spec.seed} (job ${spec.key.slice(0, 12)})`);
        return r;
      } catch (e) {
        // a run's own error is the same on every retry
        if (e instanceof RunFailure) throw new UnrecoverableError(e.reason);
        throw e;
      }
    },
    { connection: connection(address), concurrency: o.threads, lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: 5, autorun: false },
  );
  worker.on("completed", () => completed++);
  worker.on("failed", (job, err) => {
    failed++;
    o.log(`failed ${job?.data.scenario ?? "?"} · ${job?.data.policy ?? "?"} · seed ${job?.data.seed ?? "?"}: ${err.message}`);
  });
  worker.on("error", (e) => o.log(`queue error: ${e.message}`));
  const stopped = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  o.log(`serving the queue "${QUEUE_NAME}" at ${address.display} with ${o.threads} thread(s)`);
  void worker.run();
  try {
    await stopped;
    await worker.close();
  } finally {
    await pool.close();
  }
  return { completed, failed };
}
