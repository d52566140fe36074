import type { HostRow, IntervalRow, RequestRow, RunSummary } from "../summary.ts";
import {
  CLOUDLET_DONE,
  CLOUDLET_PENDING,
  CLOUDLET_REJECTED,
  type CloudletTable,
} from "./entities.ts";
import type { ProviderDatacenter } from "./datacenter.ts";
import { CURVE_POINTS } from "./power-curves.ts";
import { quantile } from "./quantile.ts";
import type { ResolvedProviderScenario } from "./scenario.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_ECONOMICS } from "../objective.ts";

const J_PER_KWH = 3.6e6;



/**
 * The objective of a provider run, lower is better: a weighted sum (weights from the scenario,
 * default 0.3 / 0.1 / 0.3 / 0.2 / 0.1) of five terms, each in [0, 1]:
 * - energy: energy used / energy of every host at 100 % load for the whole run;
 * - cost: cost / cost of every host billed for the whole run (0 when hosts are free);
 * - response: 1 - mean ideal run time / mean response time of completed cloudlets, the share of
 *   response time lost to queueing and sharing (ideal = lengthMI / (VM MIPS * utilisation));
 * - sla: the SLA violation rate (violated / completed);
 * - rejected: rejected / arrived cloudlets.
 * There is no accuracy term: the provider view has no AI variants (meanAccuracy is 1).
 */
export interface ObjectiveTerms {
  energy: number;
  cost: number;
  response: number;
  sla: number;
  rejected: number;
}

export function objectiveOf(terms: ObjectiveTerms, w: ResolvedProviderScenario["objectiveWeights"]): number {
  return w.energy * terms.energy + w.cost * terms.cost + w.response * terms.response + w.sla * terms.sla + w.rejected * terms.rejected;
}

export function buildSummary(
  dc: ProviderDatacenter,
  s: ResolvedProviderScenario,
  seed: number,
  policy: string,
  wallMs: number,
): { summary: RunSummary; objectiveTerms: ObjectiveTerms } {
  const { hosts, vms, cloudlets: cl } = dc.entities;
  const T = dc.endS;
  let energyJ = 0;
  let billedS = 0;
  let peakJ = 0;
  for (let h = 0; h < hosts.count; h++) {
    energyJ += dc.hostEnergyJ[h];
    billedS += dc.hostBilledS[h];
    peakJ += hosts.curves[hosts.curve[h] + CURVE_POINTS - 1] * T;
  }
  const response = new Float64Array(dc.completed);
  let sumResponse = 0;
  let sumIdeal = 0;
  let violated = 0;
  let k = 0;
  for (let c = 0; c < cl.count; c++) {
    if (cl.status[c] !== CLOUDLET_DONE) continue;
    const r = cl.finishS[c] - cl.submitS[c];
    response[k++] = r;
    sumResponse += r;
    sumIdeal += cl.lengthMI[c] / (vms.mips[cl.vm[c]] * cl.utilisation[c]);
    if (r > cl.deadlineS[c]) violated++;
  }
  const completed = dc.completed;
  const meanResponseS = completed > 0 ? sumResponse / completed : 0;
  const slaViolationRate = completed > 0 ? violated / completed : 0;
  const costUSD = (s.hostPricePerHour * billedS) / 3600;
  const fullCost = (s.hostPricePerHour * hosts.count * T) / 3600;
  const terms: ObjectiveTerms = {
    energy: peakJ > 0 ? energyJ / peakJ : 0,
    cost: fullCost > 0 ? costUSD / fullCost : 0,
    response: sumResponse > 0 ? Math.max(0, 1 - sumIdeal / sumResponse) : 0,
    sla: slaViolationRate,
    rejected: dc.arrived > 0 ? dc.rejected / dc.arrived : 0,
  };
  const energyKWh = energyJ / J_PER_KWH;
  const e = DEFAULT_ECONOMICS;
  const violations = violated + dc.rejected + dc.inFlight;
  const penaltyUSD = violated * e.lateUSD + (dc.rejected + dc.inFlight) * e.unservedUSD;
  const accounted = Math.max(1, dc.arrived);
  const summary: RunSummary = {
    scenario: s.name,
    policy,
    seed,
    version: VERSION,
    simulatedS: T,
    intervals: s.intervals,
    drainIntervals: 0,
    objectiveName: "provider-weighted",
    objective: objectiveOf(terms, s.objectiveWeights),
    usdPerRequest: (costUSD + energyKWh * e.energyUSDPerKWh + penaltyUSD) / accounted,
    costUSD,
    energyKWh,
    energyUSD: energyKWh * e.energyUSDPerKWh,
    penaltyUSD,
    accuracyLossUSD: 0,
    meanResponseS,
    p95ResponseS: quantile(response, 0.95),
    violationRate: violations / accounted,
    lateRate: slaViolationRate,
    meanAccuracy: 1,
    requests: {
      arrived: dc.arrived,
      completed,
      late: violated,
      rejected: dc.rejected,
      failed: 0,
      unfinished: dc.inFlight,
    },
    decisionRejections: { ...dc.rejections },
    events: dc.events,
    decisionMs: { p50: quantile(dc.vmDecisionMs, 0.5), p99: quantile(dc.vmDecisionMs, 0.99) },
    wallMs,
  };
  return { summary, objectiveTerms: terms };
}

/**
 * `s.intervals` equal time buckets over [0, end] for charts. Energy, cost and utilisation are
 * exact integrals of the datacenter's step-function timeline over each bucket; counts are by the
 * bucket holding the event time (the last bucket includes the end); pending, running and hostsOn
 * are the state at the bucket's end; VM allocation decisions all happen at time 0.
 */
export function buildIntervals(dc: ProviderDatacenter, s: ResolvedProviderScenario): IntervalRow[] {
  const B = s.intervals;
  const T = dc.endS;
  const width = T / B;
  const bucketOf = (t: number): number => (width > 0 ? Math.min(B - 1, Math.floor(t / width)) : 0);
  const arrived = new Float64Array(B);
  const started = new Float64Array(B);
  const completed = new Float64Array(B);
  const violated = new Float64Array(B);
  const rejected = new Float64Array(B);
  const responseSum = new Float64Array(B);
  const cl = dc.entities.cloudlets;
  // cloudlets are submitted in index order, so the first `submitted` are the ones that arrived
  for (let c = 0; c < dc.submitted; c++) {
    arrived[bucketOf(cl.submitS[c])]++;
    if (cl.startS[c] === cl.startS[c]) started[bucketOf(cl.startS[c])]++;
    if (cl.status[c] === CLOUDLET_DONE) {
      const b = bucketOf(cl.finishS[c]);
      completed[b]++;
      const r = cl.finishS[c] - cl.submitS[c];
      responseSum[b] += r;
      if (r > cl.deadlineS[c]) violated[b]++;
    } else if (cl.status[c] === CLOUDLET_REJECTED) {
      rejected[bucketOf(cl.finishS[c])]++;
    }
  }
  let decisionMs = 0;
  for (let v = 0; v < dc.vmDecisionMs.length; v++) decisionMs += dc.vmDecisionMs[v];

  const tl = dc.timeline;
  const rows: IntervalRow[] = [];
  let cumArrived = 0;
  let cumStarted = 0;
  let cumCompleted = 0;
  let cumRejected = 0;
  let k = 0; // timeline entry in force at the bucket start
  for (let b = 0; b < B; b++) {
    const a = b * width;
    const e = b === B - 1 ? T : (b + 1) * width;
    let energyJ = 0;
    let hostS = 0;
    let usedMipsS = 0;
    let onMipsS = 0;
    while (k + 1 < tl.length && tl.time(k + 1) <= a) k++;
    for (let j = k; j < tl.length && tl.time(j) < e; j++) {
      const from = Math.max(a, tl.time(j));
      const to = Math.min(e, j + 1 < tl.length ? tl.time(j + 1) : T);
      const dt = to - from;
      if (dt <= 0) continue;
      energyJ += tl.powerW(j) * dt;
      hostS += tl.hostsOn(j) * dt;
      usedMipsS += tl.usedMips(j) * dt;
      onMipsS += tl.onMips(j) * dt;
    }
    let atEnd = k;
    while (atEnd + 1 < tl.length && tl.time(atEnd + 1) <= e) atEnd++;
    cumArrived += arrived[b];
    cumStarted += started[b];
    cumCompleted += completed[b];
    cumRejected += rejected[b];
    rows.push({
      interval: b,
      startS: a,
      endS: e,
      energyKWh: energyJ / J_PER_KWH,
      costUSD: (s.hostPricePerHour * hostS) / 3600,
      arrived: arrived[b],
      completed: completed[b],
      late: violated[b],
      rejected: rejected[b],
      failed: 0,
      pending: cumArrived - cumStarted - cumRejected,
      drain: 0,
      running: cumStarted - cumCompleted,
      meanResponseS: completed[b] > 0 ? responseSum[b] / completed[b] : 0,
      meanAccuracy: 1,
      hostsOn: tl.length > 0 ? tl.hostsOn(atEnd) : 0,
      meanUtilisation: onMipsS > 0 ? usedMipsS / onMipsS : 0,
      decisionMs: b === 0 ? decisionMs : 0,
    });
  }
  return rows;
}

/** One row per host with its totals over [0, end]. */
export function buildHostRows(dc: ProviderDatacenter, s: ResolvedProviderScenario): HostRow[] {
  const hosts = dc.entities.hosts;
  const T = dc.endS;
  const rows: HostRow[] = new Array(hosts.count);
  for (let h = 0; h < hosts.count; h++) {
    rows[h] = {
      host: h,
      name: `host-${h}`,
      size: hosts.groupLabels[hosts.group[h]],
      energyKWh: dc.hostEnergyJ[h] / J_PER_KWH,
      costUSD: (s.hostPricePerHour * dc.hostBilledS[h]) / 3600,
      billedS: dc.hostBilledS[h],
      busyS: dc.hostBusyS[h],
      meanUtilisation: T > 0 ? dc.hostUtilS[h] / T : 0,
      fragmentsCompleted: dc.hostCompleted[h],
      boots: dc.hostBoots[h],
      failures: 0,
    };
  }
  return rows;
}

/**
 * Per-cloudlet rows in the shared RequestRow shape (app "cloudlet", no variants), for the
 * requests CSV. Built on demand: one object per cloudlet is the costliest output of a large run.
 */
export function buildRequestRows(cl: CloudletTable, vmHost: Int32Array): RequestRow[] {
  const rows: RequestRow[] = [];
  for (let c = 0; c < cl.count; c++) {
    const st = cl.status[c];
    if (st === CLOUDLET_PENDING) continue; // never submitted: the run stopped first
    const done = st === CLOUDLET_DONE;
    const response = done ? cl.finishS[c] - cl.submitS[c] : NaN;
    const h = cl.vm[c] >= 0 ? vmHost[cl.vm[c]] : -1;
    rows.push({
      id: c,
      app: "cloudlet",
      variant: "-",
      arrivalS: cl.submitS[c],
      deadlineS: cl.deadlineS[c],
      startS: cl.startS[c],
      endS: cl.finishS[c],
      responseS: response,
      status: done ? "completed" : st === CLOUDLET_REJECTED ? "rejected" : "unfinished",
      late: done && response > cl.deadlineS[c],
      accuracy: 1,
      hosts: h >= 0 ? `host-${h}` : "",
    });
  }
  return rows;
}
