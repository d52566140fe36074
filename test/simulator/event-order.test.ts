/**
 * The order of events that share a time: the queue's (time, priority, insertion) order, which the
 * twin extends to arrivals and the provider view to time frames (neither is queued: each runs
 * after every queued event at its time).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventQueue } from "../../simulator/engine/event-queue.ts";
import { runProvider } from "../../simulator/provider/run.ts";
import type { Observation } from "../../simulator/types.ts";
import { fnPolicy, makeTwin, PLAIN_2VCPU, run, table } from "../helpers/twin.ts";

test("a rescheduled slot keeps its priority: at equal times it runs by priority, then by when it was (re)scheduled", () => {
  const q = new EventQueue(4);
  const late = q.reserve(0, 1, 0, 2); // priority 2
  const early = q.reserve(0, 2, 0, 0); // priority 0
  q.schedule(5, 0, 3, 0, 1); // priority 1
  q.reschedule(late, 5);
  q.reschedule(early, 5); // rescheduled last, but priority 0 runs first
  q.schedule(5, 0, 4, 0, 1); // priority 1, after the other priority-1 event
  const order: number[] = [];
  for (let s = q.pop(); s >= 0; s = q.pop()) order.push(q.aOfSlot(s));
  assert.deepEqual(order, [2, 3, 4, 1]);
});

test("event priorities outside the integers 0 .. 511 are refused", () => {
  const q = new EventQueue();
  assert.throws(() => q.schedule(1, 0, 0, 0, -1), /event priority must be an integer in \[0, 512\), got -1/);
  assert.throws(() => q.reserve(0, 0, 0, 0.5), /got 0.5/);
  assert.throws(() => q.reserve(0, 0, 0, 512), /got 512/);
  assert.doesNotThrow(() => q.reserve(0, 0, 0, 511));
});

const app = { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 0.9, fragments: [{ mi: 20140, ramMB: 100 }] }] }] };

test("an arrival at the time a fragment completes sees the completion done (queued events run first)", () => {
  // One 2-vCPU host of 2014 MIPS per vCPU. Request 0 arrives at 0 and runs alone on one vCPU:
  // 20,140 MI / 2,014 MIPS = 10 s, done at t = 10 exactly. Request 1 arrives at t = 10: the policy,
  // asked at that arrival, must see host 0 with nothing running and request 0 completed.
  const { twin } = makeTwin(
    { intervalS: 100, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2" }], applications: app, admission: "arrival" },
    1,
    table([
      [0, 0, 1],
      [10, 0, 1],
    ]),
  );
  const seen: Array<[number, number, number]> = [];
  const policy = fnPolicy((obs: Observation) => {
    if (obs.pending.length > 0) seen.push([obs.time, obs.hosts.running[0], twin.totals().completed]);
    return { deploy: obs.pending.map((p) => ({ request: p.id, variant: "full" as const, hosts: [0] })) };
  });
  run(twin, policy, 1);
  assert.deepEqual(seen, [
    [0, 0, 0],
    [10, 0, 1],
  ]);
  // both done: request 1 ran 10 s alone too (10 to 20 s)
  assert.equal(twin.totals().completed, 2);
  assert.equal(twin.totals().responseSum, 20);
});

test("an arrival exactly at an interval's end belongs to that interval; one after it waits", () => {
  // intervalS 10: arrivals at 10 (the end of interval 0, included) and at 10 + 1e-9 (interval 1).
  const { twin } = makeTwin(
    { intervalS: 10, sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2" }], applications: app },
    1,
    table([
      [10, 0, 1],
      [10 + 1e-9, 0, 1],
    ]),
  );
  twin.runUntil(10);
  assert.equal(twin.totals().arrived, 1);
  assert.equal(twin.queuedEvents, 1); // the next arrival, drawn ahead
  twin.runUntil(20);
  assert.equal(twin.totals().arrived, 2);
  assert.equal(twin.queuedEvents, 0);
});

test("provider view: a time frame's draws come after a submission at the same time (the new cloudlet draws again)", () => {
  // Two VMs on two hosts, two long stochastic cloudlets: A submitted at 0 on VM 0, B at 1 on VM 1,
  // stopped at t = 1. Events: 2 placements + 2 submissions + the frame at t = 1 redrawing both
  // VMs (B was submitted first, at the same time) = 6. Had the frame run before B's submission
  // it would redraw VM 0 only: 5.
  const r = runProvider(
    {
      name: "frame-order",
      view: "provider",
      hosts: { count: 2, pes: 1, mipsPerPe: 1000, ramMB: 1e6, bwMbps: 1e6 },
      vms: { count: 2, pes: 1, mips: 1000, ramMB: 1, bwMbps: 1 },
      cloudlets: { count: 2, pes: 1, lengthMI: 1e9, utilisation: "stochastic", submitIntervalS: 1 },
      cloudletScheduler: "time-shared",
      maxTimeS: 1,
    },
    { seed: 1 },
  );
  assert.equal(r.summary.events, 6);
  assert.equal(r.summary.requests.arrived, 2);
});
