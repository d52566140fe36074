/**
 * Greedy construction, the start of the other methods. It scales to hundreds of pending requests
 * by deciding in groups first:
 * 1. the best starting point: doing nothing, each seed (the strongest baselines' decisions), or
 *    every request on its first option;
 * 2. per application: every pending request of that application switched to one option (or left
 *    pending), placed on the least loaded hosts; the best option kept, application by application;
 * 3. provisioning: per host size, one more host started (the cheapest off) or one fewer kept
 *    (the most expensive on), kept when it improves the score; then each host once while the
 *    budget lasts;
 * 4. the requests one by one (arrival order) while the budget lasts.
 */
import type { Candidate } from "../candidate.ts";
import type { SearchContext } from "./context.ts";

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

  const tryAll = (tries: Candidate[]): boolean => {
    if (tries.length === 0 || ctx.exhausted()) return false;
    const s = ctx.scoreAll(tries);
    let improved = false;
    for (let i = 0; i < tries.length; i++) {
      if (s[i] < curScore) {
        cur = tries[i];
        curScore = s[i];
        improved = true;
      }
    }
    return improved;
  };

  // 2. per application
  for (const app of space.appsPending()) {
    const tries: Candidate[] = [];
    for (let o = -1; o < space.optionsOfApp(app); o++) {
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
  for (const h of space.changeable) {
    if (ctx.exhausted()) break;
    const t = space.clone(cur);
    space.setHost(t, h, cur.on[h] === 1 ? 0 : 1, null);
    tryAll([t]);
  }

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
