/**
 * Twin versus measured: what the twin predicted and what the target measured, per interval and
 * for the run. Response time is compared request by request (the same requests, completed in
 * both); CPU, an energy estimate and cost are compared over the same span of time.
 *
 * The measured energy is an estimate: each host's measured CPU utilisation over an observation
 * window, put through the host's power curve (the twin's own model of watts), times the billed
 * time. Cost is billed seconds times the price of the size that really ran.
 */
import type { TwinModel } from "../simulator/model.ts";
import type { Totals } from "../simulator/twin.ts";
import { percentile } from "../simulator/summary.ts";
import type { MeasuredRequest, ObservedHost } from "./types.ts";

export interface SideFigures {
  /** mean response of the requests completed on both sides, s */
  meanResponseS: number | null;
  p95ResponseS: number | null;
  completed: number;
  failed: number;
  /** mean CPU utilisation of the billed hosts (busy-seconds per billed second, a host's utilisation in [0, 1]) */
  cpuUtilisation: number | null;
  energyKWh: number;
  costUSD: number;
}

/** Measured resource use, accumulated from observations. */
export class MeasuredUse {
  cpuS = 0;
  /** utilisation x billed seconds, summed over hosts (the twin's busy-seconds) */
  busyS = 0;
  energyJ = 0;
  costUSD = 0;
  billedS = 0;

  add(model: TwinModel, hosts: readonly ObservedHost[]): { cpuS: number; busyS: number; billedS: number; energyJ: number; costUSD: number } {
    let cpuS = 0;
    let busyS = 0;
    let billedS = 0;
    let energyJ = 0;
    let costUSD = 0;
    for (const o of hosts) {
      if (o.billedS <= 0) continue;
      const u = Math.min(1, Math.max(0, o.cpuS / (o.vcpus * o.billedS)));
      cpuS += o.cpuS;
      busyS += u * o.billedS;
      billedS += o.billedS;
      energyJ += model.power(o.host, u) * o.billedS;
      costUSD += (o.billedS * o.pricePerHour) / 3600;
    }
    this.cpuS += cpuS;
    this.busyS += busyS;
    this.billedS += billedS;
    this.energyJ += energyJ;
    this.costUSD += costUSD;
    return { cpuS, busyS, billedS, energyJ, costUSD };
  }
}

/** One request as both sides saw it (for the comparison and for calibration). */
export interface PairedRequest {
  id: number;
  app: number;
  variant: string;
  hosts: number[];
  arrivalS: number;
  twinResponseS: number | null;
  measuredResponseS: number | null;
  /** dispatch minus arrival on the target (the wait for a decision) */
  measuredWaitS: number;
  measured: MeasuredRequest;
}

export function pairRequests(measured: readonly MeasuredRequest[], twinRecords: ReadonlyArray<{ id: number; arrival: number; end: number; status: string }>): PairedRequest[] {
  const twin = new Map<number, { arrival: number; end: number; status: string }>();
  for (const r of twinRecords) twin.set(r.id, r);
  return measured.map((m) => {
    const t = twin.get(m.id);
    return {
      id: m.id,
      app: m.app,
      variant: m.variant,
      hosts: m.fragments.map((f) => f.host),
      arrivalS: m.arrivalS,
      twinResponseS: t && t.status === "completed" ? t.end - t.arrival : null,
      measuredResponseS: m.status === "completed" ? m.endS - m.arrivalS : null,
      measuredWaitS: m.dispatchS - m.arrivalS,
      measured: m,
    };
  });
}

function mean(xs: readonly number[]): number | null {
  return xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

export interface Comparison {
  measured: SideFigures;
  twin: SideFigures;
  /** (twin - measured) / measured mean response, % (null without paired requests) */
  responseErrorPct: number | null;
  /** the same, for response minus the wait before dispatch (service time alone) */
  serviceErrorPct: number | null;
  paired: number;
}

export function compare(pairs: readonly PairedRequest[], use: MeasuredUse, t0: Totals, t1: Totals, twinFailed: number): Comparison {
  const both = pairs.filter((p) => p.twinResponseS !== null && p.measuredResponseS !== null);
  const mResp = both.map((p) => p.measuredResponseS!);
  const tResp = both.map((p) => p.twinResponseS!);
  const mMean = mean(mResp);
  const tMean = mean(tResp);
  const mServ = mean(both.map((p) => p.measuredResponseS! - p.measuredWaitS));
  const tServ = mean(both.map((p) => p.twinResponseS! - p.measuredWaitS));
  const busy = t1.busyS - t0.busyS;
  const billed = t1.billedS - t0.billedS;
  const pct = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? (100 * (a - b)) / b : null);
  return {
    measured: {
      meanResponseS: mMean,
      p95ResponseS: mResp.length > 0 ? percentile(mResp, 95) : null,
      completed: pairs.filter((p) => p.measuredResponseS !== null).length,
      failed: pairs.filter((p) => p.measured.status === "failed").length,
      cpuUtilisation: use.billedS > 0 ? use.busyS / use.billedS : null,
      energyKWh: use.energyJ / 3.6e6,
      costUSD: use.costUSD,
    },
    twin: {
      meanResponseS: tMean,
      p95ResponseS: tResp.length > 0 ? percentile(tResp, 95) : null,
      completed: pairs.filter((p) => p.twinResponseS !== null).length,
      failed: twinFailed,
      cpuUtilisation: billed > 0 ? busy / billed : null,
      energyKWh: (t1.energyJ - t0.energyJ) / 3.6e6,
      costUSD: t1.costUSD - t0.costUSD,
    },
    responseErrorPct: pct(tMean, mMean),
    serviceErrorPct: pct(tServ, mServ),
    paired: both.length,
  };
}
