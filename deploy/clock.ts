/**
 * Wall-clock time for the online loop and its targets, behind an interface so a dry run (and a
 * test) can move time without waiting.
 */
import { setTimeout as delay } from "node:timers/promises";
import { performance } from "node:perf_hooks";

export interface Clock {
  /** ms, monotonic */
  now(): number;
  /** ms since the epoch, for timestamps in tags and journals */
  epochMs(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  epochMs: () => Date.now(),
  async sleep(ms, signal) {
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, { signal });
    } catch (e) {
      if ((e as Error).name !== "AbortError") throw e;
    }
  },
};

/** A clock that jumps: sleep() advances it at once (dry runs plan without waiting). */
export class JumpClock implements Clock {
  private t = 0;
  constructor(private readonly epoch0 = Date.now()) {}
  now(): number {
    return this.t;
  }
  epochMs(): number {
    return this.epoch0 + this.t;
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.t += ms;
  }
}

/**
 * The run's time axis: seconds since the loop started, shared by the loop and its target so a
 * request's arrival (the twin's time) and its measured end are on the same axis.
 */
export class TimeAxis {
  private origin: number;
  constructor(readonly clock: Clock) {
    this.origin = clock.now();
  }
  /** Sets time 0 to now (the loop calls it when the run starts). */
  start(): void {
    this.origin = this.clock.now();
  }
  nowS(): number {
    return (this.clock.now() - this.origin) / 1000;
  }
  /** clock ms of axis time `s` */
  at(s: number): number {
    return this.origin + s * 1000;
  }
}
