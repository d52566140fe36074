/**
 * B-series CPU credit bank, worked by hand (Standard_B2s: 24 credits banked per hour, at most
 * 576, one hour of banking at boot by default; one credit = one vCPU-minute at 100 %).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin } from "../helpers/twin.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const idle = fnPolicy(() => ({}));
const job = { variants: ["full"], custom: [{ name: "job", variants: [{ kind: "full", accuracy: 1, fragments: [{ mi: 1, ramMB: 1 }] }] }] };

test("the credit bank is capped at maxBanked", () => {
  // An idle B2s starts with 24 credits and earns 24 per hour: 24 + 24 * 20 = 504 after 20 h
  // (under the cap); after 30 h it would be 744, but the bank holds at most 576.
  const { twin } = makeTwin({ intervalS: 3600, hosts: [{ size: "Standard_B2s" }], applications: job });
  const credits: number[] = [];
  for (let k = 0; k < 30; k++) {
    twin.apply(idle.decide(twin.observe()));
    twin.finishInterval(idle);
    credits.push(twin.observe().hosts.credits[0]);
  }
  close(credits[19], 504);
  close(credits[22], 576); // 24 + 24 * 23 = 576: full exactly at 23 h
  close(credits[29], 576);
});

test("no credits are earned while booting: the bank starts at its initial amount when the host is on", () => {
  // Started at 0 s, boots for 60 s (billed, no credits earned), on at 60 s with its 24 initial
  // credits; idle from then on, it has 24 + 24 * (3600 - 60) / 3600 = 47.6 credits at 3600 s.
  const { twin } = makeTwin({ intervalS: 60, hosts: [{ size: "Standard_B2s", initial: "off" }], applications: job });
  const start = fnPolicy((obs) => (obs.time === 0 ? { provision: [{ host: 0, action: "start" as const }] } : {}));
  twin.apply(start.decide(twin.observe()));
  twin.finishInterval(start);
  const atBoot = twin.observe();
  assert.equal(atBoot.hosts.state[0], 2); // on
  close(atBoot.hosts.credits[0], 24);
  for (let k = 1; k < 60; k++) {
    twin.apply(start.decide(twin.observe()));
    twin.finishInterval(start);
  }
  const later = twin.observe();
  close(later.time, 3600);
  close(later.hosts.credits[0], 47.6);
  close(twin.hostTotals(0).billedS, 3600);
});
