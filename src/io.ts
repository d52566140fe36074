/**
 * Where the command line prints. Commands write through `io` rather than process.stdout, so tests
 * can capture their output without touching the process streams (which Node's test runner uses to
 * report results).
 *
 * A reader that goes away (`cotwin ... | head`) closes the pipe: writes then fail with EPIPE, which
 * Node raises as an 'error' event, by default a crash with a stack trace. guardStreams() turns that
 * into silence: what is printed after is dropped, and the command goes on to finish its files.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const closed = { stdout: false, stderr: false };

export const io: Io = {
  out: (text) => {
    if (!closed.stdout) process.stdout.write(text);
  },
  err: (text) => {
    if (!closed.stderr) process.stderr.write(text);
  },
};

let guarded = false;

/** Makes a closed stdout or stderr (EPIPE) end printing quietly instead of crashing; idempotent. */
export function guardStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const name of ["stdout", "stderr"] as const) {
    process[name].on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") {
        closed[name] = true;
        return;
      }
      throw e;
    });
  }
}
