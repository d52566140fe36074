/**
 * The scenario's objective: lower is better. A named objective or an arithmetic expression
 * (expression.ts) over the run's metrics; variables are checked when it is compiled, and it is
 * evaluated once on sample values then, so a typo or a division by zero fails before a run starts.
 *
 * The default, `usd-per-request`, is money per request: VM cost, energy at a price per kWh, a
 * penalty per request served late and a larger one per request not served at all (rejected,
 * failed, or unfinished at the end), and a penalty per accuracy point below the application's
 * best offered variant, divided by the requests accounted. Every term is non-negative (0 would be ideal), so
 * "x % lower" is meaningful; and it cannot be gamed: serving nobody costs the full penalty per
 * request, which is far more than serving a request on the cheapest host that fits (a test checks
 * this for the built-in scenarios). SciNet's weighted form is available as `scinet-weighted`; it
 * has a negative term and rewards an idle fleet at light load (see the README).
 */
import { InputError } from "./errors.ts";
import { parseExpression, type ParsedExpression } from "./expression.ts";
import type { Totals } from "./twin.ts";
import type { TwinModel } from "./model.ts";

/** Prices that turn a run into money (scenario key `economics`). */
export interface Economics {
  /** USD per kWh of energy */
  energyUSDPerKWh: number;
  /** USD per request served over its deadline */
  lateUSD: number;
  /** USD per request not served at all: rejected, failed or unfinished */
  unservedUSD: number;
  /** USD per request per accuracy point (1 % top-1) below the application's best offered variant */
  accuracyPointUSD: number;
}

/**
 * Defaults, with their sources (README "The objective"): energy at the US commercial average
 * (EIA Electric Power Monthly, 2024: 12-13 cents per kWh); a late answer at 10 x the list price of
 * a managed image-classification call (about USD 1 per 1,000 images): the refund plus the lost
 * goodwill; a request not served at all at twice that (the answer's value is lost too, so a
 * policy that serves nobody is always worse than one that serves everybody late); an accuracy
 * point at a hundredth of a late answer.
 */
export const DEFAULT_ECONOMICS: Economics = { energyUSDPerKWh: 0.13, lateUSD: 0.01, unservedUSD: 0.02, accuracyPointUSD: 0.0001 };

/** Named objectives; any other text is an expression. */
export const NAMED_OBJECTIVES: Readonly<Record<string, string>> = {
  "usd-per-request": "usdPerRequest",
  "scinet-weighted": "0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy",
};

export const DEFAULT_OBJECTIVE = "usd-per-request";

/** Variables an objective may use, with their meaning (printed by `cotwin objective`). */
export const OBJECTIVE_VARIABLES = {
  usdPerRequest: "(costUSD + energyUSD + penaltyUSD + accuracyLossUSD) / requests accounted (the default objective)",
  costUSD: "VM cost, USD",
  energyKWh: "energy used, kWh",
  energyUSD: "energy cost, USD (energyKWh x economics.energyUSDPerKWh)",
  penaltyUSD: "late x economics.lateUSD + (rejected + failed + unfinished) x economics.unservedUSD",
  accuracyLossUSD: "accuracy points below each application's best variant, summed over completed requests, x economics.accuracyPointUSD",
  arrived: "requests arrived",
  accounted: "requests that ended or count as unfinished (= arrived for a whole run)",
  completed: "requests completed",
  late: "completed requests over their deadline",
  rejected: "requests rejected (by the policy, or pending too long)",
  failed: "requests lost to a host failure",
  unfinished: "requests still in flight at the end (after the drain)",
  violations: "late + rejected + failed + unfinished",
  violationRate: "violations / accounted (0..1)",
  lateRate: "late / completed (0..1)",
  meanResponseS: "mean response time of completed requests, s",
  responseRatio: "mean response time / mean deadline, completed requests",
  meanAccuracy: "mean accuracy of completed requests (0..1)",
  servedAccuracy: "accuracy delivered per accounted request; not served counts 0 (0..1)",
  durationS: "simulated time, s",
  energy: "energy used / energy of every host at full load for the same time (0..1; SciNet's normalisation)",
  cost: "cost / cost of every host billed for the same time (0..1; SciNet's normalisation)",
  response: "= responseRatio (SciNet's normalisation)",
  sla: "= violationRate (SciNet's term)",
  accuracy: "= servedAccuracy (SciNet's term)",
} as const;

export type ObjectiveVariables = Record<keyof typeof OBJECTIVE_VARIABLES, number>;

export class ObjectiveError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "ObjectiveError";
  }
}

export interface Objective {
  /** as given: a name or an expression */
  readonly source: string;
  /** the expression evaluated */
  readonly expression: string;
  readonly economics: Economics;
  evaluate(vars: ObjectiveVariables): number;
}

/** Plausible values of a run, for the check at compile time. */
const SAMPLE: ObjectiveVariables = {
  usdPerRequest: 0.002,
  costUSD: 0.3,
  energyKWh: 0.4,
  energyUSD: 0.052,
  penaltyUSD: 0.1,
  accuracyLossUSD: 0.01,
  arrived: 200,
  accounted: 200,
  completed: 190,
  late: 5,
  rejected: 8,
  failed: 1,
  unfinished: 1,
  violations: 15,
  violationRate: 0.075,
  lateRate: 0.026,
  meanResponseS: 8,
  responseRatio: 0.3,
  meanAccuracy: 0.7,
  servedAccuracy: 0.66,
  durationS: 1000,
  energy: 0.3,
  cost: 0.5,
  response: 0.3,
  sla: 0.075,
  accuracy: 0.66,
};

export function compileObjective(source: string, where = "objective", economics: Economics = DEFAULT_ECONOMICS): Objective {
  const expression = NAMED_OBJECTIVES[source] ?? source;
  let parsed: ParsedExpression;
  try {
    parsed = parseExpression(expression);
  } catch (e) {
    throw new ObjectiveError(`${where}: cannot parse "${expression}": ${(e as Error).message}`);
  }
  const unknown: string[] = [];
  for (const f of parsed.unknownFunctions) unknown.push(`function "${f}"`);
  for (const v of parsed.variables) if (!(v in OBJECTIVE_VARIABLES)) unknown.push(`variable "${v}"`);
  if (unknown.length > 0) {
    throw new ObjectiveError(
      `${where}: unknown ${unknown.join(", ")} in "${expression}" (variables: ${Object.keys(OBJECTIVE_VARIABLES).join(", ")}; or a named objective: ${Object.keys(NAMED_OBJECTIVES).join(", ")})`,
    );
  }
  if (parsed.variables.length === 0) {
    throw new ObjectiveError(`${where}: "${expression}" uses no variable: a constant cannot tell two runs apart (variables: see \`cotwin objective\`)`);
  }
  const code = parsed.evaluate;
  const evaluate = (vars: ObjectiveVariables): number => {
    const v = code(vars);
    if (!Number.isFinite(v)) {
      const used = parsed.variables.map((n) => `${n}=${vars[n as keyof ObjectiveVariables]}`).join(", ");
      throw new ObjectiveError(`${where}: "${expression}" evaluated to ${String(v)} (${used}), not a finite number`);
    }
    return v;
  };
  const sample = code(SAMPLE);
  if (!Number.isFinite(sample)) {
    throw new ObjectiveError(`${where}: "${expression}" gives ${String(sample)} on sample values of a run (e.g. a division by zero): an objective must be finite`);
  }
  return { source, expression, economics, evaluate };
}

/**
 * The objective's variables for the span between two totals snapshots. `unfinished` requests
 * (still in flight at `to`, e.g. at the end of a drained run) count as violations and as
 * accounted requests.
 */
export function objectiveVariables(model: TwinModel, from: Totals, to: Totals, economics: Economics = DEFAULT_ECONOMICS, unfinished = 0): ObjectiveVariables {
  const dt = to.time - from.time;
  let maxW = 0;
  let pricePerHour = 0;
  for (let h = 0; h < model.hostCount; h++) {
    maxW += model.maxW[h];
    pricePerHour += model.pricePerHour[h];
  }
  const energyJ = to.energyJ - from.energyJ;
  const costUSD = to.costUSD - from.costUSD;
  const completed = to.completed - from.completed;
  const rejected = to.rejected - from.rejected;
  const failed = to.failed - from.failed;
  const late = to.violated - from.violated;
  const accounted = completed + rejected + failed + unfinished;
  const violations = late + rejected + failed + unfinished;
  const responseSum = to.responseSum - from.responseSum;
  const deadlineSum = to.deadlineSum - from.deadlineSum;
  const accuracySum = to.accuracySum - from.accuracySum;
  const lossPoints = 100 * (to.accuracyLossSum - from.accuracyLossSum);
  const energyKWh = energyJ / 3.6e6;
  const energyUSD = energyKWh * economics.energyUSDPerKWh;
  const penaltyUSD = late * economics.lateUSD + (rejected + failed + unfinished) * economics.unservedUSD;
  const accuracyLossUSD = lossPoints * economics.accuracyPointUSD;
  const per = Math.max(1, accounted);
  const responseRatio = completed > 0 && deadlineSum > 0 ? responseSum / deadlineSum : 0;
  const violationRate = violations / per;
  const servedAccuracy = accuracySum / per;
  return {
    usdPerRequest: (costUSD + energyUSD + penaltyUSD + accuracyLossUSD) / per,
    costUSD,
    energyKWh,
    energyUSD,
    penaltyUSD,
    accuracyLossUSD,
    arrived: to.arrived - from.arrived,
    accounted,
    completed,
    late,
    rejected,
    failed,
    unfinished,
    violations,
    violationRate,
    lateRate: completed > 0 ? late / completed : 0,
    meanResponseS: completed > 0 ? responseSum / completed : 0,
    responseRatio,
    meanAccuracy: completed > 0 ? accuracySum / completed : 0,
    servedAccuracy,
    durationS: dt,
    energy: dt > 0 && maxW > 0 ? energyJ / (maxW * dt) : 0,
    cost: dt > 0 && pricePerHour > 0 ? costUSD / ((pricePerHour * dt) / 3600) : 0,
    response: responseRatio,
    sla: violationRate,
    accuracy: servedAccuracy,
  };
}
