import assert from "node:assert/strict";
import { test } from "node:test";
import { dtw, euclideanZ, evaluateSelection, paa, pearson, pickNearest, signature, znormalise } from "../../workloads/forecast/select.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("DTW on tiny series (hand-computed)", () => {
  // a = [0, 2, 0], b = [0, 0, 2]; squared-difference costs:
  //        b0 b1 b2
  //   a0 [ 0  0  4 ]
  //   a1 [ 4  4  0 ]
  //   a2 [ 0  0  4 ]
  // band 0 (diagonal only): 0 + 4 + 4 = 8 -> sqrt 8
  // band 1: D00=0 D01=0 D10=4 D11=4+0=4 D12=0+min(D01,D11)=0 D21=0+min(D10,D11)=4 D22=4+min(4,0,4)=4 -> 2
  close(dtw([0, 2, 0], [0, 0, 2], 0), Math.sqrt(8));
  close(dtw([0, 2, 0], [0, 0, 2], 1), 2);
  // a shift by one step costs nothing once warping is allowed
  close(dtw([0, 0, 1, 1], [0, 1, 1, 1], 0), 1);
  close(dtw([0, 0, 1, 1], [0, 1, 1, 1], 1), 0);
  // unequal lengths widen the band so a path exists: [0,1,2] vs [0,0,1,2] aligns exactly
  close(dtw([0, 1, 2], [0, 0, 1, 2], 0), 0);
});

test("z-normalised Euclidean distance ignores offset and scale", () => {
  // [1, 2, 3] and [10, 20, 30] have the same shape
  close(euclideanZ([1, 2, 3], [10, 20, 30]), 0);
  // z([1,2,3]) = [-1.2247, 0, 1.2247]; z([3,2,1]) is its negation -> distance 2*sqrt(1.5+1.5) = 2*sqrt(3)
  close(euclideanZ([1, 2, 3], [3, 2, 1]), 2 * Math.sqrt(3));
  assert.deepEqual(Array.from(znormalise([5, 5])), [0, 0]);
});

test("Pearson correlation by hand", () => {
  // a = [1,2,3], b = [2,4,7]: deviations [-1,0,1] and [-7/3,-1/3,8/3]; cov = 5;
  // sum sq a = 2, sum sq b = 114/9 -> r = 5 / sqrt(2 * 114 / 9) = 0.993399...
  close(pearson([1, 2, 3], [2, 4, 7]), 5 / Math.sqrt((2 * 114) / 9));
  close(pearson([1, 2, 3], [3, 2, 1]), -1);
});

test("PAA averages equal parts", () => {
  assert.deepEqual(Array.from(paa([1, 3, 5, 7, 9, 11], 3)), [2, 6, 10]);
});

test("shape measures pick by shape, Euclidean by level too", () => {
  const n = 96;
  const sine = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
  const saw = Float64Array.from({ length: n }, (_, i) => (i % 24) / 24);
  const known = [
    { task: "saw", signature: signature(saw) },
    { task: "sine", signature: signature(sine) },
  ];
  // same shape as the sine, other level and scale
  const unseen = Float64Array.from(sine, (v, i) => 3 + 2 * v + 0.05 * Math.cos(i * 1.7));
  for (const m of ["dtw", "pearson"] as const) assert.equal(pickNearest(m, known, signature(unseen)).task, "sine", m);
  // flat at 0.5: rms distance to the saw (values 0..0.96) is about 0.28, to the sine sqrt(0.25 + 0.5) = 0.87
  const flat = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.01 * Math.cos(i));
  assert.equal(pickNearest("euclidean", known, signature(flat)).task, "saw");
});

test("on z-normalised series Euclidean distance is sqrt(2n(1 - r)): why it is not one of the measures", () => {
  const a = [1, 4, 2, 8, 5];
  const b = [2, 3, 3, 7, 9];
  close(euclideanZ(a, b), Math.sqrt(2 * a.length * (1 - pearson(a, b))), 1e-12);
});

test("selection: a new task's pattern comes from its history only, and the random pick is the mean of the others", async () => {
  const n = 240;
  const make = (f: (i: number) => number, testShift = 0) => {
    const y = Float64Array.from({ length: n }, (_, i) => f(i) + (i >= n / 2 ? testShift : 0));
    return { history: [y.slice(0, n / 2)], series: [y], origins: Int32Array.from({ length: n / 2 - 1 }, (_, k) => n / 2 + k) };
  };
  const fs = [(i: number) => 5 + Math.sin(i / 3), (i: number) => 5 + Math.sin(i / 7) + 0.3 * Math.cos(i), (i: number) => 2 + 0.01 * i + Math.sin(i / 2), (i: number) => 8 + Math.cos(i / 5)];
  const tasks = fs.map((f, k) => ({ task: `t${k}`, ...make(f) }));
  const r = await evaluateSelection("ridge", { window: 4 }, tasks);
  for (let j = 0; j < tasks.length; j++) {
    const others = r.mase.map((row) => row[j]).filter((_, i) => i !== j);
    close(r.rows[j].random, others.reduce((s, v) => s + v, 0) / others.length, 1e-12);
  }
  // the new task's test part changes wildly: its picks cannot (they come from its history)
  const shifted = tasks.map((t, k) => (k === 0 ? { task: t.task, ...make(fs[0], 50) } : t));
  const r2 = await evaluateSelection("ridge", { window: 4 }, shifted);
  assert.deepEqual(r2.rows[0].picks.map((p) => p.picked), r.rows[0].picks.map((p) => p.picked));
  assert.match(r.verdict, /^selection (helps|does not help) here/);
});
