/**
 * A tiny instance where exhaustive search is cheap (a few hundred feasible decisions): the ground
 * truth the tests and the benchmark hold the annealer and the GA to. 3 B2s hosts (one off), 2
 * applications with a one-fragment and a two-fragment variant each, four requests pending at
 * the second decision point, and a steady trickle of arrivals after them.
 */
import { TableArrivals } from "../simulator/arrivals.ts";
import { RandomStream } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import { validateTenantScenario, type TenantScenario } from "../simulator/scenario.ts";
import { Twin } from "../simulator/twin.ts";
import type { Observation } from "../simulator/types.ts";
import { compileObjective } from "../simulator/objective.ts";
import { buildTwinModel } from "../simulator/scenarios.ts";
import { SearchSpace } from "./candidate.ts";
import { defaultContinuation } from "./continuation.ts";
import { LookAhead, type LookAheadSettings } from "./score.ts";
import { SearchContext, type Budget } from "./search/context.ts";

export const TINY_RAW = {
  name: "tiny",
  intervalS: 5,
  intervals: 20,
  hosts: [
    { size: "Standard_B2s", count: 2 },
    { size: "Standard_B2s", count: 1, initial: "off", bootS: 5 },
  ],
  applications: {
    variants: ["full", "compressed", "layer", "semantic"],
    custom: [
      {
        name: "a",
        variants: [
          { kind: "full", accuracy: 0.8, fragments: [{ mi: 12000, ramMB: 1500 }] },
          { kind: "layer", accuracy: 0.8, fragments: [{ mi: 6000, ramMB: 900, outMB: 2 }, { mi: 6000, ramMB: 900 }] },
        ],
      },
      {
        name: "b",
        variants: [
          { kind: "compressed", accuracy: 0.6, fragments: [{ mi: 5000, ramMB: 700 }] },
          { kind: "semantic", accuracy: 0.5, parallel: true, fragments: [{ mi: 3000, ramMB: 1900 }, { mi: 3000, ramMB: 1900 }] },
        ],
      },
    ],
  },
  workload: { kind: "poisson", ratePerInterval: 0.6, deadline: { seconds: [8, 12] } },
  maxPendingIntervals: 4,
  // QoS-heavy, so spreading fragments and keeping hosts on compete with switching them off
  objective: "0.1*energy + 0.1*cost + response + sla - accuracy",
};

export function tinyScenario(): TenantScenario {
  return validateTenantScenario(structuredClone(TINY_RAW), "tiny.yaml");
}

/** Arrivals: the four pending requests, then a steady trickle so the look-ahead has work. */
export function tinyArrivals(): TableArrivals {
  const times = [1, 2, 3, 4];
  const apps = [0, 1, 1, 0];
  for (let t = 6.5, k = 0; t < 400; t += 3.7, k++) {
    times.push(t);
    apps.push(k % 2);
  }
  return new TableArrivals(Float64Array.from(times), Int32Array.from(apps), new Float64Array(times.length).fill(10), new Float64Array(times.length).fill(1));
}

export interface TinyPoint {
  model: TwinModel;
  twin: Twin;
  obs: Observation;
  lookAhead: LookAhead;
}

/** The twin at its second decision point (t = 5 s), with the four requests pending. */
export function tinyPoint(settings: Partial<LookAheadSettings> = {}): TinyPoint {
  const s = tinyScenario();
  const model = buildTwinModel(s, "tiny.yaml");
  const twin = new Twin(model, tinyArrivals(), 1);
  twin.observe();
  twin.apply({});
  twin.runUntil(twin.intervalEnd);
  twin.closeInterval();
  const obs = twin.observe();
  const lookAhead = new LookAhead(model, compileObjective(s.objective), defaultContinuation(model), {
    horizon: 2,
    forks: 1,
    clairvoyant: false,
    drainIntervals: null,
    ...settings,
  });
  return { model, twin, obs, lookAhead };
}

export function tinyContext(p: TinyPoint, seed: string, budget: Budget): SearchContext {
  const space = new SearchSpace(p.obs, p.model);
  return new SearchContext(space, { evaluate: (items) => items.map((e) => p.lookAhead.scoreForks(p.twin, e.decision, "tiny", e.course)) }, new RandomStream(seed), budget);
}

/** The twin run on to decision point `k` (>= 1) with the default continuation deciding. */
export function tinyPointAt(k: number, settings: Partial<LookAheadSettings> = {}): TinyPoint {
  const p = tinyPoint(settings);
  const policy = defaultContinuation(p.model);
  let obs = p.obs;
  for (let i = 1; i < k; i++) {
    p.twin.apply(policy.decide(obs));
    p.twin.runUntil(p.twin.intervalEnd);
    p.twin.closeInterval();
    obs = p.twin.observe();
  }
  return { ...p, obs };
}
