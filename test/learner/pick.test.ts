/**
 * The provisioning choice by kind (decode/pick.ts): the kind of action with the most probability in
 * total, then its best host. Masses worked out by hand from the logits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { maskedArgmax, provisionChoice } from "../../learner/decode/pick.ts";
import { ScoreChooser } from "../../learner/policy.ts";
import type { Pass } from "../../learner/decode/walk.ts";

const H = 16;
/** logits over 1 + 2H options (0 done, 1 + 2h start h, 2 + 2h stop h), all -Infinity but those given */
function options(set: Record<number, number>): { logits: Float64Array; mask: Uint8Array } {
  const logits = new Float64Array(1 + 2 * H).fill(-Infinity);
  const mask = new Uint8Array(1 + 2 * H);
  for (const [i, v] of Object.entries(set)) {
    logits[Number(i)] = v;
    mask[Number(i)] = 1;
  }
  return { logits, mask };
}
const stop = (h: number) => 2 + 2 * h;
const start = (h: number) => 1 + 2 * h;

test("stopping one of fifteen interchangeable hosts wins when its total mass beats done", () => {
  // done e^ln3 = 3 against fifteen stops of e^0 = 1 each (15): P(stop some host) = 15/18
  const set: Record<number, number> = { 0: Math.log(3) };
  for (let h = 1; h <= 15; h++) set[stop(h)] = 0;
  const { logits, mask } = options(set);
  assert.equal(maskedArgmax(logits, 0, logits.length, mask), 0, "a plain argmax picks done");
  assert.equal(provisionChoice(logits, 0, logits.length, mask), stop(1), "by kind: stop, the lowest-numbered of the tied hosts");
  // done e^ln16 = 16 > 15: done
  set[0] = Math.log(16);
  const o2 = options(set);
  assert.equal(provisionChoice(o2.logits, 0, o2.logits.length, o2.mask), 0);
});

test("kinds compare by total mass; the best host of the winning kind is taken; masked options do not count", () => {
  // start host 3: e^1 = 2.7183; stop hosts 5 (e^0.5) and 7 (e^0.6): 1.6487 + 1.8221 = 3.4708; done e^1.2 = 3.3201
  const { logits, mask } = options({ 0: 1.2, [start(3)]: 1, [stop(5)]: 0.5, [stop(7)]: 0.6 });
  assert.equal(provisionChoice(logits, 0, logits.length, mask), stop(7));
  // stop host 7 masked out: stop mass 1.6487 < done 3.3201 > start 2.7183: done
  mask[stop(7)] = 0;
  assert.equal(provisionChoice(logits, 0, logits.length, mask), 0);
  // done masked out too: start 2.7183 > stop 1.6487
  mask[0] = 0;
  assert.equal(provisionChoice(logits, 0, logits.length, mask), start(3));
});

test("offsets into a batch of passes and nothing allowed", () => {
  const a = options({ 0: 0, [stop(2)]: -1 });
  const b = options({ 0: -5, [stop(4)]: 0, [stop(6)]: 0 });
  const n = a.logits.length;
  const logits = new Float64Array(2 * n);
  const mask = new Uint8Array(2 * n);
  logits.set(a.logits, 0);
  logits.set(b.logits, n);
  mask.set(a.mask, 0);
  mask.set(b.mask, n);
  assert.equal(provisionChoice(logits, 0, n, mask, 0), 0);
  assert.equal(provisionChoice(logits, n, n, mask, n), stop(4));
  assert.equal(provisionChoice(logits, 0, n, new Uint8Array(n)), -1);
});

test("the learner's provisioning pass decodes by argmax unless told to decode by kind", () => {
  // the model's heads: done ln 3; stopping any of hosts 1..15 scores 0 (mass 15 against 3); starts masked
  const sizes = { hosts: H, requests: 4, apps: 8, fragments: 4 };
  const provision = new Float64Array(2 * H).fill(-5);
  const mask = new Uint8Array(1 + 2 * H);
  mask[0] = 1;
  for (let h = 1; h <= 15; h++) {
    provision[stop(h) - 1] = 0;
    mask[stop(h)] = 1;
  }
  const scorer = () => ({ done: [Math.log(3)], provision, variant: new Float64Array(0), place: new Float64Array(0) });
  const pass = {} as Pass;
  assert.equal(new ScoreChooser(scorer, sizes).provision(pass, mask), 0, "the default serves by argmax: done");
  assert.equal(new ScoreChooser(scorer, sizes, "argmax").provision(pass, mask), 0);
  assert.equal(new ScoreChooser(scorer, sizes, "kind").provision(pass, mask), stop(1), "by kind: stop host 1");
});
