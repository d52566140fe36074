/**
 * `cotwin worker --queue redis://host:port`: serves a bench job queue until Ctrl-C (or SIGTERM),
 * then finishes the runs it holds and exits. Progress lines go to stderr.
 */
import { io } from "../io.ts";

export async function runWorkerCommand(a: { url: string; threads: number; lockMs: number }): Promise<number> {
  const { parseQueueUrl, runQueueWorker } = await import("../matrix/queue.ts");
  parseQueueUrl(a.url);
  const ac = new AbortController();
  const stop = () => {
    if (ac.signal.aborted) process.exit(130);
    io.err("cotwin worker: stopping after the runs in hand (again to exit at once)\n");
    ac.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const r = await runQueueWorker({ ...a, signal: ac.signal, log: (line) => io.err(`cotwin worker: ${line}\n`) });
    io.err(`cotwin worker: stopped; ${r.completed} run(s) completed, ${r.failed} failed\n`);
    return 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
