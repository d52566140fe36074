/**
 * Look-ahead forks must not see the future they are evaluated on: a replayed trace's reseeded
 * copy draws its future from its own past (block bootstrap), and a bursty workload's reseeded
 * copy draws its hidden state afresh.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TableArrivals, type ArrivalSpec } from "../../simulator/arrivals.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { BurstyArrivals } from "../../workloads/generators/bursty.ts";

/** Rows every 2 s: before 100 s application 0, from 100 s on application 1 (the "future"). */
function trace(): TableArrivals {
  const n = 100;
  const times = Float64Array.from({ length: n }, (_, i) => 2 * i);
  const apps = Int32Array.from(times, (t) => (t < 100 ? 0 : 1));
  return new TableArrivals(times, apps, new Float64Array(n).fill(30), Float64Array.from(times, (t) => 1 + t / 1000), 0, { blockS: 20, windowS: 60 });
}

function drain(src: { next(out: ArrivalSpec): boolean }, n: number): ArrivalSpec[] {
  const out: ArrivalSpec[] = [];
  for (let i = 0; i < n; i++) {
    const a = { time: 0, app: 0, deadline: 0, size: 0 };
    if (!src.next(a)) break;
    out.push(a);
  }
  return out;
}

test("a reseeded trace replays blocks of its past only: no row at or after the fork time, times from the fork on", () => {
  const future = drain(trace().reseed(new RandomStream("a"), 100), 200);
  assert.equal(future.length, 200);
  assert.ok(future.every((a) => a.app === 0), "a row of the real future was replayed");
  // sizes tell the source rows: only rows of the last 60 s (40..98 s) before the fork
  assert.ok(future.every((a) => a.size >= 1.04 - 1e-12 && a.size <= 1.098 + 1e-12));
  assert.ok(future[0].time >= 100);
  for (let i = 1; i < future.length; i++) assert.ok(future[i].time >= future[i - 1].time, "times go forward");
  // blocks of 20 s of rows 2 s apart: 10 arrivals per 20 s of output, as in the past
  assert.equal(future.filter((a) => a.time < 100 + 20 * 10).length, 100);
});

test("same stream, same future; another stream, another one; no past, no future", () => {
  const a = drain(trace().reseed(new RandomStream("s"), 100), 50);
  const b = drain(trace().reseed(new RandomStream("s"), 100), 50);
  const c = drain(trace().reseed(new RandomStream("t"), 100), 50);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((x) => x.size), c.map((x) => x.size));
  assert.deepEqual(drain(trace().reseed(new RandomStream("s"), 0), 5), []);
  // without bootstrap settings a table replays as recorded (a clairvoyant copy)
  const plain = new TableArrivals(Float64Array.from([1, 200]), Int32Array.from([0, 1]), Float64Array.from([9, 9]), Float64Array.from([1, 1]));
  assert.deepEqual(drain(plain.reseed(new RandomStream("s"), 0), 5).map((x) => x.app), [0, 1]);
});

test("a reseeded bursty workload draws its hidden state afresh: burst share near the stationary 1/3", () => {
  // calm 200 s, burst 100 s on average: stationary P(burst) = 100 / 300
  const src = new BurstyArrivals({ ratesPerS: [0.1, 5], meanSojournS: [200, 100], initialState: 1, marks: { appWeights: [1], deadlineS: [10, 10], size: { kind: "constant", value: 1 } } }, new RandomStream("b"));
  assert.equal(src.currentState, 1);
  let burst = 0;
  const n = 3000;
  for (let i = 0; i < n; i++) burst += src.reseed(new RandomStream(`r${i}`), 0).currentState;
  // binomial(3000, 1/3): standard deviation 0.0086 -> within 4 of them
  assert.ok(Math.abs(burst / n - 1 / 3) < 0.035, `burst share ${burst / n}`);
});
