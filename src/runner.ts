/**
 * The experiment runner: one scenario, one policy, one seed -> a RunRecord (summary, per-interval,
 * per-request and per-host rows). Decision time is measured around `policy.decide` only.
 */
import { performance } from "node:perf_hooks";
import type { TwinModel } from "../simulator/model.ts";
import type { Twin, Totals } from "../simulator/twin.ts";
import { HOST_DRAINING, HOST_ON, type Policy } from "../simulator/types.ts";
import { VARIANT_KINDS } from "../simulator/catalogue/applications.ts";
import { objectiveVariables, type Objective } from "../simulator/objective.ts";
import { createPolicy } from "../simulator/policies/registry.ts";
import { percentile, type HostRow, type IntervalRow, type RequestRow, type RunRecord, type RunSummary } from "../simulator/summary.ts";
import { VERSION } from "../simulator/version.ts";
import { buildReadyTwin, prepareInputs, type ReadyTwin, type TwinInputs } from "../workloads/ready-twin.ts";
import { ensurePolicies } from "./policies.ts";
import { PolicyRunError } from "../simulator/policies/policy-file.ts";
import { checkTenantSize } from "../simulator/limits.ts";
import { drainLimit } from "../simulator/drain.ts";


/** A run that stopped before its end (a policy threw): the message and what ran until then. */
export class UnfinishedRunError extends Error {
  constructor(
    message: string,
    readonly partial: { config: unknown; intervals: IntervalRow[]; seed: number; policy: string },
  ) {
    super(message);
    this.name = "UnfinishedRunError";
  }
}

export interface TenantRunOptions extends TwinInputs {
  policy: string;
  intervals?: number;
  onInterval?: (done: number, total: number) => void;
  policyOptions?: Record<string, unknown>;
}

export interface PreparedRun extends ReadyTwin {
  policy: Policy;
}

/** Builds the model, the twin (recording) and the policy of a run. */
export function prepareTenantRun(o: TenantRunOptions): PreparedRun {
  const ready = buildReadyTwin(o);
  const { model, twin, streams } = ready;
  // Policies that search the twin (the oracle) get the live twin to fork; others ignore it.
  const policy = createPolicy(o.policy, {
    model,
    seed: o.seed,
    streams,
    options: { ...o.policyOptions, twin: () => twin, scenario: o.scenario, source: o.source },
  });
  return { ...ready, policy };
}

export function runTenant(o: TenantRunOptions): RunRecord {
  // the scenario's own size was checked when it was read; an --intervals override is checked here
  if (o.intervals !== undefined) checkTenantSize(o.scenario, o.source, o.intervals, "--intervals");
  const wall0 = performance.now();
  const { model, twin, policy, objective } = prepareTenantRun(o);
  const intervals = o.intervals ?? o.scenario.intervals;
  const drainCap = drainLimit(o.scenario, model);
  const decisionMs: number[] = [];
  const rows: IntervalRow[] = [];
  const start = twin.totals();
  let prev = start;
  const step = (k: number, drain: boolean): void => {
    let spent = decideAndApply(twin, policy, decisionMs);
    const end = twin.intervalEnd;
    if (model.admission === "arrival") {
      while (twin.runUntil(end, true)) spent += decideAndApply(twin, policy, decisionMs);
    } else {
      twin.runUntil(end);
    }
    twin.closeInterval();
    const now = twin.totals();
    rows.push(intervalRow(twin, k, prev, now, spent, drain));
    prev = now;
  };
  let drained = 0;
  try {
    for (let k = 0; k < intervals; k++) {
      step(k, false);
      o.onInterval?.(k + 1, intervals);
    }
    // The end of a run is honest: arrivals stop, and the run goes on under the same policy until
    // every request has ended (its energy and cost counted); what is still in flight at the drain
    // limit counts as unfinished, a violation.
    twin.closeArrivals();
    while (twin.inFlight > 0 && drained < drainCap) step(intervals + drained++, true);
  } catch (e) {
    // A policy that throws ends the run; what ran so far is kept for an unfinished run directory.
    if (e instanceof PolicyRunError) throw new UnfinishedRunError(e.message, { config: { ...o.scenario, intervals }, intervals: rows, seed: o.seed, policy: o.policy });
    throw e;
  }
  const end = twin.totals();
  const summary = summarise(o, model, twin, objective, start, end, intervals, drained, decisionMs, performance.now() - wall0, policy);
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

function intervalRow(twin: Twin, k: number, a: Totals, b: Totals, decisionMs: number, drain: boolean): IntervalRow {
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
    late: b.violated - a.violated,
    rejected: b.rejected - a.rejected,
    failed: b.failed - a.failed,
    pending: twin.pendingCount,
    running: twin.runningCount,
    drain: drain ? 1 : 0,
    meanResponseS: completed > 0 ? (b.responseSum - a.responseSum) / completed : NaN,
    meanAccuracy: completed > 0 ? (b.accuracySum - a.accuracySum) / completed : NaN,
    hostsOn: on,
    // utilisation averaged over the hosts' billed time in the interval (busy-seconds per host-second)
    meanUtilisation: billed > 0 ? busy / billed : 0,
    decisionMs,
  };
}


function summarise(
  o: TenantRunOptions,
  model: TwinModel,
  twin: Twin,
  objective: Objective,
  start: Totals,
  end: Totals,
  intervals: number,
  drainIntervals: number,
  decisionMs: number[],
  wallMs: number,
  policy: Policy,
): RunSummary {
  const unfinished = twin.inFlight;
  const vars = objectiveVariables(model, start, end, objective.economics, unfinished);
  const info = (policy as { info?: () => Record<string, unknown> }).info?.();
  return {
    scenario: o.scenario.name,
    policy: o.policy,
    seed: o.seed,
    version: VERSION,
    simulatedS: end.time - start.time,
    intervals,
    drainIntervals,
    objectiveName: objective.source,
    objective: objective.evaluate(vars),
    usdPerRequest: vars.usdPerRequest,
    costUSD: vars.costUSD,
    energyKWh: vars.energyKWh,
    energyUSD: vars.energyUSD,
    penaltyUSD: vars.penaltyUSD,
    accuracyLossUSD: vars.accuracyLossUSD,
    meanResponseS: vars.meanResponseS,
    p95ResponseS: percentile(twin.responses, 95),
    violationRate: vars.violationRate,
    lateRate: vars.lateRate,
    meanAccuracy: vars.meanAccuracy,
    requests: {
      arrived: end.arrived,
      completed: end.completed,
      late: end.violated,
      rejected: end.rejected,
      failed: end.failed,
      unfinished,
    },
    decisionRejections: sortedCounts(twin.rejections),
    events: end.events,
    ...(info ? { policyInfo: info } : {}),
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
      status: r.status === "inFlight" ? "unfinished" : r.status,
      late: r.status === "completed" && response > r.deadline,
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
  const continuation = o.policyOptions?.continuation;
  await ensurePolicies(o.policy, typeof continuation === "string" ? continuation : undefined);
  return runTenant(await prepareInputs(o));
}
