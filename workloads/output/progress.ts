/**
 * A progress bar on stderr for long runs. It draws only when stderr is a terminal and the caller
 * has not turned it off (e.g. --json); otherwise every method is a no-op. Updates are throttled
 * here, before cli-progress is involved, so calling update() on every event costs one clock read.
 */
import cliProgress from "cli-progress";

export interface Progress {
  /** sets the current value */
  update(n: number): void;
  /** adds one to the current value */
  increment(): void;
  /** draws the final value and releases the terminal line */
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** false turns the bar off whatever the terminal (default true) */
  enabled?: boolean;
  /** where to draw (default process.stderr); the bar shows only if it is a TTY */
  stream?: NodeJS.WriteStream;
  /** minimum time between redraws (default 100 ms) */
  intervalMs?: number;
}

const NO_PROGRESS: Progress = { update() {}, increment() {}, stop() {} };

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.enabled === false || stream.isTTY !== true) return NO_PROGRESS;

  const intervalMs = opts.intervalMs ?? 100;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "{label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}",
      barCompleteChar: "█",
      barIncompleteChar: "░",
      barsize: 30,
      fps: 1000 / intervalMs,
      // the cursor stays visible: an interrupted run must not leave the terminal without one
      hideCursor: false,
      etaBuffer: 50,
    },
  );
  // the label goes in as a payload so braces in it are not read as format tokens
  bar.start(Math.max(0, opts.total), 0, { label: opts.label });

  let value = 0;
  let lastDraw = 0;
  let stopped = false;
  const maybeDraw = (): void => {
    const now = Date.now();
    if (now - lastDraw < intervalMs) return;
    lastDraw = now;
    bar.update(value);
  };
  return {
    update(n) {
      if (stopped) return;
      value = n;
      maybeDraw();
    },
    increment() {
      if (stopped) return;
      value++;
      maybeDraw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.update(value);
      bar.stop();
    },
  };
}
