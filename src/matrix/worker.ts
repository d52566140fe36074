/**
 * A matrix worker thread (see pool.ts): makes the runs it is sent, one at a time, and posts each
 * result back, or files it in the result directory it was given and posts its key (or the error
 * that ended the run).
 */
import { parentPort } from "node:worker_threads";
import { executeRun } from "./execute.ts";
import type { PoolReply, PoolRequest } from "./pool.ts";
import { ResultStore } from "./store.ts";

const port = parentPort!;
const stores = new Map<string, ResultStore>();
port.on("message", async (req: PoolRequest) => {
  let reply: PoolReply;
  try {
    const result = await executeRun(req.spec);
    if (req.fileInto === undefined) reply = { id: req.id, result };
    else {
      // filed here, so serialising and syncing the file is spread over the threads, not queued on the caller's
      let store = stores.get(req.fileInto);
      if (!store) stores.set(req.fileInto, (store = new ResultStore(req.fileInto)));
      await store.add(result);
      reply = { id: req.id, filed: result.key };
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { id: req.id, error: { name: err.name, message: err.message } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
