import assert from "node:assert/strict";
import { test } from "node:test";
import { lowerBound, minSlopeFromIdle, runArrivals } from "../../oracle/bound.ts";
import { buildTwinModel, loadTenantScenario, scenarioObjective } from "../../simulator/scenarios.ts";
import { runTenant } from "../../src/runner.ts";
import { ensurePolicies } from "../../src/policies.ts";
import { scenario, table } from "../helpers/twin.ts";
import { cli } from "../helpers/cli.ts";
import { VERSION } from "../../simulator/version.ts";

// One host of 1 vCPU x 1,000 MIPS at 3.6 USD/h on a linear curve of 100 W idle, 200 W busy;
// energy at 0.36 USD/kWh = 1e-7 USD/J; 10 s intervals. Per interval the host costs
// 0.01 USD + 100 W x 10 s x 1e-7 = 0.0101 USD and gives 10,000 MI; work above idle costs
// 100 W / 1,000 MI/s = 0.1 J = 1e-8 USD per MI. One application: full (5,000 MI, 80 %) or
// compressed (2,000 MI, 79 %: one point below the best, at 0.001 USD per point).
const SIZE = { name: "one", vcpus: 1, ramMB: 4096, mipsPerVcpu: 1000, pricePerHour: 3.6, powerCurve: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200], bootS: 0 };
const RAW = {
  intervalS: 10,
  intervals: 1,
  sizes: [SIZE],
  hosts: [{ size: "one" }],
  admission: "arrival",
  applications: {
    variants: ["full", "compressed"],
    custom: [
      {
        name: "m",
        variants: [
          { kind: "full", accuracy: 0.8, fragments: [{ mi: 5000, ramMB: 10 }] },
          { kind: "compressed", accuracy: 0.79, fragments: [{ mi: 2000, ramMB: 10 }] },
        ],
      },
    ],
  },
  economics: { energyUSDPerKWh: 0.36, lateUSD: 0.01, unservedUSD: 0.02, accuracyPointUSD: 0.001 },
};

function bound(rows: Array<[number, number, number, number?]>, iterations = 2000) {
  const s = scenario(RAW);
  const model = buildTwinModel(s, "test.yaml");
  const requests = runArrivals({ scenario: s, source: "test.yaml", seed: 1, arrivals: table(rows) }, s.intervals);
  return { b: lowerBound(model, scenarioObjective(s, "test.yaml").economics, requests, { iterations }), requests };
}

test("the smallest slope of a curve from its idle point: linear, concave and convex curves", () => {
  assert.equal(minSlopeFromIdle([100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]), 100);
  // concave (steep first): the chord to 100 % is the smallest, (200 - 100) / 1
  assert.ok(Math.abs(minSlopeFromIdle([100, 150, 160, 170, 175, 180, 185, 190, 195, 198, 200]) - 100) < 1e-9);
  // convex (flat first): the chord to 10 %, (101 - 100) / 0.1 = 10
  assert.ok(Math.abs(minSlopeFromIdle([100, 101, 103, 106, 110, 115, 121, 128, 136, 145, 155]) - 10) < 1e-9);
});

test("six requests for one interval of one host: five served compressed, one missed (0.0252 USD, worked by hand)", () => {
  // Compressed costs 2,000 x (0.0101 / 10,000 + 1e-8) + 0.001 = 0.00304 USD, full 0.0051, a miss
  // min(late, unserved) = 0.01: all six want compressed, 12,000 MI, but the host gives 10,000.
  // Optimum: the host on the whole interval (0.0101 + 10,000 x 1e-8 = 0.0102), five compressed
  // (loss 0.005), one missed (0.01): 0.0252 USD, 0.0042 per request.
  const { b, requests } = bound([0, 0, 0, 0, 0, 0].map((): [number, number, number, number] => [0, 0, 1, 10]));
  assert.equal(requests.length, 6);
  assert.ok(b.totalUSD <= 0.0252 + 1e-12, `a lower bound above the optimum: ${b.totalUSD}`);
  assert.ok(b.totalUSD >= 0.0252 * 0.995, `the dual did not converge: ${b.totalUSD}`);
  assert.ok(Math.abs(b.usdPerRequest - b.totalUSD / 6) < 1e-15);
});

test("a window of two intervals spreads the work: all six compressed, 1.2 intervals of host (0.01824 USD)", () => {
  // Three requests must finish within 10 s, three within 20 s: 12,000 MI over two intervals of
  // 10,000 each, the host on for 1.2 intervals: 1.2 x 0.0101 + 12,000 x 1e-8 = 0.01224, plus six
  // points of accuracy, 0.006: 0.01824 USD. (Full would add 3,000 MI = 0.00306 to save 0.001.)
  const { b } = bound([
    [0, 0, 1, 10],
    [0, 0, 1, 10],
    [0, 0, 1, 10],
    [0, 0, 1, 20],
    [0, 0, 1, 20],
    [0, 0, 1, 20],
  ]);
  assert.ok(b.totalUSD <= 0.01824 + 1e-12, `a lower bound above the optimum: ${b.totalUSD}`);
  assert.ok(b.totalUSD >= 0.01824 * 0.995, `the dual did not converge: ${b.totalUSD}`);
  assert.equal(b.buckets, 2);
  assert.equal(b.parts.penaltyUSD, 0);
});

test("a request whose deadline ends before it can start costs the smaller penalty under any policy", () => {
  // interval admission: a request arriving at 1 s starts at 10 s at the earliest; deadline 5 s
  const s = scenario({ ...RAW, admission: "interval" });
  const model = buildTwinModel(s, "test.yaml");
  const requests = runArrivals({ scenario: s, source: "test.yaml", seed: 1, arrivals: table([[1, 0, 1, 5]]) }, 1);
  const b = lowerBound(model, scenarioObjective(s, "test.yaml").economics, requests);
  assert.equal(b.hopeless, 1);
  assert.equal(b.totalUSD, 0.01);
});

test("on scinet-load-70 the bound is below every policy's objective on the same arrivals, and not trivially low", async () => {
  await ensurePolicies("oracle");
  const { scenario: s, source } = loadTenantScenario("scinet-load-70");
  const intervals = 20;
  const seed = 5;
  const requests = runArrivals({ scenario: s, source, seed }, intervals);
  const b = lowerBound(buildTwinModel(s, source), scenarioObjective(s, source).economics, requests);
  let best = Infinity;
  for (const policy of ["idle", "static+compressed+least-loaded", "target+compressed+least-loaded", "target+full+least-loaded", "threshold+deadline+best-fit"]) {
    const r = runTenant({ scenario: s, source, seed, policy, intervals });
    assert.equal(r.summary.requests.arrived, requests.length, `${policy}: the run saw other arrivals`);
    assert.ok(b.usdPerRequest <= r.summary.objective, `${policy}: ${r.summary.objective} is below the bound ${b.usdPerRequest}`);
    best = Math.min(best, r.summary.objective);
  }
  assert.ok(b.usdPerRequest > 0.3 * best, `bound ${b.usdPerRequest} against the best ${best}`);
});

test("cotwin bound prints the same bound as the library, with seed, version and config; bad input names the flag", async () => {
  const { scenario: s, source } = loadTenantScenario("scinet-load-35");
  const expected = lowerBound(buildTwinModel(s, source), scenarioObjective(s, source).economics, runArrivals({ scenario: s, source, seed: 4 }, 12), { iterations: 50 });
  const r = await cli(["bound", "--scenario", "scinet-load-35", "--seed", "4", "--intervals", "12", "--iterations", "50", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.usdPerRequest, expected.usdPerRequest);
  assert.equal(j.seed, 4);
  assert.equal(j.version, VERSION);
  assert.equal(j.config.name, "scinet-load-35");
  const provider = await cli(["bound", "--scenario", "cloudsim-scale"]);
  assert.equal(provider.code, 2);
  assert.match(provider.stderr, /--scenario: cloudsim-scale is a provider-view scenario/);
  const zero = await cli(["bound", "--iterations", "0"]);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--iterations/);
});
