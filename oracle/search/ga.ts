/**
 * A genetic algorithm over whole decisions. Genes are grouped by what they decide together: one
 * gene per host (its on/off bit) and one per pending request (its variant with the hosts of all
 * its fragments), so crossover never splits a request's placement. Children are repaired to
 * feasibility (SearchSpace.repair), then mutated with the annealer's moves. Each generation is
 * scored as one batch; the population is the best distinct candidates among parents and
 * children (elitist, mu + lambda).
 */
import type { Candidate } from "../candidate.ts";
import type { SearchContext } from "./context.ts";
import { greedy } from "./greedy.ts";

export interface GaOptions {
  population: number;
  tournament: number;
  /** probability that a child is a crossover of two parents (else a copy of one) */
  crossover: number;
  /** mean number of moves applied to a child */
  mutations: number;
}

export const DEFAULT_GA: GaOptions = { population: 16, tournament: 3, crossover: 0.8, mutations: 1.5 };

interface Member {
  c: Candidate;
  score: number;
  key: string;
}

export function geneticSearch(ctx: SearchContext, opts: GaOptions = DEFAULT_GA): void {
  const space = ctx.space;
  const rng = ctx.rng;
  const P = Math.max(4, opts.population);
  const start = greedy(ctx);

  // Initial population: the greedy start, the seeds, and mutants of the start.
  let initial: Candidate[] = [start, ...ctx.seeds];
  while (initial.length < P) {
    const m = space.clone(start);
    const k = 1 + rng.int(0, 3);
    for (let i = 0; i < k; i++) space.mutate(m, rng);
    initial.push(m);
  }
  initial = initial.slice(0, P);
  let pop = rank(initial, ctx.scoreAll(initial), P);

  while (!ctx.exhausted()) {
    const children: Candidate[] = [];
    while (children.length < P) {
      const a = pick(pop, opts.tournament);
      let child: Candidate;
      const crossed = rng.next() < opts.crossover;
      if (crossed) child = cross(a.c, pick(pop, opts.tournament).c);
      else child = space.clone(a.c);
      // a geometric number of moves with mean `mutations`; a copy gets at least one
      let moves = 0;
      while (rng.next() < opts.mutations / (1 + opts.mutations)) moves++;
      if (!crossed && moves === 0) moves = 1;
      for (let i = 0; i < moves; i++) space.mutate(child, rng);
      children.push(child);
    }
    const scores = ctx.scoreAll(children);
    const merged = [...pop.map((m) => m.c), ...children];
    pop = rank(merged, [...pop.map((m) => m.score), ...scores], P);
  }

  function pick(pop: Member[], size: number): Member {
    let best = pop[rng.int(0, pop.length - 1)];
    for (let i = 1; i < size; i++) {
      const m = pop[rng.int(0, pop.length - 1)];
      if (m.score < best.score) best = m;
    }
    return best;
  }

  function cross(a: Candidate, b: Candidate): Candidate {
    const child = space.clone(a);
    for (const h of space.changeable) if (rng.next() < 0.5) child.on[h] = b.on[h];
    const F = space.maxFragments;
    for (let r = 0; r < space.requests.length; r++) {
      if (rng.next() < 0.5) continue;
      child.variant[r] = b.variant[r];
      for (let j = 0; j < F; j++) child.place[r * F + j] = b.place[r * F + j];
    }
    space.repair(child, rng);
    return child;
  }

  function rank(cands: Candidate[], scores: number[], size: number): Member[] {
    const seen = new Set<string>();
    const out: Member[] = [];
    const order = cands.map((_, i) => i).sort((x, y) => scores[x] - scores[y] || x - y);
    for (const i of order) {
      const key = space.key(cands[i]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ c: cands[i], score: scores[i], key });
      if (out.length === size) break;
    }
    return out;
  }
}
