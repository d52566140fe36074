/**
 * Calibration: fits the twin's figures to what a target measured, and writes them as a scenario
 * (the original with its figures replaced) that later runs of that scenario on that target use.
 *
 * Fitted from the requests of a run (every fragment's CPU time, its time on the worker and the
 * controller's round trip):
 * - host speed: MIPS per vCPU of each host, so that a fragment's CPU time is MI x factor / MIPS;
 * - the applications' compute figures: a factor per fragment of each variant on its MI (the
 *   model's real cost differs from the published figure), fitted jointly with the host speeds
 *   (alternating least squares; the factors are scaled to keep the total MI, host speeds absorb
 *   the rest);
 * - a per-host contention factor: hosts that share a machine's cores (the testbed) or a noisy
 *   neighbour slow each other down between the model's runs too, which the CPU times alone do
 *   not show. The factor scales the host's speed so that the twin, replaying the run's own
 *   decisions (replay.ts), predicts the measured response times best (least squares,
 *   golden-section search on the factor's logarithm): one factor for all hosts, then one per
 *   host for hosts with at least 30 fragments measured;
 * - the per-fragment overhead (round trip minus the time on the worker: HTTP, transfers through
 *   the controller), added to every fragment as MI at the host speeds' mean; the twin's own
 *   network model is then set to no latency (transfers are in that overhead, not counted twice);
 * - boot time: the mean time from a start to the host's worker answering.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { HOST_SIZES } from "../simulator/catalogue/host-sizes.ts";
import type { TwinModel } from "../simulator/model.ts";
import { validateTenantScenario, type TenantScenario } from "../simulator/scenario.ts";
import { VERSION } from "../simulator/version.ts";
import { writeJsonAtomic } from "../workloads/output/atomic.ts";
import { buildReadyTwin, type TwinInputs } from "../workloads/ready-twin.ts";
import { pairRequests, type PairedRequest } from "./fidelity.ts";
import type { TwinStep } from "./loop.ts";
import { replaySteps } from "./replay.ts";
import type { ActionOutcome } from "./types.ts";
import { makeDirectories } from "../workloads/output/out-path.ts";

export interface CalibrationFit {
  /** fitted MIPS per vCPU per host (null: no fragment ran there, the scenario's figure stays) */
  hostMips: Array<number | null>;
  /** speed factor per host fitted by replay (1 = the CPU times tell the whole story; below 1: slowed by contention) */
  contention: Array<number | null>;
  /** root mean square error of the replayed twin's response times, s: with the CPU-time fit alone, and after the contention fit */
  replayRmseS: { before: number | null; after: number | null };
  /** factor on MI per fragment, key "app/variant/fragment" */
  fragmentFactor: Record<string, number>;
  /** mean per-fragment overhead outside the worker, s */
  overheadS: number;
  /** that overhead as MI added to each fragment */
  overheadMI: number;
  /** mean boot time per host, s (null: not measured) */
  bootS: Array<number | null>;
  fragments: number;
  requests: number;
}

export interface Calibration {
  kind: "cotwin-calibration";
  version: string;
  createdAt: string;
  scenario: string;
  target: string;
  fit: CalibrationFit;
  /** the scenario with its figures replaced: what runs of it on this target use */
  calibrated: TenantScenario;
}

export class CalibrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalibrationError";
  }
}

interface Sample {
  host: number;
  key: string;
  mi: number;
  cpuS: number;
}

/**
 * Fits the figures from a run's paired requests and its provisioning outcomes. `model` is the
 * scenario as written: the fragments' MI are taken from it (the run may have used a calibrated
 * twin), so factors always apply to the written figures.
 */
export function fitFromFragments(model: TwinModel, pairs: readonly PairedRequest[], outcomes: readonly ActionOutcome[]): CalibrationFit {
  const samples: Sample[] = [];
  const overheads: number[] = [];
  let requests = 0;
  for (const p of pairs) {
    if (p.measured.status !== "completed") continue;
    requests++;
    const v = model.variantId(p.app, p.measured.variant);
    if (v < 0) continue;
    for (const f of p.measured.fragments) {
      const mi = model.fragMI[model.vFragBase[v] + f.index] * p.measured.size;
      if (!(f.computeS > 0) || !(mi > 0)) continue;
      samples.push({ host: f.host, key: `${p.app}/${p.variant}/${f.index}`, mi, cpuS: f.computeS });
      overheads.push(Math.max(0, f.roundTripS - f.waitS - f.computeS));
    }
  }
  if (samples.length === 0) throw new CalibrationError("no completed request to calibrate from: run more intervals, or a scenario with arrivals");
  const H = model.hostCount;
  const keys = [...new Set(samples.map((s) => s.key))];
  const factor = new Map(keys.map((k) => [k, 1]));
  const speed = new Float64Array(H).fill(NaN);
  const totalMI = samples.reduce((a, s) => a + s.mi, 0);
  for (let it = 0; it < 20; it++) {
    // host speed given the factors: MIPS = sum(MI x factor) / sum(CPU s)
    const num = new Float64Array(H);
    const den = new Float64Array(H);
    for (const s of samples) {
      num[s.host] += s.mi * factor.get(s.key)!;
      den[s.host] += s.cpuS;
    }
    for (let h = 0; h < H; h++) speed[h] = den[h] > 0 ? num[h] / den[h] : NaN;
    // factors given the speeds: factor = sum(CPU s x MIPS) / sum(MI)
    const fn = new Map<string, number>();
    const fd = new Map<string, number>();
    for (const s of samples) {
      fn.set(s.key, (fn.get(s.key) ?? 0) + s.cpuS * speed[s.host]);
      fd.set(s.key, (fd.get(s.key) ?? 0) + s.mi);
    }
    for (const k of keys) factor.set(k, fn.get(k)! / fd.get(k)!);
    // scale: the factors keep the total MI; the speeds take the rest
    const scaled = samples.reduce((a, s) => a + s.mi * factor.get(s.key)!, 0);
    const c = totalMI / scaled;
    for (const k of keys) factor.set(k, factor.get(k)! * c);
  }
  // final speeds for the scaled factors
  const num = new Float64Array(H);
  const den = new Float64Array(H);
  for (const s of samples) {
    num[s.host] += s.mi * factor.get(s.key)!;
    den[s.host] += s.cpuS;
  }
  const hostMips: Array<number | null> = [];
  for (let h = 0; h < H; h++) hostMips.push(den[h] > 0 ? num[h] / den[h] : null);
  const overheadS = overheads.reduce((a, x) => a + x, 0) / overheads.length;
  const fitted = hostMips.filter((x): x is number => x !== null);
  const meanMips = fitted.reduce((a, x) => a + x, 0) / fitted.length;
  const boots: number[][] = Array.from({ length: H }, () => []);
  for (const o of outcomes) if (o.action === "start" && o.outcome === "applied" && o.tookS !== undefined) boots[o.host].push(o.tookS);
  return {
    hostMips,
    contention: hostMips.map((m) => (m === null ? null : 1)),
    replayRmseS: { before: null, after: null },
    fragmentFactor: Object.fromEntries(keys.sort().map((k) => [k, factor.get(k)!])),
    overheadS,
    overheadMI: overheadS * meanMips,
    bootS: boots.map((b) => (b.length > 0 ? b.reduce((a, x) => a + x, 0) / b.length : null)),
    fragments: samples.length,
    requests,
  };
}

/** The scenario with the fitted figures: one host group per host (each with its own speed). */
export function calibratedScenario(original: TenantScenario, model: TwinModel, fit: CalibrationFit, source: string): TenantScenario {
  const sizes: NonNullable<TenantScenario["sizes"]> = [];
  const hosts: TenantScenario["hosts"] = [];
  const groupOf: number[] = [];
  original.hosts.forEach((g, gi) => {
    for (let k = 0; k < g.count; k++) groupOf.push(gi);
  });
  for (let h = 0; h < model.hostCount; h++) {
    const g = original.hosts[groupOf[h]];
    const sizeName = model.sizeNames[model.hostSize[h]];
    const name = `${sizeName}-cal${h}`;
    const catalogue = HOST_SIZES[sizeName] ?? original.sizes?.find((s) => s.name === sizeName);
    sizes.push({
      name,
      vcpus: model.vcpus[h],
      ramMB: model.ramMB[h],
      mipsPerVcpu: fit.hostMips[h] !== null ? fit.hostMips[h]! * (fit.contention[h] ?? 1) : model.mips[h],
      pricePerHour: model.pricePerHour[h],
      powerCurve: Array.from(model.curves.subarray(h * 11, h * 11 + 11)),
      bootS: fit.bootS[h] ?? model.bootS[h],
      credits: catalogue?.credits ? { ...catalogue.credits } : undefined,
    });
    hosts.push({ size: name, count: 1, initial: g.initial, bootS: fit.bootS[h] ?? model.bootS[h], initialCredits: g.initialCredits });
  }
  const apps = model.apps.map((a, ai) => ({
    name: a.name,
    variants: a.variants.map((v) => ({
      kind: v.kind,
      accuracy: v.accuracy,
      parallel: v.parallel,
      fragments: v.fragments.map((f, j) => ({
        mi: f.mi * (fit.fragmentFactor[`${ai}/${v.kind}/${j}`] ?? 1) + fit.overheadMI,
        ramMB: f.ramMB,
        outMB: f.outMB,
      })),
    })),
  }));
  const raw = {
    ...original,
    description: `${original.description ?? original.name} (calibrated)`,
    sizes: [...(original.sizes ?? []), ...sizes],
    hosts,
    applications: { variants: original.applications.variants, custom: apps },
    network: { latencyS: 0, bandwidthMBps: Math.max(original.network.bandwidthMBps, 1e6) },
  };
  // Stripping credits that are undefined keeps the strict schema happy.
  for (const s of raw.sizes) if (s.credits === undefined) delete s.credits;
  for (const g of raw.hosts) if (g.initialCredits === undefined) delete g.initialCredits;
  return validateTenantScenario(raw, `calibration of ${source}`);
}

export interface RunEvidence {
  pairs: readonly PairedRequest[];
  outcomes: readonly ActionOutcome[];
  steps: readonly TwinStep[];
}

/**
 * The whole fit: CPU times first (fitFromFragments), then each host's contention factor by
 * replaying the run into twins with the candidate figures. `inputs` are the run's prepared inputs
 * with the scenario as written, and `model` its model: the run itself may have used an earlier
 * calibration (a second round), its decisions replay the same.
 */
export function fitCalibration(inputs: TwinInputs, model: TwinModel, run: RunEvidence, maxReplays = 240, minFragmentsPerHost = 30): CalibrationFit {
  const fit = fitFromFragments(model, run.pairs, run.outcomes);
  const measured = run.pairs.map((p) => p.measured);
  const rmse = (contention: Array<number | null>): number => {
    const sc = calibratedScenario(inputs.scenario, model, { ...fit, contention }, inputs.source);
    const ready = buildReadyTwin({ ...inputs, scenario: sc, record: true });
    const recs = replaySteps(ready.twin, run.steps, model.intervalS);
    const pairs = pairRequests(measured, recs);
    let se = 0;
    let n = 0;
    for (const p of pairs) {
      if (p.measuredResponseS === null) continue;
      // a request the twin did not finish counts as a large miss (its measured time again)
      const d = p.twinResponseS === null ? p.measuredResponseS : p.twinResponseS - p.measuredResponseS;
      se += d * d;
      n++;
    }
    return n > 0 ? Math.sqrt(se / n) : Infinity;
  };
  const k = [...fit.contention];
  let replays = 0;
  const before = rmse(k);
  replays++;
  let best = before;
  const perSearch = 18;
  /** golden-section search on log(factor) in [log 0.05, log 2]; returns the best point and its error */
  const search = (apply: (factor: number) => Array<number | null>): { x: number; f: number } => {
    const g = (Math.sqrt(5) - 1) / 2;
    let a = Math.log(0.05);
    let b = Math.log(2);
    const at = (x: number) => {
      replays++;
      return rmse(apply(Math.exp(x)));
    };
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = at(c);
    let fd = at(d);
    for (let i = 0; i < perSearch - 2; i++) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = at(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = at(d);
      }
    }
    return fc < fd ? { x: Math.exp(c), f: fc } : { x: Math.exp(d), f: fd };
  };
  // One factor for every host first (the machine's contention); then a factor per host, only for
  // hosts with enough fragments to tell them apart (fewer would fit noise).
  const hosts = k.map((x, h) => (x === null ? -1 : h)).filter((h) => h >= 0);
  const all = search((v) => k.map((x) => (x === null ? null : v)));
  if (all.f < best) {
    best = all.f;
    for (const h of hosts) k[h] = all.x;
  }
  const perHost = new Map<number, number>();
  for (const p of run.pairs) for (const fr of p.measured.fragments) perHost.set(fr.host, (perHost.get(fr.host) ?? 0) + 1);
  const refinable = hosts.filter((h) => (perHost.get(h) ?? 0) >= minFragmentsPerHost);
  for (let sweep = 0; sweep < 2 && refinable.length > 1; sweep++) {
    for (const h of refinable) {
      if (replays + perSearch > maxReplays) break;
      const r = search((v) => k.map((x, j) => (j === h ? v : x)));
      if (r.f < best) {
        best = r.f;
        k[h] = r.x;
      }
    }
  }
  return { ...fit, contention: k, replayRmseS: { before: Number.isFinite(before) ? before : null, after: Number.isFinite(best) ? best : null } };
}

export function makeCalibration(original: TenantScenario, model: TwinModel, fit: CalibrationFit, target: string, source: string): Calibration {
  return {
    kind: "cotwin-calibration",
    version: VERSION,
    createdAt: new Date().toISOString(),
    scenario: original.name,
    target,
    fit,
    calibrated: calibratedScenario(original, model, fit, source),
  };
}

/** Where the calibration of a scenario on a target lives. */
export function calibrationFile(stateDir: string, scenario: string, target: string): string {
  const safe = scenario.replace(/[^A-Za-z0-9._-]/g, "_");
  return path.join(stateDir, "calibrations", `${safe}.${target}.json`);
}

export async function saveCalibration(file: string, c: Calibration): Promise<void> {
  makeDirectories(path.dirname(file));
  await writeJsonAtomic(file, c);
}

export function loadCalibration(file: string): Calibration {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CalibrationError(`${file}: cannot read calibration (${(e as Error).message})`);
  }
  const c = raw as Partial<Calibration>;
  if (c.kind !== "cotwin-calibration" || !c.calibrated || !c.fit) throw new CalibrationError(`${file}: not a cotwin calibration`);
  const calibrated = validateTenantScenario(c.calibrated, `${file}: calibrated`);
  return { ...(c as Calibration), calibrated };
}
