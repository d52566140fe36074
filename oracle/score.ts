/**
 * Scoring a candidate decision by running the twin ahead.
 *
 * For each of K forks of the live twin: apply the candidate, run `horizon` intervals with the
 * continuation policy deciding at each later interval start, then evaluate the scenario's
 * objective over the span. Lower is better; the score is the mean over the K forks.
 *
 * Unfinished work. Over a short horizon, requests in flight have not completed, and the
 * objective only sees completed requests, so a plain look-ahead would reward leaving work undone
 * (deferring a request, or a slow variant, would cost nothing until the window closed). The
 * look-ahead therefore splits the books:
 * - energy and cost are taken over exactly `horizon` intervals (the same span for every
 *   candidate, so their normalised values compare);
 * - quality of service (response, SLA, accuracy) is taken over every request that ends before
 *   the fork stops, and the fork keeps running (the continuation policy still deciding) for up to
 *   `drainIntervals` more intervals, until every request that arrived before the end of the
 *   horizon - pending at the decision (the ones the candidate leaves pending included), running,
 *   or arriving during the horizon - has ended. Deferring a request thus costs its real extra
 *   waiting time, or its rejection when it waits too long; and switching hosts off costs the
 *   slower service of the requests that arrive while they are off. (Tracking only the requests
 *   present at the decision is not enough: a candidate that switches every host off would then
 *   look free whenever nothing is pending, since an objective over no ended requests has no QoS
 *   term at all.)
 * - at least MIN_NEW_ARRIVALS requests arriving after the decision are tracked, even if they
 *   arrive after the horizon. A fork keeps the live twin's next arrival (the twin draws it ahead),
 *   so when the real gap to it is longer than the horizon, no fork sees an arrival in the horizon
 *   and switching every host off would again look free; booting a host back takes longer than
 *   the horizon, so that mistake would be hard to undo.
 * - a tracked request still unfinished when the drain limit is reached counts as unfinished, a
 *   violation, as at the end of a run.
 *
 * Randomness. Without `clairvoyant`, fork k of decision point `salt` is reseeded with
 * "salt/k": its arrivals and failures are a fresh sample, not the real future, and every
 * candidate of one decision is scored on the same K samples (common random numbers, so
 * differences between candidates are not noise between samples). With `clairvoyant`, forks
 * continue the live twin's own future (an oracle that knows the arrivals; K is then 1).
 */
import type { TwinModel } from "../simulator/model.ts";
import type { Totals, Twin } from "../simulator/twin.ts";
import type { Decision, Observation, Policy } from "../simulator/types.ts";
import { steer, type Course } from "./continuation.ts";

/** A candidate to score: the decision now and the course the continuation keeps after it. */
export interface Evaluation {
  decision: Decision;
  course?: Course;
}
import { objectiveVariables, type Objective } from "../simulator/objective.ts";

export interface LookAheadSettings {
  /** intervals run ahead, the candidate's own included (null: autoHorizon, one boot time and one interval) */
  horizon: number | null;
  /** forks averaged (each a different sample of the future) */
  forks: number;
  /** forks see the live twin's real future instead of a sample */
  clairvoyant: boolean;
  /** at most this many extra intervals for the tracked requests to end (null: autoDrain) */
  drainIntervals: number | null;
}

/**
 * The default drain limit: the longest boot plus the longest a request may wait, in intervals,
 * so a candidate that leaves requests waiting for a host to boot sees them served or expired.
 */
export function autoDrain(model: TwinModel): number {
  let boot = 0;
  for (let h = 0; h < model.hostCount; h++) boot = Math.max(boot, model.bootS[h]);
  return Math.ceil(boot / model.intervalS) + Math.ceil(model.maxPendingS / model.intervalS) + 1;
}

/**
 * The default horizon: twice the longest boot time plus two intervals, so a candidate that
 * switches hosts off sees what it costs to bring capacity back when load returns (one boot), and
 * a saving that only shows once a draining host is off and stays off is not cut short (measured
 * on scinet-load-70: 13 intervals found a third of the saving 26 find; 40 found no more).
 */
export function autoHorizon(model: TwinModel): number {
  let boot = 0;
  for (let h = 0; h < model.hostCount; h++) boot = Math.max(boot, model.bootS[h]);
  return 2 * Math.ceil(boot / model.intervalS) + 2;
}

/** Requests arriving after the decision that are always tracked (see above). */
const MIN_NEW_ARRIVALS = 1;

export const DEFAULT_LOOKAHEAD: LookAheadSettings = { horizon: null, forks: 1, clairvoyant: false, drainIntervals: null };

export class InfeasibleCandidateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InfeasibleCandidateError";
  }
}

export class LookAhead {
  constructor(
    readonly model: TwinModel,
    readonly objective: Objective,
    readonly continuation: Policy,
    readonly settings: LookAheadSettings,
  ) {
    const hz = settings.horizon ?? autoHorizon(model);
    if (!(Number.isInteger(hz) && hz >= 1)) throw new Error(`look-ahead horizon must be a positive integer, got ${settings.horizon}`);
    this.horizon = hz;
    if (!(Number.isInteger(settings.forks) && settings.forks >= 1)) throw new Error(`look-ahead forks must be a positive integer, got ${settings.forks}`);
    const d = settings.drainIntervals;
    if (d !== null && !(Number.isInteger(d) && d >= 0)) throw new Error(`look-ahead drain must be a non-negative integer, got ${d}`);
    this.drainIntervals = d ?? autoDrain(model);
  }

  /** the drain limit in use */
  readonly drainIntervals: number;
  /** the horizon in use */
  readonly horizon: number;

  /**
   * Shows the continuation the live observation (it may keep state, as target tracking keeps its
   * stabilisation window) and returns its decision there: forks then continue from that state.
   */
  observe(obs: Observation): Decision {
    return this.continuation.decide(obs);
  }

  /** The same look-ahead with another continuation (e.g. a clone carrying the same state). */
  withContinuation(p: Policy): LookAhead {
    return new LookAhead(this.model, this.objective, p, this.settings);
  }

  /** Mean score over the forks of `twin` (left unchanged) with `decision` applied now. */
  score(twin: Twin, decision: Decision, salt: string, course?: Course): number {
    const xs = this.scoreForks(twin, decision, salt, course);
    let sum = 0;
    for (const x of xs) sum += x;
    return sum / xs.length;
  }

  /** The score on each of the forks (fork k of a decision point is the same sample for every candidate). */
  scoreForks(twin: Twin, decision: Decision, salt: string, course?: Course): number[] {
    const K = this.settings.clairvoyant ? 1 : this.settings.forks;
    const out: number[] = [];
    for (let k = 0; k < K; k++) out.push(this.scoreFork(this.settings.clairvoyant ? twin.fork() : twin.fork(`${salt}/${k}`), decision, course));
    return out;
  }

  /**
   * Scores on `n` forks drawn with their own salt (`salt`/v0, v1, ...: samples the search never
   * saw), one score per fork, so two candidates can be compared fork by fork.
   */
  scoreEach(twin: Twin, e: Evaluation, salt: string, n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(this.scoreFork(twin.fork(`${salt}/v${k}`), e.decision, e.course));
    return out;
  }

  /** The score of one fork (mutated). */
  scoreFork(f: Twin, decision: Decision, course?: Course): number {
    const horizon = this.horizon;
    const drainIntervals = this.drainIntervals;
    const t0 = f.totals();
    const policy = steer(this.continuation, course);
    const rejected = f.apply(decision);
    if (rejected.length > 0) throw new InfeasibleCandidateError(`the twin rejected a candidate: ${rejected.map((r) => `${r.target}: ${r.reason}`).join("; ")}`);
    f.finishInterval(policy);
    for (let k = 1; k < horizon; k++) {
      f.apply(policy.decide(f.observe()));
      f.finishInterval(policy);
    }
    const t1 = f.totals();
    // Requests are numbered in arrival order, so the tracked ones are those with ids below `tracked`.
    const tracked = Math.max(t1.arrived, t0.arrived + MIN_NEW_ARRIVALS);
    let drained = 0;
    while (drained < drainIntervals && (f.totals().arrived < tracked || f.inFlightBelow(tracked) > 0)) {
      f.apply(policy.decide(f.observe()));
      f.finishInterval(policy);
      drained++;
    }
    const t2 = f.totals();
    const end: Totals = { ...t2, time: t1.time, energyJ: t1.energyJ, costUSD: t1.costUSD, busyS: t1.busyS };
    const unfinished = drained === drainIntervals ? f.inFlightBelow(tracked) : 0;
    return this.objective.evaluate(objectiveVariables(this.model, t0, end, this.objective.economics, unfinished));
  }
}
