/**
 * Replays a run's twin steps (corrections and decisions, at the times they were applied) into
 * another twin of the same scenario and seed, e.g. a calibrated one: what that twin would have
 * predicted for the same requests on the same hosts. Used to show a calibration's in-sample fit.
 */
import type { Twin } from "../simulator/twin.ts";
import type { TwinStep } from "./loop.ts";

/** Requests' ends as the replayed twin predicts them (records of the twin after the replay). */
export function replaySteps(twin: Twin, steps: readonly TwinStep[], intervalS: number): Array<{ id: number; arrival: number; end: number; status: string }> {
  for (const s of steps) {
    twin.runUntil(s.t);
    if (s.kind === "decision") twin.observe(); // the loop observed before deciding (expiring stale requests)
    twin.apply(s.decision);
  }
  const cap = twin.now + Math.max(600, 100 * intervalS);
  twin.runUntil(twin.now + intervalS);
  while (twin.runningCount > 0 && twin.now < cap) twin.runUntil(twin.now + intervalS);
  return [...twin.requestRecords, ...twin.inFlightRecords()];
}
