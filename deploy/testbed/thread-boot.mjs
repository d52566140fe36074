// Compute-thread entry when the worker runs from the TypeScript sources: registers tsx in this
// thread (Node 20 does not carry `--import tsx` into worker threads), then loads the worker module,
// which sees it is a compute thread. From the build the bundled worker is started directly.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
try {
  await import(workerData.entry);
} catch (e) {
  parentPort.postMessage({ error: `compute thread start-up failed: ${e instanceof Error ? e.message : String(e)}` });
}
