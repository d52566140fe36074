/** The search methods by name. Each fills the context's best and runner-up candidates. */
import { anneal } from "./anneal.ts";
import type { SearchContext } from "./context.ts";
import { exhaustive } from "./exhaustive.ts";
import { geneticSearch } from "./ga.ts";
import { greedy } from "./greedy.ts";

export const SEARCH_METHODS = ["anneal", "ga", "greedy", "exhaustive"] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

export interface MethodOptions {
  /** neighbours the annealer scores per step (a worker pool wants several) */
  batch?: number;
  /** GA population */
  population?: number;
}

export function runSearch(method: SearchMethod, ctx: SearchContext, opts: MethodOptions = {}): void {
  switch (method) {
    case "anneal":
      anneal(ctx, { batch: opts.batch ?? 1 });
      return;
    case "ga":
      geneticSearch(ctx, { population: opts.population ?? 16, tournament: 3, crossover: 0.8, mutations: 1.5 });
      return;
    case "greedy":
      greedy(ctx);
      return;
    case "exhaustive":
      exhaustive(ctx);
      return;
  }
}
