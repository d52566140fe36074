/**
 * Drives a twin from decision point to decision point exactly as src/runner.ts does (observe,
 * apply, run to the interval end - stopping at each arrival when the scenario dispatches on
 * arrival - and close the interval). Replaying the same decisions into a fresh twin of the same
 * scenario and seed therefore rebuilds the same state: that is how worker threads keep a copy of
 * the live twin and how an interrupted data set resumes.
 */
import type { Twin } from "../simulator/twin.ts";
import type { Decision, DecisionRejection, Observation } from "../simulator/types.ts";

export class TwinStepper {
  private observed = false;
  /** decision points passed */
  decisions = 0;

  constructor(readonly twin: Twin) {}

  /** The observation at the current decision point (expires requests that waited too long). */
  observe(): Observation {
    this.observed = true;
    return this.twin.observe();
  }

  /**
   * Applies `d` at the current decision point and runs to the next one. Returns the parts the
   * twin rejected and whether an interval closed (the next decision point is an interval start).
   */
  apply(d: Decision): { rejections: DecisionRejection[]; intervalClosed: boolean } {
    const twin = this.twin;
    // The runner always observes before applying; observing expires requests, so it matters.
    if (!this.observed) twin.observe();
    this.observed = false;
    this.decisions++;
    const rejections = twin.apply(d);
    const end = twin.intervalEnd;
    if (twin.model.admission === "arrival") {
      if (twin.runUntil(end, true)) return { rejections, intervalClosed: false };
    } else {
      twin.runUntil(end);
    }
    twin.closeInterval();
    return { rejections, intervalClosed: true };
  }
}

/**
 * A few numbers that identify a twin's state at a decision point, to check that a replayed copy
 * is where the live twin is (time, interval, counters and energy).
 */
export function fingerprint(twin: Twin): number[] {
  const t = twin.totals();
  return [twin.now, twin.interval, t.arrived, t.completed, t.rejected, t.failed, t.events, t.energyJ, twin.pendingCount];
}

export function sameFingerprint(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
