// Worker entry: registers tsx in this thread (Node 20 does not carry `--import tsx` into workers),
// then loads the TypeScript worker. A start-up failure is reported on the reply port.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
try {
  await import(workerData.entry);
} catch (e) {
  workerData.replies.postMessage({ seq: -1, error: `start-up failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
  Atomics.add(workerData.ctrl, workerData.index, 1);
  Atomics.notify(workerData.ctrl, workerData.index);
}
