/**
 * The twin against queueing theory: one 1-vCPU host under processor sharing with Poisson arrivals
 * and exponential work is an M/M/1-PS queue, whose mean response time is 1 / (mu - lambda)
 * (insensitive to the work distribution, but exponential here).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, run } from "../helpers/twin.ts";

function mm1(lambda: number, mu: number, seed: number, horizonS: number): { mean: number; n: number } {
  const intervalS = 1000;
  const { twin } = makeTwin(
    {
      intervalS,
      sizes: [{ name: "one", vcpus: 1, ramMB: 1e9, mipsPerVcpu: 1000, pricePerHour: 0, powerCurve: "ibm-x3200-m2" }],
      hosts: [{ size: "one" }],
      admission: "arrival",
      applications: { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi: 1000 / mu, ramMB: 1 }] }] }] },
      workload: { kind: "poisson", ratePerInterval: lambda * intervalS, size: { dist: "exponential", mean: 1 }, deadline: { seconds: [1e9, 1e9] } },
    },
    seed,
  );
  const policy = fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })) }));
  run(twin, policy, Math.round(horizonS / intervalS));
  const t = twin.totals();
  return { mean: t.responseSum / t.completed, n: t.completed };
}


test("M/M/1 processor sharing: mean response 1 / (mu - lambda) within 2 %", () => {
  // lambda = 0.5/s, mu = 1/s: E[T] = 1 / (1 - 0.5) = 2 s. 200,000 s gives about 100,000 requests.
  for (const seed of [1, 2]) {
    const { mean, n } = mm1(0.5, 1, seed, 200_000);
    assert.ok(n > 95_000, `only ${n} requests completed`);
    assert.ok(Math.abs(mean - 2) / 2 < 0.02, `seed ${seed}: mean response ${mean}, expected 2 within 2 %`);
  }
});

test("M/M/1 processor sharing at higher load: lambda = 0.8, mu = 2 -> E[T] = 1/1.2 s", () => {
  const { mean } = mm1(0.8, 2, 3, 200_000);
  assert.ok(Math.abs(mean - 1 / 1.2) / (1 / 1.2) < 0.02, `mean response ${mean}, expected ${1 / 1.2} within 2 %`);
});
