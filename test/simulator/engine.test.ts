import { test } from "node:test";
import assert from "node:assert/strict";
import { EventQueue } from "../../simulator/engine/event-queue.ts";
import { RandomStream, RandomStreams } from "../../simulator/engine/random.ts";

test("events pop in (time, priority, insertion) order", () => {
  const q = new EventQueue(4); // small, so it grows
  const rng = new RandomStream("order");
  const expected: Array<[number, number, number]> = [];
  for (let i = 0; i < 500; i++) {
    const t = Math.floor(rng.next() * 20); // many ties
    const p = Math.floor(rng.next() * 3);
    q.schedule(t, 0, i, 0, p);
    expected.push([t, p, i]);
  }
  expected.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const got: number[] = [];
  for (let s = q.pop(); s >= 0; s = q.pop()) {
    got.push(q.aOfSlot(s));
    q.release(s);
  }
  assert.deepEqual(got, expected.map((e) => e[2]));
});

test("reschedule and unqueue keep the heap ordered; clone is independent", () => {
  const q = new EventQueue(4);
  const a = q.reserve(1, 10);
  const b = q.reserve(1, 20);
  q.schedule(5, 2, 30);
  q.reschedule(a, 7);
  q.reschedule(b, 3);
  q.reschedule(a, 1); // earlier
  q.reschedule(b, 9); // later
  const c = q.clone();
  q.unqueue(a);
  const order = (x: EventQueue) => {
    const out: number[] = [];
    for (let s = x.pop(); s >= 0; s = x.pop()) out.push(x.aOfSlot(s));
    return out;
  };
  assert.deepEqual(order(q), [30, 20]);
  assert.deepEqual(order(c), [10, 30, 20]);
});

test("non-finite event times are refused", () => {
  const q = new EventQueue();
  assert.throws(() => q.schedule(NaN, 0), /event time must be a finite number, got NaN/);
  assert.throws(() => q.schedule(Infinity, 0), /got Infinity/);
});

test("random streams: same seed same draws; one stream per purpose; exact clones", () => {
  const a = new RandomStreams(7);
  const b = new RandomStreams(7);
  // Drawing from another purpose first must not shift this one.
  b.get("other").next();
  b.get("other").next();
  const xa = [0, 1, 2].map(() => a.get("arrivals").next());
  const xb = [0, 1, 2].map(() => b.get("arrivals").next());
  assert.deepEqual(xa, xb);
  const s = new RandomStream("x");
  s.next();
  const c = s.clone();
  assert.deepEqual([s.next(), s.next()], [c.next(), c.next()]);
  assert.notDeepEqual(new RandomStreams(8).get("arrivals").next(), xa[0]);
});

test("exponential draws have the right mean (1 / rate) within 1 % over 200,000 draws", () => {
  const s = new RandomStream("exp");
  let sum = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) sum += s.exponential(4);
  // standard error of the mean: 0.25 / sqrt(n) = 0.00056, so 1 % (0.0025) is over 4 sigma
  assert.ok(Math.abs(sum / n - 0.25) < 0.0025, `mean ${sum / n}`);
});
