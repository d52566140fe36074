/**
 * Spending limits, checked before any call: a start that would take the allocated hosts above
 * `maxVms` or their price above `maxUsdPerHour` is refused (the twin is told, so it does not
 * count on the host). Stops are always allowed and counted first, so a plan that swaps hosts
 * within the limit passes.
 */
export interface Limits {
  maxVms?: number;
  maxUsdPerHour?: number;
}

export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitError";
  }
}

export interface LimitVerdict {
  allowed: number[];
  refused: Array<{ host: number; reason: string }>;
}

/**
 * Which of `starts` fit, given the hosts allocated now (after the plan's stops) and each host's
 * price per hour. Starts are taken in order; one that does not fit is refused, later cheaper ones
 * may still fit.
 */
export function admitStarts(allocated: ReadonlySet<number>, starts: readonly number[], price: (h: number) => number, l: Limits): LimitVerdict {
  let n = allocated.size;
  let usd = 0;
  for (const h of allocated) usd += price(h);
  const out: LimitVerdict = { allowed: [], refused: [] };
  for (const h of starts) {
    if (allocated.has(h)) {
      out.allowed.push(h);
      continue;
    }
    const p = price(h);
    if (l.maxVms !== undefined && n + 1 > l.maxVms) {
      out.refused.push({ host: h, reason: `--max-vms ${l.maxVms}: ${n} allocated already` });
      continue;
    }
    if (l.maxUsdPerHour !== undefined && usd + p > l.maxUsdPerHour + 1e-12) {
      out.refused.push({ host: h, reason: `--max-usd-per-hour ${l.maxUsdPerHour}: ${round4(usd)} USD/h allocated, host costs ${p}` });
      continue;
    }
    n++;
    usd += p;
    out.allowed.push(h);
  }
  return out;
}

/** The hosts a scenario starts with must fit the limits, or nothing is started at all. */
export function checkInitial(initialOn: readonly number[], price: (h: number) => number, l: Limits): void {
  const v = admitStarts(new Set(), initialOn, price, l);
  if (v.refused.length > 0) {
    const usd = initialOn.reduce((s, h) => s + price(h), 0);
    throw new LimitError(`the scenario starts with ${initialOn.length} host(s) on (${round4(usd)} USD/h), above the limits (${v.refused[0].reason}): raise the limit or start fewer hosts (hosts[].initial: off)`);
  }
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
