/**
 * Retries with exponential backoff and jitter that honour Retry-After. One place decides whether
 * and when a cloud call is tried again, so every call site behaves the same and a test can count
 * the waits. The SDK's own retry policy is turned off (azure/arm.ts): two layers of retries would
 * multiply the attempts against a throttled API.
 *
 * The jitter is drawn from a seeded stream, so a run's waits are reproducible.
 */
import type { RandomStream } from "../simulator/engine/random.ts";
import type { Clock } from "./clock.ts";

export interface RetrySettings {
  /** attempts in all, the first included */
  attempts: number;
  /** the first backoff, ms (doubled at each retry) */
  baseMs: number;
  /** longest backoff, ms */
  maxMs: number;
  /** longest Retry-After honoured, ms (a longer one gives up rather than block the loop) */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { attempts: 6, baseMs: 1000, maxMs: 60_000, maxRetryAfterMs: 300_000 };

export interface RetryVerdict {
  retry: boolean;
  /** the server asked for this wait (Retry-After), ms */
  retryAfterMs?: number;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowEpochMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowEpochMs);
}

/**
 * The wait before retry number `retry` (1 = the first retry): exponential backoff with "equal
 * jitter" (half fixed, half random), never shorter than what the server asked for.
 */
export function backoffMs(retry: number, s: RetrySettings, rng: RandomStream, retryAfterMs?: number): number {
  const exp = Math.min(s.maxMs, s.baseMs * 2 ** (retry - 1));
  const jittered = exp / 2 + (exp / 2) * rng.next();
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

export class RetriesExhausted extends Error {
  constructor(
    readonly last: unknown,
    readonly retries: number,
  ) {
    super(last instanceof Error ? last.message : String(last));
    this.name = "RetriesExhausted";
  }
}

export interface RetryContext {
  settings: RetrySettings;
  rng: RandomStream;
  clock: Clock;
  classify(e: unknown): RetryVerdict;
  /** called before each wait (to count retries, log) */
  onRetry?(e: unknown, waitMs: number, retry: number): void;
  signal?: AbortSignal;
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, or the attempts are spent. A
 * non-retryable error is rethrown as it is; spent attempts throw RetriesExhausted with the last.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, c: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const v = c.classify(e);
      if (!v.retry) throw e;
      if (attempt >= c.settings.attempts) throw new RetriesExhausted(e, attempt - 1);
      if (v.retryAfterMs !== undefined && v.retryAfterMs > c.settings.maxRetryAfterMs) throw new RetriesExhausted(e, attempt - 1);
      const wait = backoffMs(attempt, c.settings, c.rng, v.retryAfterMs);
      c.onRetry?.(e, wait, attempt);
      await c.clock.sleep(wait, c.signal);
      if (c.signal?.aborted) throw e;
    }
  }
}
