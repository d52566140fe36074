/** Builds twins from inline scenarios for tests. */
import { TableArrivals, type ArrivalSource } from "../../simulator/arrivals.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";
import { validateTenantScenario, type TenantScenario } from "../../simulator/scenario.ts";
import { Twin } from "../../simulator/twin.ts";
import type { Decision, Observation, Policy } from "../../simulator/types.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { buildArrivals } from "../../workloads/scenario-workload.ts";
import type { TwinModel } from "../../simulator/model.ts";

export function scenario(raw: Record<string, unknown>): TenantScenario {
  return validateTenantScenario({ name: "test", intervalS: 10, intervals: 10, workload: { kind: "poisson", ratePerInterval: 0 }, ...raw }, "test.yaml");
}

export function makeTwin(raw: Record<string, unknown>, seed = 1, arrivals?: ArrivalSource): { model: TwinModel; twin: Twin; scenario: TenantScenario } {
  const s = scenario(raw);
  const model = buildTwinModel(s, "test.yaml");
  const src = arrivals ?? buildArrivals(s, model, new RandomStreams(seed), "test.yaml");
  return { model, twin: new Twin(model, src, seed, { record: true }), scenario: s };
}

/** Arrivals at given times: [time, app, size, deadline]. */
export function table(rows: Array<[number, number, number, number?]>): TableArrivals {
  return new TableArrivals(
    Float64Array.from(rows.map((r) => r[0])),
    Int32Array.from(rows.map((r) => r[1])),
    Float64Array.from(rows.map((r) => r[3] ?? 1e9)),
    Float64Array.from(rows.map((r) => r[2])),
  );
}

/** A policy from a function (no state). */
export function fnPolicy(decide: (obs: Observation) => Decision): Policy {
  const p: Policy = { name: "test", decide, clone: () => p };
  return p;
}

/** Runs `intervals` intervals, asking `policy` at interval starts (and at arrivals in arrival mode). */
export function run(twin: Twin, policy: Policy, intervals: number): void {
  for (let k = 0; k < intervals; k++) {
    twin.apply(policy.decide(twin.observe()));
    twin.finishInterval(policy);
  }
}

/** A custom host size without CPU credits, on the IBM x3200 M2 curve (75.2 W idle ... 117 W). */
export const PLAIN_2VCPU = {
  name: "plain-2",
  vcpus: 2,
  ramMB: 4096,
  mipsPerVcpu: 2014,
  pricePerHour: 0.096,
  powerCurve: "ibm-x3200-m2",
  bootS: 60,
};
