/**
 * A pool of worker threads that make matrix runs. A run is CPU-bound and synchronous inside, so
 * each thread makes one at a time; the calling thread only hands out specs and files results,
 * and stays free for progress, Ctrl-C and (for `cotwin worker`) the queue's lock renewals. A
 * thread that dies mid-run (out of memory, say) fails that run and is replaced.
 */
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { entryFile } from "../../simulator/package-root.ts";
import type { RunResult } from "./execute.ts";
import type { RunSpec } from "./plan.ts";

export interface PoolRequest {
  id: number;
  spec: RunSpec;
  /** a matrix directory: the thread files the result there (ResultStore) instead of posting it */
  fileInto?: string;
}

export type PoolReply = { id: number; result: RunResult } | { id: number; filed: string } | { id: number; error: { name: string; message: string } };

/** A run that ended in an error (a policy that threw, a trace that cannot be read). */
export class RunFailure extends Error {
  constructor(
    readonly spec: RunSpec,
    readonly reason: string,
    readonly errorName: string,
  ) {
    super(`${spec.scenario} · ${spec.policy} · seed ${spec.seed}: ${reason}`);
    this.name = "RunFailure";
  }
}

/** The pool was closed before the run could finish. */
export class PoolClosed extends Error {
  constructor() {
    super("the worker pool was closed");
    this.name = "PoolClosed";
  }
}

interface Job {
  id: number;
  spec: RunSpec;
  fileInto?: string;
  resolve(r: RunResult | string): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

export class RunPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new Error(`a pool needs at least one worker, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const entry = entryFile("src/matrix/worker.ts");
    const worker = entry.needsTsx
      ? new Worker(new URL("./worker-boot.mjs", import.meta.url), { workerData: { entry: pathToFileURL(entry.file).href } })
      : new Worker(entry.file);
    const slot: Slot = { worker };
    worker.on("message", (m: PoolReply | { ready: true }) => {
      if (!("id" in m)) return;
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      if ("result" in m) job.resolve(m.result);
      else if ("filed" in m) job.resolve(m.filed);
      else job.reject(new RunFailure(job.spec, m.error.message, m.error.name));
      this.dispatch();
    });
    const lost = (why: string): void => {
      const job = slot.job;
      slot.job = undefined;
      if (this.closed) return;
      job?.reject(new RunFailure(job.spec, `the worker thread ended during the run (${why})`, "WorkerExit"));
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      this.dispatch();
    };
    worker.on("error", (e) => lost(e.message));
    worker.on("exit", (code) => lost(`exit code ${code}`));
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.job) continue;
      const job = this.waiting.shift()!;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, spec: job.spec, fileInto: job.fileInto } satisfies PoolRequest);
    }
  }

  private submit(spec: RunSpec, fileInto?: string): Promise<RunResult | string> {
    if (this.closed) return Promise.reject(new PoolClosed());
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, spec, fileInto, resolve, reject });
      this.dispatch();
    });
  }

  /** Makes one run on the next free thread and returns its result. */
  run(spec: RunSpec): Promise<RunResult> {
    return this.submit(spec) as Promise<RunResult>;
  }

  /** Makes one run and has the thread file its result in the matrix directory `outDir`; returns the key. */
  runAndFile(spec: RunSpec, outDir: string): Promise<string> {
    return this.submit(spec, outDir) as Promise<string>;
  }

  /** Runs being made or waiting. */
  get busy(): number {
    return this.waiting.length + this.slots.filter((s) => s.job).length;
  }

  /** Stops every thread now; runs not finished are rejected with PoolClosed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.waiting.splice(0), ...this.slots.flatMap((s) => (s.job ? [s.job] : []))];
    for (const j of pending) j.reject(new PoolClosed());
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
