import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import type { TenantScenario, WorkloadSpec } from "../../simulator/scenario.ts";
import { expectedArrivals } from "../../workloads/scenario-workload.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import { allocInputs, decodePass, encodePass, fleetStats } from "../../learner/encoding/encode.ts";
import { DecisionDraft } from "../../learner/decode/draft.ts";
import { FEATURE_LAYOUT, layoutReadsPrior, type ModelSizes } from "../../learner/encoding/layout.ts";
import { LearnerPolicy, scenarioPrior, type PassScores } from "../../learner/policy.ts";
import { readStates, writeStates } from "../../learner/data/states-file.ts";
import type { Observation } from "../../simulator/types.ts";

const SIZES: ModelSizes = { hosts: 20, requests: 6, apps: 8, fragments: 4 };

function withWorkload(w: Partial<WorkloadSpec> & { kind: WorkloadSpec["kind"] }): TenantScenario {
  const { scenario } = loadTenantScenario("scinet-load-35");
  return { ...scenario, workload: { ...scenario.workload, ...w } as WorkloadSpec };
}

test("the workload model's expected arrivals: Poisson, diurnal (integrated by hand), bursty (long-run rate), none for a trace", () => {
  assert.deepEqual(Array.from(expectedArrivals(loadTenantScenario("scinet-load-35").scenario, 0, 3)!), [23.44, 23.44, 23.44]);
  // diurnal, mean 10 per 5 s interval, amplitude 0.5, period 20 s, peak at 0: over [0, 5] the rate
  // 2 (1 + 0.5 cos(2 pi t / 20)) integrates to 10 + 2 x 0.5 x 20 / (2 pi) x sin(pi / 2) = 10 + 10 / pi
  const d = withWorkload({ kind: "diurnal", ratePerInterval: 10, amplitude: 0.5, periodS: 20, peakAtS: 0 } as never);
  const e = expectedArrivals(d, 0, 4)!;
  assert.ok(Math.abs(e[0] - (10 + 10 / Math.PI)) < 1e-9, `${e[0]}`);
  assert.ok(Math.abs(e[1] - (10 - 10 / Math.PI)) < 1e-9, `${e[1]}`); // [5, 10]: sin(pi) - sin(pi / 2) = -1
  // a whole period holds the mean: 4 intervals x 10
  assert.ok(Math.abs(e.reduce((a, b) => a + b, 0) - 40) < 1e-9);
  // bursty: 4 per interval calm for 30 s on average, 20 in bursts of 10 s: (30 x 4 + 10 x 20) / 40 = 8
  const b = withWorkload({ kind: "bursty", ratesPerInterval: [4, 20], meanDwellS: [30, 10] } as never);
  assert.deepEqual(Array.from(expectedArrivals(b, 123, 2)!), [8, 8]);
  assert.equal(expectedArrivals(withWorkload({ kind: "trace", source: "bitbrains" } as never), 0, 3), null);
});

function firstObservation(s: TenantScenario): Observation {
  const ready = buildReadyTwin({ scenario: s, source: "test", seed: 1, record: false });
  return new TwinStepper(ready.twin).observe();
}

function globalOf(obs: Observation, prior: ArrayLike<number> | null) {
  const inputs = allocInputs(SIZES, 1);
  encodePass(new DecisionDraft(obs), new Float64Array(obs.hosts.count), fleetStats(obs), SIZES, { phase: 0, chunkStart: 0, current: null }, inputs, 0, prior);
  return inputs;
}

test("the prior fills the forecast slots of the global token (log(1 + expected arrivals)); without one they stay 0", () => {
  const s = loadTenantScenario("scinet-load-35").scenario;
  const obs = firstObservation(s);
  assert.equal(obs.forecast, null, "scinet-load-35 names no forecaster");
  const prior = scenarioPrior(s)!(obs)!;
  const withPrior = globalOf(obs, prior);
  const g = withPrior.global;
  assert.equal(g[11], 1);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(g[12 + k] - Math.log1p(23.44)) < 1e-6, `forecast${k + 1}: ${g[12 + k]}`);
  assert.deepEqual(decodePass(withPrior, 0, SIZES).forecast!.map((x) => Number(x.toFixed(4))), [23.44, 23.44, 23.44]);
  const none = globalOf(obs, null).global;
  assert.deepEqual(Array.from(none.subarray(11, 15)), [0, 0, 0, 0]);
  // 35 % and 90 % look the same at the first decision but for the prior (the ambiguity it removes)
  const s90 = loadTenantScenario("scinet-load-90").scenario;
  const o90 = firstObservation(s90);
  assert.deepEqual(Array.from(globalOf(o90, null).global), Array.from(none));
  assert.notDeepEqual(Array.from(globalOf(o90, scenarioPrior(s90)!(o90)).global), Array.from(g));
});

test("only a model of the current layout reads the prior; a layout-3 model is fed zeros as it was trained", () => {
  assert.equal(layoutReadsPrior(FEATURE_LAYOUT), true);
  assert.equal(layoutReadsPrior("cotwin-learner-features/3"), false);
  const s = loadTenantScenario("scinet-load-35").scenario;
  const obs = firstObservation(s);
  const seen: number[][] = [];
  const scorer = (pass: { inputs: { global: Float32Array } }): PassScores => {
    seen.push(Array.from(pass.inputs.global.subarray(11, 15)));
    return { done: [1], provision: new Float32Array(2 * SIZES.hosts), variant: new Float32Array(SIZES.requests * 5), place: new Float32Array(4 * SIZES.hosts) };
  };
  new LearnerPolicy({ sizes: SIZES, scorer: scorer as never }, undefined, undefined, "argmax", scenarioPrior(s)).decide(obs);
  new LearnerPolicy({ sizes: SIZES, scorer: scorer as never }).decide(obs);
  assert.equal(seen.length, 2, "one provisioning pass each (nothing pending)");
  assert.equal(seen[0][0], 1);
  assert.deepEqual(seen[1], [0, 0, 0, 0]);
});

test("a labelled state's prior survives the states file", () => {
  const s = loadTenantScenario("scinet-load-35").scenario;
  const obs = firstObservation(s);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-prior-"));
  try {
    const file = path.join(dir, "round0.jsonl");
    writeStates(file, [
      { episode: "scinet-load-35:seed1", step: 0, observation: obs, decision: {}, alternatives: [], prior: [23.44, 23.44, 23.44] },
      { episode: "scinet-load-35:seed1", step: 1, observation: obs, decision: {}, alternatives: [] },
    ]);
    const back = readStates(file);
    assert.deepEqual(back[0].prior, [23.44, 23.44, 23.44]);
    assert.equal(back[1].prior, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("episodes record each state's prior (a trace workload's states have none)", async () => {
  const { runEpisode } = await import("../../learner/data/rollout.ts");
  const { expertFactory } = await import("../../learner/data/experts.ts");
  const { scenario, source } = loadTenantScenario("scinet-load-35");
  const r = await runEpisode({ scenario, source, seed: 1, intervals: 2, episode: "scinet-load-35:seed1", expert: expertFactory("compressed+least-loaded") });
  assert.ok(r.states.length >= 2);
  for (const st of r.states) assert.deepEqual(st.prior, [23.44, 23.44, 23.44]);
});
