import assert from "node:assert/strict";
import { test } from "node:test";
import type { LabelledState } from "../../oracle/labels.ts";
import type { Decision, Observation } from "../../simulator/types.ts";
import { alternativeWeights, kindTargets, provisionPassTarget } from "../../learner/train/targets.ts";

/** Just what the targets read: hosts (by default 3 told apart by their utilisation), two pending requests (ids 7 and 8). */
function observation(utilisation: number[]): Observation {
  const n = utilisation.length;
  const same = (v: number) => Float64Array.from({ length: n }, () => v);
  return {
    hosts: {
      count: n,
      size: new Int32Array(n),
      state: new Int8Array(n).fill(2),
      vcpus: new Int32Array(n).fill(2),
      mipsPerVcpu: same(2014),
      ramMB: same(4096),
      ramFreeMB: same(4096),
      placed: new Int32Array(n),
      running: new Int32Array(n),
      utilisation: Float64Array.from(utilisation),
      credits: same(30),
      throttled: new Uint8Array(n),
      pricePerHour: same(0.0416),
      idleW: same(75.2),
      maxW: same(117),
      bootS: same(60),
      baseUtilisation: same(0.2),
    },
    pending: [{ id: 7 }, { id: 8 }],
  } as unknown as Observation;
}
const OBS = observation([0.1, 0.2, 0.3]);

function state(decision: Decision, alternatives: Array<[Decision, number]>, observation = OBS): LabelledState {
  return { episode: "e", step: 0, observation, decision, alternatives: alternatives.map(([d, score]) => ({ decision: d, score })) };
}

const best: Decision = { provision: [{ host: 2, action: "stop" }], deploy: [{ request: 7, variant: "compressed", hosts: [0] }] };
const close: Decision = { deploy: [{ request: 7, variant: "compressed", hosts: [1] }, { request: 8, variant: "full", hosts: [0] }] };
const far: Decision = { provision: [{ host: 0, action: "start" }] };

test("without alternatives the labels are one-hot on the expert's decision", () => {
  const t = kindTargets(state(best, []));
  // provisioning options: done, start 0, stop 0, start 1, stop 1, start 2, stop 2
  assert.deepEqual(Array.from(provisionPassTarget(t, Uint8Array.from([0, 0, 0]), 3)), [0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(provisionPassTarget(t, Uint8Array.from([0, 0, 1]), 3)), [1, 0, 0, 0, 0, 0, 0]); // host 2 stopped: done
  // two actions left: either is a right next step
  const two = kindTargets(state({ provision: [{ host: 1, action: "stop" }, { host: 0, action: "start" }] }, []));
  assert.deepEqual(Array.from(provisionPassTarget(two, Uint8Array.from([0, 0, 0]), 3)), [0, 0.5, 0, 0, 0.5, 0, 0]);
  assert.deepEqual(Array.from(provisionPassTarget(two, Uint8Array.from([1, 0, 0]), 3)), [0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(t.variant.get(7)!), [0, 0, 1, 0, 0]); // wait, full, compressed, layer, semantic
  assert.deepEqual(Array.from(t.variant.get(8)!), [1, 0, 0, 0, 0]); // left waiting
  assert.deepEqual(t.host.get(7)!.map((d) => Array.from(d)), [[1, 0, 0]]);
});

test("near-ties share the label, a clearly worse alternative gets none (weights worked by hand)", () => {
  // best -0.1; T = 0.01 x 0.1 = 0.001; a runner-up 1e-4 behind weighs e^-0.1, one 0.01 behind e^-10
  const s = state(best, [
    [best, -0.1],
    [close, -0.0999],
    [far, -0.09],
  ]);
  const { weights } = alternativeWeights(s, 0.01);
  const z = 1 + Math.exp(-0.1) + Math.exp(-10);
  const expected = [1 / z, Math.exp(-0.1) / z, Math.exp(-10) / z];
  weights.forEach((w, i) => assert.ok(Math.abs(w - expected[i]) < 1e-12, `${w} vs ${expected[i]}`));
  const t = kindTargets(s, 0.01);
  const [w0, w1, w2] = expected;
  const near = (a: ArrayLike<number>, b: number[]) => assert.ok(Array.from(a).every((x, i) => Math.abs(x - b[i]) < 1e-12), `${Array.from(a)} vs ${b}`);
  // first pass: best stops host 2, close changes nothing (done), far starts host 0
  near(provisionPassTarget(t, Uint8Array.from([0, 0, 0]), 3), [w1, w2, 0, 0, 0, 0, w0]);
  // once host 2 is stopped best is done too
  near(provisionPassTarget(t, Uint8Array.from([0, 0, 1]), 3), [w0 + w1, w2, 0, 0, 0, 0, 0]);
  near(t.variant.get(7)!, [w2, 0, w0 + w1, 0, 0]);
  near(t.variant.get(8)!, [w0 + w2, w1, 0, 0, 0]);
  // request 7's host under the expert's variant (compressed): best and close both deploy it so, on hosts 0 and 1
  near(t.host.get(7)![0], [w0, w1, 0]);
});

test("an alternative that only swaps identical hosts is the same label, not a rival one", () => {
  // hosts 0, 1 and 2 identical, host 3 busier; the expert keeps host 0 on and stops 1 and 2
  const obs = observation([0, 0, 0, 0.5]);
  const expert: Decision = { provision: [{ host: 1, action: "stop" }, { host: 2, action: "stop" }], deploy: [{ request: 7, variant: "compressed", hosts: [0] }] };
  // the same decision keeping host 2 instead (equal score), and one that stops host 3 too
  const copy: Decision = { provision: [{ host: 0, action: "stop" }, { host: 1, action: "stop" }], deploy: [{ request: 7, variant: "compressed", hosts: [2] }] };
  const other: Decision = { provision: [{ host: 1, action: "stop" }, { host: 2, action: "stop" }, { host: 3, action: "stop" }], deploy: [{ request: 7, variant: "compressed", hosts: [0] }] };
  const t = kindTargets(state(expert, [[expert, -0.1], [copy, -0.1], [other, -0.1]], obs), 0.01);
  // options: done, start/stop of hosts 0..3; after the expert's two stops, the copy is done as well
  const w = 1 / 3;
  const after = provisionPassTarget(t, Uint8Array.from([0, 1, 1, 0]), 4);
  assert.ok(Math.abs(after[0] - 2 * w) < 1e-12 && Math.abs(after[8] - w) < 1e-12, Array.from(after).join(" "));
  // and request 7 goes to host 0 under every alternative
  assert.deepEqual(Array.from(t.host.get(7)![0]).map((x) => Math.round(x * 3)), [3, 0, 0, 0]);
});

test("alternatives are weighed against the expert's own decision: one scored better counts as a tie, a repeat counts once", () => {
  // the decision scored 0.1; `close` 0.09 (the search liked it, the oracle's check did not), `close` again, `far` 0.2
  const s = state(best, [
    [best, 0.1],
    [close, 0.09],
    [close, 0.09],
    [far, 0.2],
  ]);
  const { weights, decisions } = alternativeWeights(s, 0.01);
  assert.equal(decisions.length, 3);
  const z = 2 + Math.exp(-100);
  [1 / z, 1 / z, Math.exp(-100) / z].forEach((w, i) => assert.ok(Math.abs(weights[i] - w) < 1e-12, `${weights[i]} vs ${w}`));
});

test("two-sided ties: an alternative the search scored better is weighed by its distance, like a worse one", () => {
  // T = 0.01 x 0.1 = 0.001; `close` 0.0999 (0.0001 better: e^-0.1), `far` 0.09 (0.01 better: e^-10)
  const s = state(best, [
    [best, 0.1],
    [close, 0.0999],
    [far, 0.09],
  ]);
  const two = alternativeWeights(s, 0.01, "two-sided").weights;
  const z = 1 + Math.exp(-0.1) + Math.exp(-10);
  [1 / z, Math.exp(-0.1) / z, Math.exp(-10) / z].forEach((w, i) => assert.ok(Math.abs(two[i] - w) < 1e-12, `two-sided ${two[i]} vs ${w}`));
  // one-sided (the default): both count as ties of the decision
  const one = alternativeWeights(s, 0.01).weights;
  [1 / 3, 1 / 3, 1 / 3].forEach((w, i) => assert.ok(Math.abs(one[i] - w) < 1e-12, `one-sided ${one[i]} vs ${w}`));
  assert.deepEqual(alternativeWeights(s, 0.01, "one-sided").weights, one);
});
