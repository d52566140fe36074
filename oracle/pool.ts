/**
 * Scoring candidates on worker threads.
 *
 * Each worker keeps its own copy of the live twin: it builds the model and the arrival source
 * from the scenario and the seed, then replays the decisions applied so far (TwinStepper mirrors
 * the runner's loop, and the twin is deterministic), receiving only the decisions it has not seen
 * with each batch. Every batch carries a fingerprint of the live twin (time, counters, energy);
 * a worker whose copy differs refuses the batch rather than score the wrong state.
 *
 * Policy.decide is synchronous, so the calling thread blocks while workers score: requests go
 * out by postMessage, and the answers come back on a MessageChannel read with
 * receiveMessageOnPort once the worker has bumped its counter in shared memory (Atomics.wait /
 * notify). The calling thread scores its own share of each batch meanwhile. Workers are unref'd:
 * they never keep the process alive.
 *
 * A worker's twin has no forecaster: forecasts change observations, not the twin's state, and
 * the continuation policies the look-ahead uses do not read them.
 */
import { pathToFileURL } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { entryFile } from "../simulator/package-root.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import type { Twin } from "../simulator/twin.ts";
import type { Decision } from "../simulator/types.ts";
import { fingerprint } from "./replay.ts";
import type { Evaluation, LookAhead, LookAheadSettings } from "./score.ts";
import type { Evaluator } from "./search/context.ts";

export interface PoolSpec {
  scenario: TenantScenario;
  source: string;
  seed: number;
  workers: number;
  lookAhead: LookAheadSettings;
  continuation: string;
}

/** What a worker receives with each batch. */
export interface EvalRequest {
  seq: number;
  /** decisions applied since the worker's last batch */
  history: Decision[];
  /** index of the first of them in the run's decision log */
  historyFrom: number;
  fingerprint: number[];
  salt: string;
  items: Evaluation[];
}

export type EvalReply = { seq: number; scores: number[][] } | { seq: number; error: string };

const STARTUP_TIMEOUT_MS = 60_000;
const BATCH_TIMEOUT_MS = 120_000;

interface Slot {
  worker: Worker;
  replies: MessagePort;
  /** decisions of the log this worker has been sent */
  synced: number;
}

export class TwinPool {
  private readonly slots: Slot[] = [];
  /** per worker: replies posted; index `workers`: workers ready */
  private readonly ctrl: Int32Array;
  private seq = 0;
  private closed = false;

  constructor(readonly spec: PoolSpec) {
    const n = spec.workers;
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
    for (let w = 0; w < n; w++) {
      const channel = new MessageChannel();
      // From the build the worker is a bundled entry; from the sources a small boot module
      // registers tsx in the worker thread first.
      const entry = entryFile("oracle/worker.ts");
      const data = { spec, ctrl: this.ctrl, index: w, replies: channel.port2 };
      const worker = entry.needsTsx
        ? new Worker(new URL("./worker-boot.mjs", import.meta.url), { workerData: { ...data, entry: pathToFileURL(entry.file).href }, transferList: [channel.port2] })
        : new Worker(entry.file, { workerData: data, transferList: [channel.port2] });
      worker.unref();
      this.slots.push({ worker, replies: channel.port1, synced: 0 });
    }
    // Block until every worker has built its twin (Policy.decide cannot await). Start-up errors
    // (a trace that cannot be read, say) come back on the reply port.
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    try {
      while (Atomics.load(this.ctrl, n) < n) {
        this.failFromReplies(-1);
        if (Date.now() > deadline) throw new Error(`oracle: worker threads not ready after ${STARTUP_TIMEOUT_MS / 1000} s`);
        Atomics.wait(this.ctrl, n, Atomics.load(this.ctrl, n), 50);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * An evaluator at the live twin's current decision point: `history` is the run's decision log
   * (everything applied to `twin` so far), `salt` the decision point's fork salt. The calling
   * thread scores the first share of each batch with `local`.
   */
  evaluator(twin: Twin, history: readonly Decision[], salt: string, local: LookAhead): Evaluator {
    return {
      evaluate: (ds) => {
        const n = ds.length;
        const out = new Array<number[]>(n);
        const shares = Math.min(n, this.slots.length + 1);
        if (shares <= 1) {
          for (let i = 0; i < n; i++) out[i] = local.scoreForks(twin, ds[i].decision, salt, ds[i].course);
          return out;
        }
        const fp = fingerprint(twin);
        const size = Math.ceil(n / shares);
        const waits: Array<{ w: number; seq: number; before: number; from: number }> = [];
        for (let w = 0; w < this.slots.length; w++) {
          const from = (w + 1) * size;
          if (from >= n) break;
          const slot = this.slots[w];
          const seq = ++this.seq;
          const req: EvalRequest = {
            seq,
            history: history.slice(slot.synced),
            historyFrom: slot.synced,
            fingerprint: fp,
            salt,
            items: ds.slice(from, Math.min(n, from + size)),
          };
          slot.synced = history.length;
          waits.push({ w, seq, before: Atomics.load(this.ctrl, w), from });
          slot.worker.postMessage(req);
        }
        for (let i = 0; i < Math.min(n, size); i++) out[i] = local.scoreForks(twin, ds[i].decision, salt, ds[i].course);
        for (const { w, seq, before, from } of waits) {
          const r = this.waitReply(w, seq, before);
          for (let k = 0; k < r.length; k++) out[from + k] = r[k];
        }
        return out;
      },
    };
  }

  private waitReply(w: number, seq: number, before: number): number[][] {
    const deadline = Date.now() + BATCH_TIMEOUT_MS;
    for (;;) {
      const msg = receiveMessageOnPort(this.slots[w].replies);
      if (msg) {
        const reply = msg.message as EvalReply;
        if ("error" in reply) throw new Error(`oracle worker ${w}: ${reply.error}`);
        if (reply.seq === seq) return reply.scores;
        continue;
      }
      if (Date.now() > deadline) throw new Error(`oracle worker ${w} did not answer within ${BATCH_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.ctrl, w, before, 1000);
      before = Atomics.load(this.ctrl, w);
      // a reply may have landed between the check and the wait: loop reads the port again
    }
  }

  /** Throws the first error a worker reported outside a batch (start-up failures). */
  private failFromReplies(seq: number): void {
    this.slots.forEach((s, w) => {
      const msg = receiveMessageOnPort(s.replies);
      if (msg && "error" in (msg.message as EvalReply) && (msg.message as EvalReply).seq === seq) {
        throw new Error(`oracle worker ${w}: ${(msg.message as { error: string }).error}`);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      s.replies.close();
      void s.worker.terminate();
    }
  }
}
