/**
 * Greedy construction, the start of the other methods. It scales to hundreds of pending requests
 * by deciding in groups first:
 * 1. the best starting point: doing nothing, each seed (the strongest baselines' decisions), or
 *    every request on its first option;
 * 2. per application: every pending request of that application switched to one option (or left
 *    pending), placed on the least loaded hosts; the best option kept, application by application;
 * 3. provisioning: per host size, one more host started (the cheapest off) or one fewer kept
 *    (the most expensive on), kept when it improves the score (single hosts are the annealer's);
 * 4. the requests one by one (arrival order) while the budget lasts.
 */
import type { Candidate } from "../candidate.ts";
import { clearlyBetter, type SearchContext } from "./context.ts";

export function greedy(ctx: SearchContext): Candidate {
  const space = ctx.space;
  const starts = [space.empty(), ...ctx.seeds];
  const all = space.empty();
  for (let r = 0; r < space.requests.length; r++) space.place(all, r, 0, null);
  starts.push(all);
  const scores = ctx.scoreAll(starts);
  let best = 0;
  for (let i = 1; i < starts.length; i++) if (scores[i] < scores[best]) best = i;
  let cur = starts[best];
  let curScore = scores[best];

  // A change is kept only if it is better on every look-ahead sample taken together (paired,
  // by two standard errors), not on their mean alone: a mean lowered by one lucky sample would
  // walk the construction into risky decisions.
  const tryAll = (tries: Candidate[]): boolean => {
    if (tries.length === 0 || ctx.exhausted()) return false;
    const s = ctx.scoreAll(tries);
    const base = ctx.forkScores(cur);
    let pick = -1;
    for (let i = 0; i < tries.length; i++) {
      if (!(s[i] < curScore)) continue;
      const f = ctx.forkScores(tries[i]);
      if (base && f && base.length > 1 && !clearlyBetter(base, f)) continue;
      if (pick < 0 || s[i] < s[pick]) pick = i;
    }
    if (pick < 0) return false;
    cur = tries[pick];
    curScore = s[pick];
    return true;
  };

  // 2. per application (deferring a whole application is left to the annealer)
  for (const app of space.appsPending()) {
    const tries: Candidate[] = [];
    for (let o = 0; o < space.optionsOfApp(app); o++) {
      const t = space.clone(cur);
      if (space.setAppOption(t, app, o, null)) tries.push(t);
    }
    tryAll(tries);
  }

  // 3. provisioning, by size then host by host
  const sized: Candidate[] = [];
  for (const move of space.sizeMoves(cur)) {
    const t = space.clone(cur);
    space.setHost(t, move.host, move.on, null);
    sized.push(t);
  }
  tryAll(sized);

  // 4. requests one by one
  for (let r = 0; r < space.requests.length && !ctx.exhausted(); r++) {
    const n = space.requests[r].options.length;
    const tries: Candidate[] = [];
    for (let o = -1; o < n; o++) {
      if (o === cur.variant[r]) continue;
      const t = space.clone(cur);
      if (o < 0) space.unplace(t, r);
      else if (!space.place(t, r, o, null)) continue;
      tries.push(t);
    }
    tryAll(tries);
  }
  return cur;
}
