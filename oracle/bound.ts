/**
 * A lower bound on the `usd-per-request` objective that no policy can beat on a given run's
 * arrivals: the yardstick that says how much better than a baseline any decision could be.
 *
 * The bound is the Lagrangian dual of a relaxation of the run. The relaxation keeps what every
 * policy must pay and drops what makes the real problem hard:
 *
 * - time is cut into the scenario's intervals (buckets); host h on in bucket k gives
 *   vcpus x MIPS x interval of work and costs its price for the interval plus its idle power;
 *   a host may be on for a fraction of a bucket, needs no boot, and is never throttled by
 *   B-series credits (capacity can only be overstated);
 * - energy above idle is charged at the smallest slope of the host's curve measured from idle,
 *   min over u of (P(u) - P(0)) / u, per unit of work: never more than the curve's real energy;
 * - a request is on time only if its work is done in the buckets between its earliest start (the
 *   next interval start, or its arrival with `admission: arrival`) and its deadline, whole
 *   buckets counted (so partial buckets are given away); its work may be split across hosts and
 *   buckets, and its variant chosen fractionally;
 * - a request not on time costs only min(late, unserved) penalty: no work, no accuracy loss.
 *
 * Dualising the bucket capacities with prices lambda_k >= 0 splits the relaxation into one
 * closed-form minimum per request (its cheapest variant at the cheapest bucket of its window, or
 * the penalty) and one per host and bucket (on only if the work it could sell at lambda_k pays
 * for it). Every lambda gives a valid bound (weak duality); projected subgradient ascent raises
 * it, and the best value seen is returned. The count of iterations is the budget: the result is
 * deterministic.
 */
import type { TwinModel } from "../simulator/model.ts";
import { NKINDS } from "../simulator/model.ts";
import type { Economics } from "../simulator/objective.ts";
import type { ArrivalSpec } from "../simulator/arrivals.ts";
import { RandomStreams } from "../simulator/engine/random.ts";
import { buildTwinModel } from "../simulator/scenarios.ts";
import { buildArrivals } from "../workloads/scenario-workload.ts";
import type { TwinInputs } from "../workloads/ready-twin.ts";

/** One request of a run, as it arrives. */
export interface BoundRequest {
  app: number;
  /** arrival time, s */
  arrival: number;
  /** deadline, s after arrival */
  deadline: number;
  /** work multiplier */
  size: number;
}

export interface BoundOptions {
  /** subgradient iterations (default 400) */
  iterations?: number;
}

export interface BoundResult {
  /** the bound on usd-per-request */
  usdPerRequest: number;
  /** the bound on the run's total USD (usdPerRequest x requests) */
  totalUSD: number;
  /** the parts of the relaxation's value at the best prices found */
  parts: { capacityUSD: number; accuracyLossUSD: number; penaltyUSD: number };
  requests: number;
  /** requests whose window holds no bucket (they cannot be on time under any policy) */
  hopeless: number;
  buckets: number;
  iterations: number;
}

/** The smallest slope of an 11-point curve from its idle point, W per unit of utilisation. */
export function minSlopeFromIdle(curve: ArrayLike<number>, offset = 0): number {
  let s = Infinity;
  for (let j = 1; j <= 10; j++) s = Math.min(s, (curve[offset + j] - curve[offset]) / (j / 10));
  return Math.max(0, s);
}

/** The lower bound on `usd-per-request` for these arrivals under `model` and `economics`. */
export function lowerBound(model: TwinModel, economics: Economics, requests: readonly BoundRequest[], o: BoundOptions = {}): BoundResult {
  const iterations = o.iterations ?? 400;
  const I = model.intervalS;
  const H = model.hostCount;
  const N = requests.length;
  const usdPerJ = economics.energyUSDPerKWh / 3.6e6;
  const penalty = Math.min(economics.lateUSD, economics.unservedUSD);

  // hosts: fixed cost per bucket, energy per MI above idle, capacity per bucket (MI)
  const fixed = new Float64Array(H);
  const perMI = new Float64Array(H);
  const cap = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    fixed[h] = (model.pricePerHour[h] * I) / 3600 + model.idleW[h] * I * usdPerJ;
    cap[h] = model.vcpus[h] * model.mips[h] * I;
    perMI[h] = (minSlopeFromIdle(model.curves, h * 11) / (model.vcpus[h] * model.mips[h])) * usdPerJ;
  }

  // requests: window of buckets [lo, hi], work and accuracy loss per offered variant
  const lo = new Int32Array(N);
  const hi = new Int32Array(N);
  const nv = new Int32Array(N);
  const work = new Float64Array(N * NKINDS);
  const loss = new Float64Array(N * NKINDS);
  let K = 0;
  let hopeless = 0;
  for (let r = 0; r < N; r++) {
    const q = requests[r];
    const start = model.admission === "arrival" ? q.arrival : Math.ceil(q.arrival / I - 1e-9) * I;
    lo[r] = Math.floor(start / I + 1e-9);
    hi[r] = Math.ceil((q.arrival + q.deadline) / I - 1e-9) - 1;
    if (hi[r] < lo[r]) {
      hopeless++;
      continue;
    }
    K = Math.max(K, hi[r] + 1);
    let n = 0;
    for (let k = 0; k < NKINDS; k++) {
      const v = q.app * NKINDS + k;
      if (model.variantOffered[v] !== 1) continue;
      let mi = 0;
      for (let j = 0; j < model.vNFrag[v]; j++) mi += model.fragMI[model.vFragBase[v] + j];
      work[r * NKINDS + n] = mi * q.size;
      loss[r * NKINDS + n] = 100 * (model.appBestAccuracy[q.app] - model.vAccuracy[v]) * economics.accuracyPointUSD;
      n++;
    }
    nv[r] = n;
  }

  const lambda = new Float64Array(K);
  const demand = new Float64Array(K);
  const supply = new Float64Array(K);
  // the start: each bucket's price at the cheapest host's full-bucket cost per MI
  let cheapest = Infinity;
  for (let h = 0; h < H; h++) cheapest = Math.min(cheapest, fixed[h] / cap[h] + perMI[h]);
  if (!Number.isFinite(cheapest)) cheapest = 0;
  lambda.fill(cheapest);

  let best = -Infinity;
  let bestParts = { capacityUSD: 0, accuracyLossUSD: 0, penaltyUSD: hopeless * penalty };
  let stepScale = cheapest;
  let lastImprovement = 0;
  for (let it = 0; it < Math.max(1, iterations); it++) {
    demand.fill(0);
    supply.fill(0);
    let reqValue = hopeless * penalty;
    let lossPart = 0;
    let penaltyPart = hopeless * penalty;
    for (let r = 0; r < N; r++) {
      if (hi[r] < lo[r]) continue;
      let kMin = lo[r];
      for (let k = lo[r] + 1; k <= hi[r]; k++) if (lambda[k] < lambda[kMin]) kMin = k;
      const price = lambda[kMin];
      let bestV = -1;
      let bestC = penalty;
      for (let n = 0; n < nv[r]; n++) {
        const c = loss[r * NKINDS + n] + price * work[r * NKINDS + n];
        if (c < bestC) {
          bestC = c;
          bestV = n;
        }
      }
      reqValue += bestC;
      if (bestV < 0) penaltyPart += penalty;
      else {
        lossPart += loss[r * NKINDS + bestV];
        demand[kMin] += work[r * NKINDS + bestV];
      }
    }
    let hostValue = 0;
    for (let k = 0; k < K; k++) {
      const l = lambda[k];
      for (let h = 0; h < H; h++) {
        const v = fixed[h] + (perMI[h] - l) * cap[h];
        if (v < 0) {
          hostValue += v;
          supply[k] += cap[h];
        }
      }
    }
    const value = reqValue + hostValue;
    if (value > best) {
      best = value;
      lastImprovement = it;
      // at these prices: accuracy loss and penalties as chosen; the rest is capacity (hosts and
      // energy, as the prices value it)
      bestParts = { capacityUSD: value - lossPart - penaltyPart, accuracyLossUSD: lossPart, penaltyUSD: penaltyPart };
    }
    // projected subgradient step, normalised; halve the step after 20 iterations without progress
    if (it - lastImprovement >= 20) {
      stepScale /= 2;
      lastImprovement = it;
    }
    let gMax = 0;
    for (let k = 0; k < K; k++) gMax = Math.max(gMax, Math.abs(demand[k] - supply[k]));
    if (gMax === 0) break;
    for (let k = 0; k < K; k++) lambda[k] = Math.max(0, lambda[k] + (stepScale * (demand[k] - supply[k])) / gMax);
  }
  const per = Math.max(1, N);
  return { usdPerRequest: best / per, totalUSD: best, parts: bestParts, requests: N, hopeless, buckets: K, iterations };
}

/**
 * The arrivals of a run of `intervals` intervals: the same source the run's twin reads (a
 * generator seeded with the run's seed, or the trace read beforehand), up to the end of the
 * last interval, when arrivals stop.
 */
export function runArrivals(o: TwinInputs, intervals: number): BoundRequest[] {
  const model = buildTwinModel(o.scenario, o.source);
  const source = o.arrivals ? o.arrivals.clone() : buildArrivals(o.scenario, model, new RandomStreams(o.seed), o.source);
  const end = intervals * model.intervalS;
  const out: BoundRequest[] = [];
  const a: ArrivalSpec = { time: 0, app: 0, deadline: 0, size: 1 };
  while (source.next(a) && a.time < end) out.push({ app: a.app, arrival: a.time, deadline: a.deadline, size: a.size });
  return out;
}
