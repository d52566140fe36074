/**
 * Greedy construction, the start of the other methods: begin from the best starting point (doing
 * nothing, or a seed such as a baseline's decision), then fix the requests one by one in arrival
 * order (each to its best variant on the least loaded hosts, or left pending), then sweep the
 * hosts once, keeping each on/off switch that improves the score, and settle the requests again
 * if the hosts changed.
 */
import type { Candidate } from "../candidate.ts";
import type { SearchContext } from "./context.ts";

export function greedy(ctx: SearchContext): Candidate {
  const space = ctx.space;
  const starts = [space.empty(), ...ctx.seeds];
  // Doing nothing leaves every request pending; also try deploying all with the preferred placement.
  const all = space.empty();
  for (let r = 0; r < space.requests.length; r++) space.place(all, r, 0, null);
  starts.push(all);
  const scores = ctx.scoreAll(starts);
  let best = 0;
  for (let i = 1; i < starts.length; i++) if (scores[i] < scores[best]) best = i;
  let cur = starts[best];
  let curScore = scores[best];

  const settleRequests = (): void => {
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
      if (tries.length === 0) continue;
      const s = ctx.scoreAll(tries);
      for (let i = 0; i < tries.length; i++) {
        if (s[i] < curScore) {
          cur = tries[i];
          curScore = s[i];
        }
      }
    }
  };

  settleRequests();
  let changed = false;
  for (const h of space.changeable) {
    if (ctx.exhausted()) break;
    const t = space.clone(cur);
    space.setHost(t, h, cur.on[h] === 1 ? 0 : 1, null);
    const s = ctx.score(t);
    if (s < curScore) {
      cur = t;
      curScore = s;
      changed = true;
    }
  }
  if (changed) settleRequests();
  return cur;
}
