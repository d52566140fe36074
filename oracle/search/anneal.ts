/**
 * Simulated annealing from the greedy start. Each step proposes `batch` neighbours (one random
 * move each over the three decision kinds, see SearchSpace.mutate), scores them together (a
 * worker pool can share a batch out), and walks to the first one the Metropolis rule accepts.
 *
 * Temperature: the scale of the objective differs between scenarios, so it is learnt online as
 * the mean size of the uphill steps seen; the temperature starts where such a step is accepted
 * with probability 0.3 and falls geometrically to a thousandth of that by the end of the budget.
 */
import type { Candidate } from "../candidate.ts";
import type { SearchContext } from "./context.ts";
import { greedy } from "./greedy.ts";

export interface AnnealOptions {
  /** neighbours scored per step */
  batch: number;
}

const START_ACCEPT = 0.3;
const COOL_TO = 1e-3;

export function anneal(ctx: SearchContext, opts: AnnealOptions = { batch: 1 }): void {
  const space = ctx.space;
  const rng = ctx.rng;
  let cur: Candidate = greedy(ctx);
  let curScore = ctx.score(cur);
  let uphill = 0;
  let uphillCount = 0;
  while (!ctx.exhausted()) {
    const next: Candidate[] = [];
    for (let i = 0; i < opts.batch; i++) {
      const n = space.clone(cur);
      if (space.mutate(n, rng)) next.push(n);
    }
    if (next.length === 0) return;
    const scores = ctx.scoreAll(next);
    const p = ctx.progress();
    for (let i = 0; i < next.length; i++) {
      if (!Number.isFinite(scores[i])) continue; // not scored: out of time
      const delta = scores[i] - curScore;
      if (delta > 0) {
        uphill += delta;
        uphillCount++;
      }
      let accept = delta <= 0;
      if (!accept && uphillCount > 0) {
        const t0 = uphill / uphillCount / -Math.log(START_ACCEPT);
        const t = t0 * Math.pow(COOL_TO, p);
        accept = rng.next() < Math.exp(-delta / t);
      }
      if (accept) {
        cur = next[i];
        curScore = scores[i];
        break;
      }
    }
  }
}
