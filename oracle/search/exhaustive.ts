/**
 * Exhaustive enumeration of every feasible joint decision: each combination of host on/off bits,
 * and for each pending request either "leave pending" or every variant on every combination of
 * hosts that fits. The ground truth for tiny instances; it ignores the budget and refuses spaces
 * above `limit` candidates (counted before anything is scored).
 */
import { InputError } from "../../simulator/errors.ts";
import { HOST_DRAINING, HOST_ON } from "../../simulator/types.ts";
import type { Candidate, SearchSpace } from "../candidate.ts";
import type { SearchContext } from "./context.ts";

export const EXHAUSTIVE_LIMIT = 200_000;

/** An upper bound of the number of candidates (hosts on or draining all usable, RAM ignored). */
export function spaceSizeBound(space: SearchSpace): number {
  let n = 2 ** space.changeable.length;
  let H = 0;
  for (let h = 0; h < space.hostCount; h++) if (space.state[h] === HOST_ON || space.state[h] === HOST_DRAINING) H++;
  for (const r of space.requests) {
    let per = 1;
    for (const o of r.options) per += H ** o.ram.length;
    n *= per;
  }
  return n;
}

/** Every feasible candidate, in a fixed order (passed to `visit` as a reused object: clone to keep). */
export function enumerate(space: SearchSpace, visit: (c: Candidate) => void): void {
  const c = space.empty();
  const hosts = space.changeable;
  const F = space.maxFragments;

  const requests = (r: number): void => {
    if (r === space.requests.length) {
      visit(c);
      return;
    }
    requests(r + 1); // leave pending
    const opts = space.requests[r].options;
    for (let o = 0; o < opts.length; o++) {
      const ram = opts[o].ram;
      const chosen = new Array<number>(ram.length);
      const fragments = (j: number): void => {
        if (j === ram.length) {
          if (space.placeOn(c, r, o, chosen)) {
            requests(r + 1);
            space.unplace(c, r);
          }
          return;
        }
        for (let h = 0; h < space.hostCount; h++) {
          if (!space.usable(c, h)) continue;
          chosen[j] = h;
          fragments(j + 1);
        }
      };
      fragments(0);
    }
    for (let j = 0; j < F; j++) c.place[r * F + j] = -1;
  };

  const power = (i: number): void => {
    if (i === hosts.length) {
      requests(0);
      return;
    }
    const h = hosts[i];
    for (const on of [space.baseOn[h], 1 - space.baseOn[h]] as Array<0 | 1>) {
      c.on[h] = on;
      power(i + 1);
    }
    c.on[h] = space.baseOn[h];
  };
  power(0);
}

export function exhaustive(ctx: SearchContext, limit = EXHAUSTIVE_LIMIT): void {
  const bound = spaceSizeBound(ctx.space);
  if (bound > limit) {
    throw new InputError(`exhaustive search: up to ${bound} candidates (${ctx.space.changeable.length} switchable hosts, ${ctx.space.requests.length} pending requests), above the limit of ${limit}; use method anneal or ga`);
  }
  const all: Candidate[] = [];
  enumerate(ctx.space, (c) => all.push(ctx.space.clone(c)));
  const BATCH = 256;
  for (let i = 0; i < all.length; i += BATCH) ctx.scoreAll(all.slice(i, i + BATCH));
}
