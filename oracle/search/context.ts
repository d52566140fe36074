/**
 * What every search method works with: the space, a seeded random stream, and a memoised,
 * budgeted evaluator that remembers the best and runner-up candidates seen.
 */
import { performance } from "node:perf_hooks";
import type { RandomStream } from "../../simulator/engine/random.ts";
import type { Evaluation } from "../score.ts";
import type { Candidate, SearchSpace } from "../candidate.ts";

/** Scores candidates (lower is better): one score per look-ahead fork each, in one batch so a worker pool can share it out. */
export interface Evaluator {
  evaluate(items: Evaluation[]): number[][];
}

export interface Budget {
  /** distinct candidates scored (deterministic: same seed, same decisions) */
  evals?: number;
  /**
   * wall-clock milliseconds, a hard limit: no evaluation starts that the measured cost of the
   * evaluations so far says would end after it (decisions then depend on the machine's speed)
   */
  ms?: number;
  /** expected cost of one evaluation, ms, before any has been measured (e.g. the last decision's) */
  evalMsHint?: number;
  /** stop after this many evaluations without a new best (0: never) */
  patience?: number;
}

export interface Scored {
  candidate: Candidate;
  score: number;
  key: string;
}

/** distinct candidates kept with their scores (the learner's alternatives) */
export const TOP_KEPT = 5;

export class SearchContext {
  /** distinct candidates scored */
  evaluations = 0;
  /** candidates asked for, memo hits included */
  requests = 0;
  best: Scored | null = null;
  runnerUp: Scored | null = null;
  private readonly cache = new Map<string, number>();
  /** per-fork scores of every candidate scored (for paired comparisons) */
  private readonly forks = new Map<string, number[]>();
  private readonly t0: number;
  private lastImprovement = 0;
  private evalTimeMs = 0;
  private timedEvals = 0;
  private outOfTime = false;

  constructor(
    readonly space: SearchSpace,
    private readonly evaluator: Evaluator,
    readonly rng: RandomStream,
    readonly budget: Budget,
    /** decisions to start from (e.g. baselines'), already turned into candidates */
    readonly seeds: Candidate[] = [],
  ) {
    if (budget.evals === undefined && budget.ms === undefined) throw new Error("a search budget needs evals or ms");
    this.t0 = performance.now();
  }

  /** Scores candidates, each distinct decision once; new ones are evaluated in one batch. */
  scoreAll(cands: Candidate[]): number[] {
    const keys = cands.map((c) => this.space.key(c));
    const out = new Array<number>(cands.length);
    const fresh: number[] = [];
    const freshKeys = new Set<string>();
    for (let i = 0; i < cands.length; i++) {
      this.requests++;
      const s = this.cache.get(keys[i]);
      if (s !== undefined) out[i] = s;
      else if (!freshKeys.has(keys[i])) {
        freshKeys.add(keys[i]);
        fresh.push(i);
      }
    }
    if (fresh.length > 0) {
      // a wall-clock limit is hard: evaluate only what the measured cost says fits in what is left
      let n = fresh.length;
      if (this.budget.ms !== undefined) {
        const per = this.evalMs();
        const left = this.budget.ms - this.elapsedMs();
        n = Math.max(0, Math.min(n, per > 0 ? Math.floor(left / per) : n));
        if (this.evaluations === 0 && n === 0 && left > 0) n = 1;
      }
      const t0 = performance.now();
      const scores = n > 0 ? this.evaluator.evaluate(fresh.slice(0, n).map((i) => this.space.toEvaluation(cands[i]))) : [];
      if (n > 0) {
        this.evalTimeMs += performance.now() - t0;
        this.timedEvals += n;
      }
      for (let k = 0; k < n; k++) {
        const i = fresh[k];
        const s = mean(scores[k]);
        this.forks.set(keys[i], scores[k]);
        this.cache.set(keys[i], s);
        this.evaluations++;
        this.note(cands[i], s, keys[i]);
      }
      if (n < fresh.length) this.outOfTime = true;
      for (let i = 0; i < cands.length; i++) if (out[i] === undefined) out[i] = this.cache.get(keys[i]) ?? Infinity;
    }
    return out;
  }

  score(c: Candidate): number {
    return this.scoreAll([c])[0];
  }

  /** The score of a candidate already scored (undefined if it was not). */
  cachedScore(c: Candidate): number | undefined {
    return this.cache.get(this.space.key(c));
  }

  /** The per-fork scores of a candidate already scored (undefined if it was not). */
  forkScores(c: Candidate): number[] | undefined {
    return this.forks.get(this.space.key(c));
  }

  /** mean cost of one evaluation so far, ms (the hint before any) */
  evalMs(): number {
    return this.timedEvals > 0 ? this.evalTimeMs / this.timedEvals : (this.budget.evalMsHint ?? 0);
  }

  /** Has the budget run out? (evaluations, time, patience, or a space that yields nothing new) */
  exhausted(): boolean {
    const b = this.budget;
    if (this.outOfTime) return true;
    if (b.evals !== undefined && this.evaluations >= b.evals) return true;
    if (b.ms !== undefined && this.elapsedMs() + this.evalMs() > b.ms) return true;
    if (b.patience && this.evaluations - this.lastImprovement >= b.patience) return true;
    // every proposal a memo hit for a long while: the reachable space is used up
    return this.requests > 50 + 20 * Math.max(this.evaluations, 1);
  }

  /** Fraction of the budget used, in [0, 1] (drives annealing temperatures). */
  progress(): number {
    const b = this.budget;
    let p = 0;
    if (b.evals !== undefined) p = Math.max(p, this.evaluations / b.evals);
    if (b.ms !== undefined) p = Math.max(p, (performance.now() - this.t0) / b.ms);
    return Math.min(1, p);
  }

  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** the best distinct candidates scored, best first (at most TOP_KEPT) */
  readonly top: Scored[] = [];

  private note(c: Candidate, s: number, key: string): void {
    if (this.best === null || s < this.best.score) {
      if (this.best !== null) this.runnerUp = this.best;
      this.best = { candidate: this.space.clone(c), score: s, key };
      this.lastImprovement = this.evaluations;
    } else if (this.runnerUp === null || s < this.runnerUp.score) {
      this.runnerUp = { candidate: this.space.clone(c), score: s, key };
    }
    if (this.top.length < TOP_KEPT || s < this.top[this.top.length - 1].score) {
      const entry = this.best.key === key ? this.best : { candidate: this.space.clone(c), score: s, key };
      let i = this.top.length;
      while (i > 0 && this.top[i - 1].score > s) i--;
      this.top.splice(i, 0, entry);
      if (this.top.length > TOP_KEPT) this.top.pop();
    }
  }
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Is `b` better (lower) than `a`, fork by fork: mean paired gain above two standard errors? */
export function clearlyBetter(a: readonly number[], b: readonly number[]): boolean {
  const n = a.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += (a[k] - b[k]) / n;
  if (!(mean > 0)) return false;
  let v = 0;
  for (let k = 0; k < n; k++) v += (a[k] - b[k] - mean) ** 2;
  const se = n > 1 ? Math.sqrt(v / (n - 1) / n) : Infinity;
  return mean > 2 * se;
}
