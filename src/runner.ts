/**
 * The experiment runner: one scenario, one policy, one seed -> a RunRecord (summary, per-interval,
 * per-request and per-host rows). Decision time is measured around `policy.decide` only.
 */
import { performance } from "node:perf_hooks";
import { RandomStreams } from "../simulator/engine/random.ts";
import type { TwinModel } from "../simulator/model.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import { Twin, type Totals, type TwinOptions } from "../simulator/twin.ts";
import { prepareForecast } from "./forecast-hook.ts";
import { HOST_DRAINING, HOST_ON, type Policy } from "../simulator/types.ts";
import { VARIANT_KINDS } from "../workloads/applications.ts";
import { compileObjective, objectiveVariables, type Objective } from "./objective.ts";
import { createPolicy } from "./policies/registry.ts";
import { buildArrivals, buildTwinModel, loadArrivals } from "./scenarios.ts";
import type { ArrivalSource } from "../simulator/arrivals.ts";
import type { HostRow, IntervalRow, RequestRow, RunRecord, RunSummary } from "./summary.ts";
import { VERSION } from "./version.ts";

export interface TenantRunOptions {
  scenario: TenantScenario;
  /** where the scenario came from, for error messages */
  source: string;
  policy: string;
  seed: number;
  intervals?: number;
  onInterval?: (done: number, total: number) => void;
  policyOptions?: Record<string, unknown>;
  /** keep per-request records and response times (default true; the benchmark times the loop without them) */
  record?: boolean;
  /** arrivals read beforehand (trace replay); default: the scenario's generator */
  arrivals?: ArrivalSource;
  /** the scenario's forecaster, prepared beforehand (see forecast-hook.ts) */
  forecast?: TwinOptions["forecast"];
}

export interface PreparedRun {
  model: TwinModel;
  twin: Twin;
  policy: Policy;
  objective: Objective;
  streams: RandomStreams;
}

/** Builds the model, the twin (recording) and the policy of a run. */
export function prepareTenantRun(o: TenantRunOptions): PreparedRun {
  const objective = compileObjective(o.scenario.objective, `${o.source}: objective`);
  const model = buildTwinModel(o.scenario, o.source);
  const streams = new RandomStreams(o.seed);
  // A given source is cloned: sources are stateful cursors, and one may serve several runs.
  const arrivals = o.arrivals ? o.arrivals.clone() : buildArrivals(o.scenario, model, streams, o.source);
  if (o.scenario.forecast && !o.forecast) {
    throw new Error(`${o.source}: the scenario names a forecaster: run it with runTenantAsync, which fits it first`);
  }
  const twin = new Twin(model, arrivals, o.seed, { record: o.record ?? true, forecast: o.forecast });
  // Policies that search the twin (the oracle) get the live twin to fork; others ignore it.
  const policy = createPolicy(o.policy, {
    model,
    seed: o.seed,
    streams,
    options: { ...o.policyOptions, twin: () => twin, scenario: o.scenario, source: o.source },
  });
  return { model, twin, policy, objective, streams };
}

export function runTenant(o: TenantRunOptions): RunRecord {
  const wall0 = performance.now();
  const { model, twin, policy, objective } = prepareTenantRun(o);
  const intervals = o.intervals ?? o.scenario.intervals;
  const decisionMs: number[] = [];
  const rows: IntervalRow[] = [];
  const start = twin.totals();
  let prev = start;
  for (let k = 0; k < intervals; k++) {
    let spent = decideAndApply(twin, policy, decisionMs);
    const end = twin.intervalEnd;
    if (model.admission === "arrival") {
      while (twin.runUntil(end, true)) spent += decideAndApply(twin, policy, decisionMs);
    } else {
      twin.runUntil(end);
    }
    twin.closeInterval();
    const now = twin.totals();
    rows.push(intervalRow(twin, k, prev, now, spent));
    prev = now;
    o.onInterval?.(k + 1, intervals);
  }
  const end = twin.totals();
  const summary = summarise(o, model, twin, objective, start, end, intervals, decisionMs, performance.now() - wall0);
  return {
    config: { ...o.scenario, intervals },
    summary,
    intervals: rows,
    requests: requestRows(twin),
    hosts: hostRows(twin),
  };
}

function decideAndApply(twin: Twin, policy: Policy, decisionMs: number[]): number {
  const obs = twin.observe();
  const t0 = performance.now();
  const d = policy.decide(obs);
  const dt = performance.now() - t0;
  decisionMs.push(dt);
  twin.apply(d);
  return dt;
}

function intervalRow(twin: Twin, k: number, a: Totals, b: Totals, decisionMs: number): IntervalRow {
  const m = twin.model;
  const completed = b.completed - a.completed;
  let on = 0;
  for (let h = 0; h < m.hostCount; h++) {
    const s = twin.hostTotals(h).state;
    if (s === HOST_ON || s === HOST_DRAINING) on++;
  }
  const busy = b.busyS - a.busyS;
  const billed = b.billedS - a.billedS;
  return {
    interval: k,
    startS: a.time,
    endS: b.time,
    energyKWh: (b.energyJ - a.energyJ) / 3.6e6,
    costUSD: b.costUSD - a.costUSD,
    arrived: b.arrived - a.arrived,
    completed,
    violated: b.violated - a.violated,
    rejected: b.rejected - a.rejected,
    failed: b.failed - a.failed,
    pending: twin.pendingCount,
    running: twin.runningCount,
    meanResponseS: completed > 0 ? (b.responseSum - a.responseSum) / completed : NaN,
    meanAccuracy: completed > 0 ? (b.accuracySum - a.accuracySum) / completed : NaN,
    hostsOn: on,
    // utilisation averaged over the hosts' billed time in the interval (busy-seconds per host-second)
    meanUtilisation: billed > 0 ? busy / billed : 0,
    decisionMs,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  // nearest-rank percentile
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

function summarise(
  o: TenantRunOptions,
  model: TwinModel,
  twin: Twin,
  objective: Objective,
  start: Totals,
  end: Totals,
  intervals: number,
  decisionMs: number[],
  wallMs: number,
): RunSummary {
  const vars = objectiveVariables(model, start, end);
  return {
    scenario: o.scenario.name,
    policy: o.policy,
    seed: o.seed,
    version: VERSION,
    simulatedS: end.time - start.time,
    intervals,
    energyKWh: vars.energyKWh,
    costUSD: vars.costUSD,
    meanResponseS: vars.meanResponseS,
    p95ResponseS: percentile(twin.responses, 95),
    slaViolationRate: vars.slaViolationRate,
    meanAccuracy: vars.meanAccuracy,
    objective: objective.evaluate(vars),
    requests: {
      arrived: end.arrived,
      completed: end.completed,
      violated: end.violated,
      rejected: end.rejected,
      failed: end.failed,
      inFlight: twin.inFlight,
    },
    decisionRejections: sortedCounts(twin.rejections),
    events: end.events,
    decisionMs: { p50: percentile(decisionMs, 50), p99: percentile(decisionMs, 99) },
    wallMs,
  };
}

function sortedCounts(c: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(c).sort()) out[k] = c[k];
  return out;
}

function requestRows(twin: Twin): RequestRow[] {
  const m = twin.model;
  const all = [...twin.requestRecords, ...twin.inFlightRecords()].sort((a, b) => a.id - b.id);
  return all.map((r) => {
    const variant = r.variant >= 0 ? VARIANT_KINDS[r.variant % VARIANT_KINDS.length] : "";
    const response = r.status === "completed" ? r.end - r.arrival : NaN;
    return {
      id: r.id,
      app: m.apps[r.app].name,
      variant,
      arrivalS: r.arrival,
      deadlineS: r.deadline,
      startS: r.start,
      endS: r.end,
      responseS: response,
      status: r.status,
      violated: r.status === "completed" && response > r.deadline,
      accuracy: r.status === "completed" ? m.vAccuracy[r.variant] : NaN,
      hosts: r.hosts.map((h) => m.hostNames[h]).join(" "),
    };
  });
}

function hostRows(twin: Twin): HostRow[] {
  const m = twin.model;
  const rows: HostRow[] = [];
  for (let h = 0; h < m.hostCount; h++) {
    const t = twin.hostTotals(h);
    rows.push({
      host: h,
      name: m.hostNames[h],
      size: m.sizeNames[m.hostSize[h]],
      energyKWh: t.energyJ / 3.6e6,
      costUSD: (t.billedS * m.pricePerHour[h]) / 3600,
      billedS: t.billedS,
      busyS: t.busyS,
      meanUtilisation: t.billedS > 0 ? t.busyS / t.billedS : 0,
      fragmentsCompleted: t.completed,
      boots: t.boots,
      failures: t.failures,
    });
  }
  return rows;
}

/** runTenant for any workload: reads a trace first when the scenario replays one. */
export async function runTenantAsync(o: TenantRunOptions): Promise<RunRecord> {
  return runTenant(await prepareInputs(o));
}

/** Reads a trace and fits the scenario's forecaster, when the scenario has them. */
export async function prepareInputs(o: TenantRunOptions): Promise<TenantRunOptions> {
  let arrivals = o.arrivals;
  if (!arrivals && o.scenario.workload.kind === "trace") {
    const model = buildTwinModel(o.scenario, o.source);
    arrivals = await loadArrivals(o.scenario, model, new RandomStreams(o.seed), o.source);
  }
  let forecast = o.forecast;
  if (!forecast && o.scenario.forecast) {
    const model = buildTwinModel(o.scenario, o.source);
    const src = arrivals ?? buildArrivals(o.scenario, model, new RandomStreams(o.seed), o.source);
    forecast = await prepareForecast(o.scenario, src, o.seed, o.source);
  }
  return { ...o, arrivals, forecast };
}
