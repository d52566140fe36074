import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend } from "../../workloads/forecast/backend.ts";
import { paramSpecs, type Weights } from "../../learner/model/architecture.ts";
import { buildExamples, take } from "../../learner/train/examples.ts";
import { DEFAULT_TRAIN, START_WEIGHT, STOP_WEIGHT, Trainer } from "../../learner/train/trainer.ts";
import { expertEpisodes, fleet, SMALL_SIZES, TINY_ATTENTION } from "../helpers/learner.ts";

/** All-zero weights: every head's score is 0, so a pass's choices are equally likely under its mask. */
function zeroWeights(): Weights {
  return new Map(paramSpecs(TINY_ATTENTION, SMALL_SIZES).map((s) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1))]));
}

test("the provisioning loss weighs a start label by startWeight, a stop by stopWeight, done by 1 (worked by hand)", async () => {
  await initBackend();
  const states = await expertEpisodes(fleet(), "compressed+least-loaded", [1], 2);
  const { set } = buildExamples(states, SMALL_SIZES, { chunked: true });
  const rows: number[] = [];
  for (let i = 0; i < set.n && rows.length < 2; i++) if (set.provisionWeight[i] === 1) rows.push(i);
  assert.equal(rows.length, 2);
  const two = take(set, rows);
  // two provisioning passes on the 6-host fleet (13 options), labels and masks set by hand:
  // pass A: done, 3 options allowed; pass B: 3/4 on "start host 0", 1/4 on "stop host 1", 5 allowed
  const O = 1 + 2 * SMALL_SIZES.hosts;
  two.provisionMask.fill(0);
  two.provisionTarget.fill(0);
  for (const k of [0, 1, 4]) two.provisionMask[k] = 1;
  two.provisionTarget[0] = 1;
  for (const k of [0, 1, 2, 3, 4]) two.provisionMask[O + k] = 1;
  two.provisionTarget[O + 1] = 0.75;
  two.provisionTarget[O + 4] = 0.25;
  // with uniform choices, -log p = log(allowed): A costs log 3, B costs (3/4 start + 1/4 stop) x log 5;
  // the loss is the mean of the two
  const w = zeroWeights();
  const loss = (startWeight: number, stopWeight: number) => new Trainer(TINY_ATTENTION, SMALL_SIZES, { ...DEFAULT_TRAIN, startWeight, stopWeight }).evaluate(w, two).provisionLoss;
  const near = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-5, `${what}: ${got}, want ${want}`);
  near(loss(1, 1), (Math.log(3) + Math.log(5)) / 2, "unweighted"); // 1.3540
  near(loss(4, 2), (Math.log(3) + 3.5 * Math.log(5)) / 2, "start 4, stop 2"); // 3.3658
  near(loss(4, 1), (Math.log(3) + 3.25 * Math.log(5)) / 2, "start 4, stop 1"); // 3.1646
  near(loss(1, 4), (Math.log(3) + 1.75 * Math.log(5)) / 2, "start 1, stop 4"); // 1.9576
  near(loss(START_WEIGHT, STOP_WEIGHT), (Math.log(3) + (0.75 * START_WEIGHT + 0.25 * STOP_WEIGHT) * Math.log(5)) / 2, "the defaults");
});
