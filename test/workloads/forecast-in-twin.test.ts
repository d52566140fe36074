/**
 * Forecasts in the observation, and the predictive autoscaler that uses them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RandomStreams } from "../../simulator/engine/random.ts";
import { Twin } from "../../simulator/twin.ts";
import { prepareForecast, warmupCounts } from "../../workloads/forecast-hook.ts";
import { buildTwinModel } from "../../simulator/scenarios.ts";
import { buildArrivals } from "../../workloads/scenario-workload.ts";
import { createPolicy, PolicyError } from "../../simulator/policies/registry.ts";
import { PredictiveAutoscaler } from "../../simulator/policies/predictive-autoscaler.ts";
import { scenario } from "../helpers/twin.ts";

const raw = {
  intervalS: 10,
  hosts: [{ size: "Standard_B2s", count: 4 }],
  workload: { kind: "poisson", ratePerInterval: 4 },
  forecast: { model: "naive", horizon: 3 },
};

test("the observation carries the forecaster's prediction from the arrivals seen so far", async () => {
  const s = scenario(raw);
  const model = buildTwinModel(s, "test.yaml");
  const arrivals = buildArrivals(s, model, new RandomStreams(1), "test.yaml");
  const forecast = await prepareForecast(s, arrivals, 1, "test.yaml");
  const twin = new Twin(model, arrivals, 1, { forecast });
  for (let k = 0; k < 5; k++) {
    const obs = twin.observe();
    if (k < 2) assert.equal(obs.forecast, null, "no forecast before two intervals of history");
    else {
      // naive: the next three intervals repeat the last interval's arrival count
      const last = obs.recentArrivals[obs.recentArrivals.length - 1];
      assert.deepEqual(Array.from(obs.forecast!), [last, last, last]);
    }
    twin.runUntil(twin.intervalEnd);
    twin.closeInterval();
  }
  assert.ok(twin.totals().arrived > 0);
});

test("warm-up history counts arrivals per interval", () => {
  const s = scenario({ ...raw, workload: { kind: "poisson", ratePerInterval: 4 } });
  const model = buildTwinModel(s, "test.yaml");
  const counts = warmupCounts(buildArrivals(s, model, new RandomStreams(3), "test.yaml"), 10, 2000);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  // Poisson mean 4 per interval: standard error sqrt(4 / 2000) = 0.045
  assert.ok(Math.abs(mean - 4) < 0.2, `mean ${mean}`);
});

test("the predictive autoscaler needs a forecast and starts hosts ahead of forecast demand", () => {
  const s = scenario({ intervalS: 10, hosts: [{ size: "Standard_B2s", count: 4 }], workload: { kind: "poisson", ratePerInterval: 1 } });
  const model = buildTwinModel(s, "test.yaml");
  assert.throws(() => createPolicy("predictive+least-loaded", { model, seed: 1, streams: new RandomStreams(1) }), (e: unknown) => {
    assert.ok(e instanceof PolicyError);
    assert.equal((e as Error).message, 'policy "predictive" needs forecasts: scenario test has no "forecast" section');
    return true;
  });
  const twin = new Twin(buildTwinModel(scenario({ intervalS: 10, hosts: [{ size: "Standard_B2s", count: 1 }, { size: "Standard_B2ms", count: 3, initial: "off" }], workload: { kind: "poisson", ratePerInterval: 0 } }), "t"), buildArrivals(s, model, new RandomStreams(1), "t"), 1);
  const obs = twin.observe();
  const p = new PredictiveAutoscaler(0.8, 0.3, 1);
  // One B2s on (2 vCPUs), nothing placed. Forecast peak 3 requests of 1 fragment: demand 3 > 0.8 * 2.
  // Starting the cheapest off host (B2ms, 2 vCPUs) gives 4 vCPUs: 3 <= 3.2, so one start.
  obs.forecast = Float64Array.from([1, 3, 2]);
  assert.deepEqual(p.decide(obs, { workS: () => 1 }), [{ host: 1, action: "start" }]);
  // Peak 6: needs 6 / 0.8 = 7.5 vCPUs -> start three hosts (8 vCPUs).
  obs.forecast = Float64Array.from([6]);
  assert.deepEqual(p.decide(obs, { workS: () => 1 }).map((a) => a.host), [1, 2, 3]);
  // No demand: the single host on stays (minOn = 1).
  obs.forecast = Float64Array.from([0]);
  assert.deepEqual(p.decide(obs, { workS: () => 1 }), []);
});
