/**
 * The online loop. The twin runs on the wall clock: simulated second t is t seconds after the
 * loop's start. At every interval start (and at every arrival when the scenario dispatches on
 * arrival) the loop observes the target, brings the twin in line with what it saw, asks the
 * policy, validates the decision (limits, hosts really serving), applies it to the twin and then
 * to the target, and records what the twin predicts next to what the target measures.
 *
 * The twin is a predictor here: after a decision it runs to the interval's end at once; its
 * prediction for each dispatched request is compared with the request's measured response when
 * both have ended (fidelity.ts).
 */
import { performance } from "node:perf_hooks";
import type { Decision, Policy } from "../simulator/types.ts";
import type { ReadyTwin } from "../workloads/ready-twin.ts";
import type { TimeAxis } from "./clock.ts";
import { compare, MeasuredUse, pairRequests, type Comparison, type PairedRequest } from "./fidelity.ts";
import { costPerHour } from "./hosts.ts";
import type { Limits } from "./limits.ts";
import { syncTwin, targetPlan, validate } from "./sync.ts";
import type { ActionOutcome, MeasuredRequest, ObservedHost, RunningHost, Target, TargetEvent, TargetObservation } from "./types.ts";

export interface LoopOptions {
  ready: ReadyTwin;
  policy: Policy;
  target: Target;
  intervals: number;
  /** the run's time axis, shared with the target (the loop sets its origin when it starts) */
  axis: TimeAxis;
  limits: Limits;
  /** Ctrl-C: the loop stops at the next step */
  signal?: AbortSignal;
  /** after each interval (rows are final up to the previous one) */
  onInterval?: (done: number, total: number, row: IntervalFigures) => void;
  /** events worth telling an operator, as they happen */
  onEvent?: (e: TargetEvent) => void;
  /** waiting for dispatched requests after the last interval, ms */
  drainTimeoutMs?: number;
}

export interface IntervalFigures {
  interval: number;
  dispatched: number;
  heldBack: number;
  refused: number;
  synced: number;
  hostsOn: number;
  costPerHour: number;
  /** ms the loop itself spent (observe and apply calls excluded) */
  overheadMs: number;
  /** ms spent in the target's observe and apply calls */
  targetMs: number;
}

export interface ActionCounts {
  applied: number;
  failed: number;
  retried: number;
  refused: number;
}

/** Every change the loop made to the twin, in order (to replay them into another twin). */
export interface TwinStep {
  /** the twin's time when applied */
  t: number;
  /** sync: a correction applied before the observation; decision: applied after observe() */
  kind: "sync" | "decision";
  decision: Decision;
}

export interface LoopResult extends Comparison {
  intervals: number;
  stoppedEarly: boolean;
  actions: ActionCounts;
  rows: IntervalFigures[];
  pairs: PairedRequest[];
  outcomes: ActionOutcome[];
  events: TargetEvent[];
  syncChanges: number;
  running: RunningHost[];
  costPerHour: number;
  /** decision-to-decision overhead of the loop, ms per interval */
  overheadMs: number[];
  steps: TwinStep[];
}

export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const { model, twin } = o.ready;
  const { target, policy, axis } = o;
  const clock = axis.clock;
  const intervalS = model.intervalS;
  axis.start();
  const untilS = (s: number) => clock.sleep(axis.at(s) - clock.now(), o.signal);
  const use = new MeasuredUse();
  const measured: MeasuredRequest[] = [];
  const outcomes: ActionOutcome[] = [];
  const events: TargetEvent[] = [];
  const rows: IntervalFigures[] = [];
  const actions: ActionCounts = { applied: 0, failed: 0, retried: 0, refused: 0 };
  let syncChanges = 0;
  const steps: TwinStep[] = [];
  let hosts: ObservedHost[] = [];
  const start = twin.totals();

  const absorb = (obs: TargetObservation): void => {
    hosts = obs.hosts;
    use.add(model, obs.hosts);
    measured.push(...obs.requests);
    for (const a of obs.actions) {
      outcomes.push(a);
      if (a.outcome === "applied") actions.applied++;
      else actions.failed++;
      actions.retried += a.retries;
      if (a.error) {
        const e: TargetEvent = { kind: "error", host: a.host, message: `${a.action} host ${a.host} failed: ${a.error.code}: ${a.error.message}${a.error.hint ? ` (${a.error.hint})` : ""}` };
        events.push(e);
        o.onEvent?.(e);
      }
    }
    for (const e of obs.events) {
      events.push(e);
      o.onEvent?.(e);
    }
  };

  let targetMs = 0;
  /** the loop's own work (sync, decision, validation, the twin, bookkeeping), ms */
  let ownMs = 0;
  const observe = async (): Promise<void> => {
    const a = clock.now();
    const obs = await target.observe();
    targetMs += clock.now() - a;
    const b = performance.now();
    absorb(obs);
    ownMs += performance.now() - b;
  };

  /** One decision point: sync, decide, validate, apply to the twin, then to the target. */
  const decide = async (row: IntervalFigures): Promise<void> => {
    const w = performance.now();
    const changes = syncTwin(twin, hosts);
    if (changes.length > 0) steps.push({ t: twin.now, kind: "sync", decision: { provision: changes.map((c) => ({ host: c.host, action: c.action })) } });
    syncChanges += changes.length;
    row.synced += changes.length;
    for (const c of changes) {
      const e: TargetEvent = { kind: "info", host: c.host, message: `twin corrected: host ${c.host} ${c.action === "stop" ? "stopped" : "started"} in the twin (${c.reason})` };
      events.push(e);
      o.onEvent?.(e);
    }
    const obs = twin.observe();
    const d = policy.decide(obs);
    const v = validate(d, hosts, o.limits);
    for (const r of v.refused) {
      actions.refused++;
      const e: TargetEvent = { kind: "refused", host: r.host, message: `start host ${r.host} refused: ${r.reason}` };
      events.push(e);
      o.onEvent?.(e);
    }
    row.refused += v.refused.length;
    row.heldBack += v.heldBack;
    steps.push({ t: twin.now, kind: "decision", decision: v.decision });
    const rejected = twin.apply(v.decision);
    const plan = targetPlan(v.decision, rejected, obs);
    row.dispatched += plan.deploy.length;
    ownMs += performance.now() - w;
    if (plan.provision.length > 0 || plan.deploy.length > 0) {
      const a = clock.now();
      await target.apply(plan);
      targetMs += clock.now() - a;
    }
  };

  let k = 0;
  let stoppedEarly = false;
  for (; k < o.intervals; k++) {
    const startS = k * intervalS;
    await untilS(startS);
    if (o.signal?.aborted) {
      stoppedEarly = true;
      break;
    }
    const row: IntervalFigures = { interval: k, dispatched: 0, heldBack: 0, refused: 0, synced: 0, hostsOn: 0, costPerHour: 0, overheadMs: 0, targetMs: 0 };
    targetMs = 0;
    ownMs = 0;
    await observe();
    await decide(row);
    const end = twin.intervalEnd;
    if (model.admission === "arrival") {
      for (;;) {
        const w = performance.now();
        const arrived = twin.runUntil(end, true);
        ownMs += performance.now() - w;
        if (!arrived) break;
        await untilS(twin.now);
        if (o.signal?.aborted) break;
        await decide(row);
      }
    } else {
      const w = performance.now();
      twin.runUntil(end);
      ownMs += performance.now() - w;
    }
    twin.closeInterval();
    row.hostsOn = hosts.filter((h) => h.phase === "on").length;
    row.costPerHour = costPerHour(hosts);
    row.targetMs = targetMs;
    row.overheadMs = ownMs;
    rows.push(row);
    o.onInterval?.(k + 1, o.intervals, row);
    if (o.signal?.aborted) {
      stoppedEarly = true;
      k++;
      break;
    }
  }
  // The span compared ends when the last interval does (or now, when stopped early). No request
  // arrives after it: the loop dispatches nothing more, and the twin takes no more arrivals.
  twin.closeArrivals();
  await untilS(k * intervalS);
  if (!stoppedEarly) {
    // Let the dispatched requests end on both sides; the twin runs on to the same moment.
    await target.drain(o.drainTimeoutMs ?? 60_000);
  }
  await observe();
  const endS = Math.max(twin.now, axis.nowS());
  twin.runUntil(endS);
  // Resource use is compared over the same span; the twin then runs on until the requests it was
  // given have ended too (its predicted responses), without taking new decisions.
  const end = twin.totals();
  const cap = endS + Math.max(600, 100 * intervalS);
  while (twin.runningCount > 0 && twin.now < cap) twin.runUntil(twin.now + intervalS);
  const pairs = pairRequests(measured, [...twin.requestRecords, ...twin.inFlightRecords()]);
  const cmp = compare(pairs, use, start, end, end.failed - start.failed);
  const running = await target.running();
  return {
    ...cmp,
    intervals: rows.length,
    stoppedEarly,
    actions,
    rows,
    pairs,
    outcomes,
    events,
    syncChanges,
    running,
    costPerHour: running.reduce((s, r) => s + r.pricePerHour, 0),
    overheadMs: rows.map((r) => r.overheadMs),
    steps,
  };
}
