/**
 * A matrix worker thread (see pool.ts): makes the runs it is sent, one at a time, and posts each
 * result (or the error that ended the run) back.
 */
import { parentPort } from "node:worker_threads";
import { executeRun } from "./execute.ts";
import type { PoolReply, PoolRequest } from "./pool.ts";

const port = parentPort!;
port.on("message", async (req: PoolRequest) => {
  let reply: PoolReply;
  try {
    reply = { id: req.id, result: await executeRun(req.spec) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { id: req.id, error: { name: err.name, message: err.message } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
