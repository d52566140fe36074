/**
 * Bad input gets a clear error naming the file, key or flag (exact texts asserted), exit code 2.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";
import { makeTwin, PLAIN_2VCPU } from "../helpers/twin.ts";

const F = "test/fixtures";

test("malformed scenarios: unknown key, wrong type, YAML syntax, unknown size, bad objective", async () => {
  let r = await cli(["simulate", "--scenario", `${F}/bad-unknown-key.yaml`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin: ${F}/bad-unknown-key.yaml: hosts[0].cout: unknown key\n`);
  r = await cli(["simulate", "--scenario", `${F}/bad-type.yaml`]);
  assert.equal(r.stderr, `cotwin: ${F}/bad-type.yaml: intervalS: expected number, received string\n`);
  r = await cli(["simulate", "--scenario", `${F}/bad-syntax.yaml`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^cotwin: test\/fixtures\/bad-syntax\.yaml:\d+:\d+: /);
  r = await cli(["simulate", "--scenario", `${F}/bad-size.yaml`]);
  assert.match(r.stderr, /^cotwin: test\/fixtures\/bad-size\.yaml: hosts\[0\]\.size: unknown host size "Standard_B3s" \(known: Standard_B1s, /);
  r = await cli(["simulate", "--scenario", `${F}/bad-objective.yaml`]);
  assert.equal(
    r.stderr,
    `cotwin: ${F}/bad-objective.yaml: objective: unknown variable "latency" in "0.5*energy + 0.5*latency" (variables: usdPerRequest, costUSD, energyKWh, energyUSD, penaltyUSD, accuracyLossUSD, arrived, accounted, completed, late, rejected, failed, unfinished, violations, violationRate, lateRate, meanResponseS, responseRatio, meanAccuracy, servedAccuracy, durationS, energy, cost, response, sla, accuracy; or a named objective: usd-per-request, scinet-weighted)\n`,
  );
  r = await cli(["simulate", "--scenario", "no-such-file.yaml"]);
  assert.equal(r.stderr, "cotwin: no-such-file.yaml: cannot read scenario file (ENOENT)\n");
});

test("unknown policy and conflicting policy parts", async () => {
  let r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--policy", "fastest"]);
  assert.equal(r.code, 2);
  // the parts, then any registered policies (the oracle, ...)
  assert.match(
    r.stderr,
    /^cotwin: unknown policy "fastest" \(known: static, threshold, target, predictive, full, compressed, layer, semantic, deadline, first-fit, best-fit, least-loaded, least-work, round-robin, random(, [a-z-]+)*; join one of each kind with "\+"\)\n$/,
  );
  r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--policy", "first-fit+best-fit"]);
  assert.equal(r.stderr, 'cotwin: policy "first-fit+best-fit": "first-fit" and "best-fit" are both placement rules; give at most one of each\n');
});

test("bad flag values name the flag", async () => {
  let r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--seed", "abc"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'cotwin: --seed must be a non-negative integer, got "abc"\n');
  r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--intervals", "0"]);
  assert.equal(r.stderr, 'cotwin: --intervals must be a positive integer, got "0"\n');
  r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--bogus", "1"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "cotwin: Unknown argument: bogus\n");
});

test("a run prints the summary as one JSON object that adds up", async () => {
  const r = await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--policy", "least-loaded", "--json"]);
  assert.equal(r.code, 0);
  const s = JSON.parse(r.stdout);
  for (const k of ["energyKWh", "costUSD", "usdPerRequest", "meanResponseS", "p95ResponseS", "violationRate", "lateRate", "meanAccuracy", "objective", "events", "wallMs"]) {
    assert.equal(typeof s[k], "number", k);
  }
  const q = s.requests;
  assert.equal(q.arrived, q.completed + q.rejected + q.failed + q.unfinished);
  // 2 B2s (0.0416 USD/h) on for 20 intervals of 5 s plus the drain: 2 * 0.0416 * (20 + drain) * 5 / 3600
  assert.ok(Math.abs(s.costUSD - (2 * 0.0416 * (20 + s.drainIntervals) * 5) / 3600) < 1e-12);
  const again = JSON.parse((await cli(["simulate", "--scenario", `${F}/tiny.yaml`, "--policy", "least-loaded", "--json"])).stdout);
  delete s.wallMs;
  delete s.decisionMs;
  delete again.wallMs;
  delete again.decisionMs;
  assert.deepEqual(again, s);
});

test("invalid decisions are rejected with a recorded reason, never silently changed", () => {
  const { twin } = makeTwin(
    {
      intervalS: 10,
      sizes: [PLAIN_2VCPU],
      hosts: [{ size: "plain-2", count: 2 }, { size: "plain-2", initial: "off" }],
      applications: {
        variants: ["full", "layer"],
        custom: [
          {
            name: "model",
            variants: [
              { kind: "full", accuracy: 0.7, fragments: [{ mi: 1000, ramMB: 3000 }] },
              { kind: "layer", accuracy: 0.7, fragments: [{ mi: 500, ramMB: 1500 }, { mi: 500, ramMB: 1500 }] },
            ],
          },
        ],
      },
      workload: { kind: "poisson", ratePerInterval: 5 },
    },
    2,
  );
  twin.runUntil(10);
  twin.closeInterval();
  const obs = twin.observe();
  assert.ok(obs.pending.length >= 3);
  const [a, b, c] = obs.pending;
  const rej = twin.apply({
    provision: [{ host: 7, action: "start" }, { host: 0, action: "start" }, { host: 2, action: "stop" }],
    deploy: [
      { request: 12345, variant: "full", hosts: [0] },
      { request: a.id, variant: "layer", hosts: [0] },
      { request: b.id, variant: "full", hosts: [2] },
      { request: c.id, variant: "full", hosts: [0, 1] },
    ],
  });
  assert.deepEqual(
    rej.map((r) => r.reason),
    [
      "no host 7 (hosts are 0..2)",
      "host 0 is already on",
      "host 2 is off",
      "request 12345 is not pending",
      `variant "layer" has 2 fragment(s), got 1 host(s)`,
      "fragment 0: host 2 is off",
      `variant "full" has 1 fragment(s), got 2 host(s)`,
    ],
  );
  assert.deepEqual(twin.rejections, { "already started": 1, "already stopped": 1, "host not on": 1, "request not pending": 1, "unknown host": 1, "wrong fragment count": 2 });
  // Nothing was placed: all three are still pending.
  assert.equal(twin.observe().pending.length, obs.pending.length);
  // RAM (4,096 MB per host): the first 3,000 MB fragment fits, the second does not, and a layer
  // split needing 2 x 1,500 MB on one host does not fit either.
  const rej2 = twin.apply({
    deploy: [
      { request: a.id, variant: "full", hosts: [0] },
      { request: b.id, variant: "full", hosts: [0] },
      { request: c.id, variant: "layer", hosts: [1, 1] },
      { request: c.id, variant: "layer", hosts: [1, 1] },
    ],
  });
  assert.deepEqual(
    rej2.map((r) => r.reason),
    ["fragment 0: host 0 has 1096 MB free, needs 3000 MB", "request " + c.id + " is not pending"],
  );
});

test("compare: mean and 95 % CI by hand, output files, and a foreign directory refused", async () => {
  const { meanCI } = await import("../../src/commands/run.ts");
  // [1, 2, 3]: mean 2, sample sd 1, t(0.975, 2 df) = 4.302653 (published 4.303) -> 4.302653 / sqrt(3) = 2.48414
  const m = meanCI([1, 2, 3]);
  assert.equal(m.mean, 2);
  assert.ok(Math.abs(m.ci95 - 4.302653 / Math.sqrt(3)) < 1e-6);
  const { mkdtempSync, writeFileSync, readFileSync, existsSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const dir = mkdtempSync(path.join(tmpdir(), "cotwin-compare-"));
  const out = path.join(dir, "cmp");
  const r = await cli(["compare", "--scenario", `${F}/tiny.yaml`, "--policies", "first-fit,threshold+least-loaded", "--seeds", "2", "--out", out, "--json"]);
  assert.equal(r.code, 0);
  const j = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"));
  assert.deepEqual(j.rows.map((x: { policy: string }) => x.policy), ["first-fit", "threshold+least-loaded"]);
  assert.equal(j.runs.length, 4);
  for (const f of ["index.html", "compare.csv", "first-fit/report.html", "threshold_least-loaded/summary.json"]) assert.ok(existsSync(path.join(out, f)), f);
  // the row's mean is the mean of its runs
  const runs = j.runs.filter((x: { policy: string }) => x.policy === "first-fit").map((x: { energyKWh: number }) => x.energyKWh);
  assert.ok(Math.abs(j.rows[0].energyKWh - (runs[0] + runs[1]) / 2) < 1e-15);
  // again into the same directory is fine; into a foreign one is refused
  assert.equal((await cli(["compare", "--scenario", `${F}/tiny.yaml`, "--policies", "first-fit", "--seeds", "1", "--out", out, "--json"])).code, 0);
  const foreign = path.join(dir, "foreign");
  (await import("node:fs")).mkdirSync(foreign);
  writeFileSync(path.join(foreign, "notes.txt"), "mine");
  const bad = await cli(["compare", "--scenario", `${F}/tiny.yaml`, "--policies", "first-fit", "--seeds", "1", "--out", foreign]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    `cotwin: --out ${foreign}: is not empty and is not a comparison of cotwin compare (one with compare.json); refusing to overwrite it (choose a new or empty directory, or pass --force to write there anyway)\n`,
  );
});
