/**
 * The twin against queueing theory.
 *
 * - `admission: arrival`: one 1-vCPU host under processor sharing with Poisson arrivals is an
 *   M/G/1-PS queue, whose mean response time is 1 / (mu - lambda) whatever the work distribution
 *   (PS is insensitive to it).
 * - `admission: interval`: requests wait for the next interval start, uniformly distributed over
 *   the interval for Poisson arrivals: on a host with a vCPU for every request the mean response
 *   is intervalS / 2 + the work time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, run } from "../helpers/twin.ts";
import type { Twin } from "../../simulator/twin.ts";

const ONE_VCPU = { name: "one", vcpus: 1, ramMB: 1e9, mipsPerVcpu: 1000, pricePerHour: 0, powerCurve: "ibm-x3200-m2" };

function queue(lambda: number, mu: number, size: "exponential" | "constant", seed: number, horizonS: number, intervalS = 1000): Twin {
  const { twin } = makeTwin(
    {
      intervalS,
      sizes: [ONE_VCPU],
      hosts: [{ size: "one" }],
      admission: "arrival",
      maxPendingIntervals: 1e9,
      applications: { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi: 1000 / mu, ramMB: 1 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: lambda * intervalS, size: size === "constant" ? { dist: "constant" } : { dist: "exponential", mean: 1 }, deadline: { seconds: [1e9, 1e9] } },
    },
    seed,
  );
  const policy = fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })) }));
  run(twin, policy, Math.round(horizonS / intervalS));
  return twin;
}

function mm1(lambda: number, mu: number, seed: number, horizonS: number): { mean: number; n: number } {
  const t = queue(lambda, mu, "exponential", seed, horizonS).totals();
  return { mean: t.responseSum / t.completed, n: t.completed };
}

test("M/M/1 processor sharing at rho 0.5: mean response 1 / (mu - lambda) within 2 %", () => {
  // lambda = 0.5/s, mu = 1/s: E[T] = 1 / (1 - 0.5) = 2 s. 200,000 s gives about 100,000 requests.
  for (const seed of [1, 2]) {
    const { mean, n } = mm1(0.5, 1, seed, 200_000);
    assert.ok(n > 95_000, `only ${n} requests completed`);
    assert.ok(Math.abs(mean - 2) / 2 < 0.02, `seed ${seed}: mean response ${mean}, expected 2 within 2 %`);
  }
});

/**
 * M/D/1-PS at high load (constant work 1/mu: PS's mean is still 1 / (mu - lambda)). Near
 * saturation a run's mean response wanders by several percent with the arrivals it happened to
 * draw (about 1.6 % at rho 0.9 even over 900,000 requests), so the estimate uses a control
 * variate: the same arrival times run through a first-come-first-served queue (Lindley's
 * recursion, exact), whose mean is known in closed form (Pollaczek-Khinchine: 1/mu +
 * rho / (2 mu (1 - rho))). Its relative error tracks the twin's closely; subtracting it removes
 * most of the arrivals' noise. The arrival rate is checked on its own, since a wrong rate would
 * shift both.
 */
function highLoad(rho: number, seed: number, horizonS: number): void {
  const mu = 1;
  const lambda = rho * mu;
  const twin = queue(lambda, mu, "constant", seed, horizonS);
  const done = twin.requestRecords.filter((r) => r.status === "completed").sort((a, b) => a.id - b.id);
  // arrivals: Poisson count within 4 standard deviations of lambda * T
  const expected = lambda * horizonS;
  assert.ok(Math.abs(twin.totals().arrived - expected) < 4 * Math.sqrt(expected), `${twin.totals().arrived} arrivals, expected about ${expected}`);
  let ps = 0;
  let fcfs = 0;
  let wait = 0;
  for (let k = 0; k < done.length; k++) {
    if (k > 0) wait = Math.max(0, wait + 1 / mu - (done[k].arrival - done[k - 1].arrival));
    fcfs += wait + 1 / mu;
    ps += done[k].end - done[k].arrival;
  }
  ps /= done.length;
  fcfs /= done.length;
  const psTheory = 1 / (mu - lambda);
  const fcfsTheory = 1 / mu + rho / (2 * mu * (1 - rho));
  const corrected = psTheory * (ps / psTheory - (fcfs / fcfsTheory - 1));
  assert.ok(
    Math.abs(corrected - psTheory) / psTheory < 0.02,
    `rho ${rho}, seed ${seed}: mean response ${corrected} (raw ${ps}, FCFS ${fcfs} vs ${fcfsTheory}), expected ${psTheory} within 2 %`,
  );
}

test("M/D/1 processor sharing at rho 0.8: mean response 1 / (mu - lambda) = 5 s within 2 %", () => {
  highLoad(0.8, 3, 300_000);
});

test("M/D/1 processor sharing at rho 0.9: mean response 1 / (mu - lambda) = 10 s within 2 %", () => {
  highLoad(0.9, 4, 300_000);
});

/** Poisson arrivals at 2/s, 1 s of work each on a 1,000-vCPU host: nobody shares a vCPU. */
function infiniteServer(admission: "interval" | "arrival"): { mean: number; n: number } {
  const intervalS = 10;
  const { twin } = makeTwin(
    {
      intervalS,
      sizes: [{ ...ONE_VCPU, name: "wide", vcpus: 1000 }],
      hosts: [{ size: "wide" }],
      admission,
      applications: { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi: 1000, ramMB: 1 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: 2 * intervalS, size: { dist: "constant" }, deadline: { seconds: [1e9, 1e9] } },
    },
    7,
  );
  const policy = fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })) }));
  run(twin, policy, 5_000);
  const t = twin.totals();
  return { mean: t.responseSum / t.completed, n: t.completed };
}

test("admission: interval adds half an interval to every response; admission: arrival adds nothing", () => {
  // 5,000 intervals of 10 s, about 100,000 requests. Waiting for the next interval start is
  // uniform on [0, 10 s): 5 s on average (its standard error here is 10 / sqrt(12 * 100,000) =
  // 0.009 s), plus 1 s of work: 6 s. Deciding at each arrival: exactly the 1 s of work.
  const interval = infiniteServer("interval");
  assert.ok(interval.n > 95_000, `only ${interval.n} requests completed`);
  assert.ok(Math.abs(interval.mean - 6) / 6 < 0.01, `admission interval: mean response ${interval.mean}, expected 6 within 1 %`);
  const arrival = infiniteServer("arrival");
  assert.ok(Math.abs(arrival.mean - 1) < 1e-9, `admission arrival: mean response ${arrival.mean}, expected 1`);
});
