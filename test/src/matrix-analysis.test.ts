/**
 * The analysis of a matrix on hand-made results: means and intervals per cell, paired differences
 * against the reference, relative changes only where they mean something, SciNet's percentages,
 * breakdowns, series, the objective's sign, and the metric list driving all of it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyse, relativeAllowed } from "../../src/matrix/analyse.ts";
import type { RunResult } from "../../src/matrix/execute.ts";
import { METRICS, valueAt, type Metric } from "../../src/matrix/metrics.ts";
import { objectiveIsNonNegative } from "../../src/matrix/objective-sign.ts";
import type { RunSummary } from "../../simulator/summary.ts";

/** SciNet's weighted objective subtracts accuracy: it can be negative */
const SIGNED = "scinet-weighted";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

function summary(over: Partial<RunSummary>): RunSummary {
  return {
    scenario: "s",
    policy: "p",
    seed: 1,
    version: "test",
    simulatedS: 100,
    intervals: 2,
    drainIntervals: 0,
    objectiveName: "scinet-weighted",
    objective: 0.5,
    usdPerRequest: 0.1,
    costUSD: 1,
    energyKWh: 1,
    energyUSD: 0.13,
    penaltyUSD: 0,
    accuracyLossUSD: 0,
    meanResponseS: 1,
    p95ResponseS: 2,
    violationRate: 0,
    lateRate: 0,
    meanAccuracy: 0.8,
    requests: { arrived: 10, completed: 10, late: 0, rejected: 0, failed: 0, unfinished: 0 },
    decisionRejections: {},
    events: 100,
    decisionMs: { p50: 0.01, p99: 0.02 },
    wallMs: 5,
    ...over,
  };
}

function result(policy: string, seed: number, s: Partial<RunSummary>, extra: Partial<RunResult> = {}): RunResult {
  return { key: `${policy}-${seed}`, scenario: "s", policy, seed, configHash: "c0ffee", version: "test", summary: summary({ policy, seed, ...s }), intervals: {}, hostsBySize: {}, ...extra };
}

// first-fit costs 2, 4, 6 over seeds 1..3; the oracle half of that, with higher accuracy
const RESULTS: RunResult[] = [
  result("first-fit", 1, { costUSD: 2, meanAccuracy: 0.6, objective: 0.2, violationRate: 0 }),
  result("first-fit", 2, { costUSD: 4, meanAccuracy: 0.6, objective: -0.1, violationRate: 0.01 }),
  result("first-fit", 3, { costUSD: 6, meanAccuracy: 0.6, objective: 0.3, violationRate: 0 }),
  result("oracle", 1, { costUSD: 1, meanAccuracy: 0.9, objective: 0.1, violationRate: 0 }),
  result("oracle", 2, { costUSD: 2, meanAccuracy: 0.9, objective: -0.2, violationRate: 0 }),
  result("oracle", 3, { costUSD: 3, meanAccuracy: 0.9, objective: 0.1, violationRate: 0 }),
];

function run(objective: string, results = RESULTS, metrics?: readonly Metric[]) {
  return analyse({
    version: "test",
    scenarios: [{ name: "s", view: "tenant", configHash: "c0ffee", objective }],
    policies: ["first-fit", "oracle"],
    seeds: [1, 2, 3],
    reference: "first-fit",
    baselines: ["first-fit"],
    results,
    metrics,
  });
}

test("cells: mean and 95 % interval over the seeds (cost 2, 4, 6: 4 ± 4.303 * 2 / sqrt 3)", () => {
  const a = run(SIGNED);
  const c = a.cells.find((x) => x.policy === "first-fit" && x.metric === "cost")!;
  assert.equal(c.mean, 4);
  assert.equal(c.n, 3);
  assert.deepEqual(c.seeds, [1, 2, 3]);
  close(c.ci95, (4.302653 * 2) / Math.sqrt(3), 1e-5, "ci95");
});

test("paired difference and relative change against the reference: the oracle costs half, -50 % with no spread", () => {
  const a = run(SIGNED);
  const v = a.versus.find((x) => x.policy === "oracle" && x.metric === "cost")!;
  // differences (-1, -2, -3): mean -2, interval 4.303 * 1 / sqrt 3
  assert.equal(v.difference.value, -2);
  close(v.difference.ci95, 4.302653 / Math.sqrt(3), 1e-5, "difference ci95");
  assert.equal(v.relative!.value, -0.5);
  assert.equal(v.relative!.ci95, 0);
  assert.equal(a.versus.some((x) => x.policy === "first-fit"), false, "the reference is not compared with itself");
});

test("a signed objective (SciNet's weighted form) gets absolute differences only, never a percentage", () => {
  const a = run(SIGNED);
  const v = a.versus.find((x) => x.policy === "oracle" && x.metric === "objective")!;
  assert.equal(v.relative, undefined);
  assert.match(v.relativeNote!, /negative/);
  // differences (-0.1, -0.1, -0.2)
  close(v.difference.value, -0.4 / 3, 1e-12, "objective difference");
  assert.equal(a.scenarios[0].objectiveNonNegative, false);
});

test("a non-negative objective gets its relative change (when no value seen is negative)", () => {
  const positive = RESULTS.map((r) => ({ ...r, summary: { ...r.summary, objective: r.summary.costUSD } }));
  const a = run("costUSD / max(completed, 1)", positive);
  assert.equal(a.scenarios[0].objectiveNonNegative, true);
  const v = a.versus.find((x) => x.policy === "oracle" && x.metric === "objective")!;
  assert.equal(v.relative!.value, -0.5);
  // the same expression with a negative value among the runs (another version, a bug): no percentage
  const b = run("costUSD / max(completed, 1)");
  assert.match(b.versus.find((x) => x.policy === "oracle" && x.metric === "objective")!.relativeNote!, /negative values/);
});

test("no percentage of a reference that is 0, or 0 in some seeds", () => {
  const a = run(SIGNED);
  // first-fit SLA violation rate (0, 0.01, 0)
  const sla = a.versus.find((x) => x.policy === "oracle" && x.metric === "violations")!;
  assert.equal(sla.relative, undefined);
  assert.match(sla.relativeNote!, /0 in some seeds/);
  const rejected = a.versus.find((x) => x.policy === "oracle" && x.metric === "rejected")!;
  assert.match(rejected.relativeNote!, /reference is 0/);
  assert.equal(rejected.difference.value, 0);
  const signed: Metric = { key: "x", path: "objective", label: "x", short: "x", unit: "", lowerIsBetter: true, nonNegative: false };
  assert.match(relativeAllowed(signed, { objectiveNonNegative: true }, [1, 2], [1, 2])!, /signed/);
});

test("SciNet terms: the oracle against first-fit is 50 % lower cost and 50 % higher accuracy", () => {
  const a = run(SIGNED);
  assert.equal(a.scinet.length, 1);
  const row = a.scinet[0];
  assert.equal(row.policy, "oracle");
  assert.equal(row.baseline, "first-fit");
  const cell = (term: string) => row.cells.find((c) => c.term === term)!;
  close(cell("execution cost").percent!.value, 50, 1e-9, "lower cost");
  close(cell("inference accuracy").percent!.value, 50, 1e-9, "higher accuracy (0.9 vs 0.6)");
  // energy and response time are equal (1 and 1): 0 %
  close(cell("energy").percent!.value, 0, 1e-12, "energy");
  close(cell("response time").percent!.value, 0, 1e-12, "response");
});

test("the metric list drives the analysis: a metric added is analysed, one with no value anywhere is left out", () => {
  const events: Metric = { key: "events", path: "events", label: "events", short: "events", unit: "", lowerIsBetter: true, nonNegative: true };
  const ghost: Metric = { key: "ghost", path: "requests.ghosts", label: "ghost", short: "ghost", unit: "", lowerIsBetter: true, nonNegative: true };
  const a = run(SIGNED, RESULTS, [...METRICS, events, ghost]);
  assert.ok(a.metrics.some((m) => m.key === "events"));
  assert.equal(a.metrics.some((m) => m.key === "ghost"), false);
  assert.equal(a.cells.find((c) => c.metric === "events" && c.policy === "oracle")!.mean, 100);
  // without the list entry, no cell
  assert.equal(run(SIGNED).cells.some((c) => c.metric === "events"), false);
});

test("values are read by field path; missing fields are NaN", () => {
  const s = summary({});
  assert.equal(valueAt(s, "requests.completed"), 10);
  assert.equal(valueAt(s, "decisionMs.p99"), 0.02);
  assert.ok(Number.isNaN(valueAt(s, "requests.nothing")));
  assert.ok(Number.isNaN(valueAt(s, "scenario")));
  assert.ok(Number.isNaN(valueAt(null, "a.b")));
});

test("breakdowns by host size and per-interval series: means over the seeds", () => {
  const rs = [1, 2].map((seed) =>
    result("first-fit", seed, {}, {
      hostsBySize: { small: { hosts: 2, energyKWh: seed, costUSD: 10 * seed }, large: { hosts: 1, energyKWh: 5, costUSD: 0 } },
      intervals: { energyKWh: [seed, 2 * seed], meanResponseS: [null, seed] },
    }),
  );
  const a = analyse({ version: "t", scenarios: [{ name: "s", view: "tenant", configHash: "h" }], policies: ["first-fit"], seeds: [1, 2], reference: "first-fit", results: rs });
  const bd = (b: string, size: string) => a.breakdowns.find((x) => x.breakdown === b && x.size === size)!;
  assert.equal(bd("energy", "small").mean, 1.5);
  assert.equal(bd("cost", "small").mean, 15);
  assert.equal(bd("energy", "large").mean, 5);
  assert.equal(bd("energy", "large").ci95, 0);
  const pt = (field: string, k: number) => a.series.find((x) => x.series === field && x.interval === k);
  assert.equal(pt("energyKWh", 0)!.mean, 1.5);
  assert.equal(pt("energyKWh", 1)!.mean, 3);
  // interval 0 had no completed request in either run: no point
  assert.equal(pt("meanResponseS", 0), undefined);
  assert.equal(pt("meanResponseS", 1)!.mean, 1.5);
});

test("an objective is non-negative only when its expression is, at every corner of its variables' ranges", () => {
  assert.equal(objectiveIsNonNegative(SIGNED), false, "subtracts accuracy");
  assert.equal(objectiveIsNonNegative("0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy"), false);
  assert.equal(objectiveIsNonNegative("usd-per-request"), true, "the default: money per request");
  assert.equal(objectiveIsNonNegative("0.5*energy + 0.5*cost"), true);
  assert.equal(objectiveIsNonNegative("costUSD / max(completed, 1)"), true);
  assert.equal(objectiveIsNonNegative("1 - violationRate"), true, "a rate is at most 1");
  assert.equal(objectiveIsNonNegative("1 - costUSD"), false, "cost in USD is unbounded");
  assert.equal(objectiveIsNonNegative("energy - 0.1"), false);
  assert.equal(objectiveIsNonNegative("sla - accuracy"), false);
  assert.equal(objectiveIsNonNegative("log(energy)"), false);
  assert.equal(objectiveIsNonNegative("energy * (cost + sla)"), true);
  assert.equal(objectiveIsNonNegative("not an ( expression"), false);
  assert.equal(objectiveIsNonNegative(undefined), false);
});
