/** The benchmark's gap to exhaustive search, on the tiny instance (see tiny.ts). */
import { EXHAUSTIVE_LIMIT, spaceSizeBound } from "../../oracle/search/exhaustive.ts";
import { runSearch } from "../../oracle/search/index.ts";
import { tinyContext, tinyPointAt } from "../../oracle/tiny.ts";

export interface TinyGap {
  points: number;
  seeds: number;
  budget: number;
  spaceMean: number;
  worst: { anneal: number; ga: number };
  mean: { anneal: number; ga: number };
}

export function tinyGap(points = 8, seeds = 10, budget = 60): TinyGap {
  const worst = { anneal: 0, ga: 0 };
  const sum = { anneal: 0, ga: 0 };
  let n = 0;
  let space = 0;
  let used = 0;
  for (let k = 1; used < points && k < 4 * points; k++) {
    const p = tinyPointAt(k);
    if (p.obs.pending.length === 0) continue;
    const ex = tinyContext(p, "exhaustive", { evals: Infinity });
    if (spaceSizeBound(ex.space) > EXHAUSTIVE_LIMIT) continue;
    runSearch("exhaustive", ex);
    const exact = ex.best!.score;
    space += ex.evaluations;
    used++;
    for (let s = 0; s < seeds; s++) {
      for (const m of ["anneal", "ga"] as const) {
        const c = tinyContext(p, `${m}:${k}:${s}`, { evals: budget });
        runSearch(m, c);
        const gap = Math.max(0, (c.best!.score - exact) / Math.abs(exact));
        worst[m] = Math.max(worst[m], gap);
        sum[m] += gap;
      }
      n++;
    }
  }
  return { points: used, seeds, budget, spaceMean: space / used, worst, mean: { anneal: sum.anneal / n, ga: sum.ga / n } };
}
