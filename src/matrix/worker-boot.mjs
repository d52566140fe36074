// Worker-thread entry when cotwin runs from its TypeScript sources: registers tsx in this thread
// (Node 20 does not carry `--import tsx` into workers), then loads the run worker.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
