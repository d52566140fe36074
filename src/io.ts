/**
 * Where the command line prints. Commands write through `io` rather than process.stdout, so tests
 * can capture their output without touching the process streams (which Node's test runner uses to
 * report results).
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const io: Io = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};
