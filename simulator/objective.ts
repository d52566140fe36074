/**
 * The scenario's objective: an arithmetic expression (expression.ts) over the run's metrics, lower is better.
 * Variables are checked when the expression is compiled, so a typo fails before a run starts.
 */
import { parseExpression, type ParsedExpression } from "./expression.ts";
import type { Totals } from "./twin.ts";
import type { TwinModel } from "./model.ts";

/** Variables an objective may use, with their meaning (printed by `cotwin scenarios --objective`). */
export const OBJECTIVE_VARIABLES: Readonly<Record<string, string>> = {
  energy: "energy used / energy of every host at full load for the same time (0..1)",
  cost: "cost / cost of every host billed for the same time (0..1)",
  response: "mean response time of completed requests / their mean deadline",
  sla: "share of ended requests that missed their deadline, were rejected or failed (0..1)",
  accuracy: "mean accuracy delivered per ended request; rejected and failed requests count 0 (0..1)",
  energyKWh: "energy used, kWh",
  costUSD: "cost, USD",
  meanResponseS: "mean response time of completed requests, s",
  slaViolationRate: "completed requests over their deadline / completed requests",
  meanAccuracy: "mean accuracy of completed requests (0..1)",
  arrived: "requests arrived",
  completed: "requests completed",
  rejected: "requests rejected",
  failed: "requests failed",
  violated: "completed requests over their deadline",
  durationS: "simulated time, s",
};

export class ObjectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ObjectiveError";
  }
}

export interface Objective {
  readonly expression: string;
  evaluate(vars: ObjectiveVariables): number;
}

export type ObjectiveVariables = Record<keyof typeof OBJECTIVE_VARIABLES, number>;

export function compileObjective(expression: string, where = "objective"): Objective {
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
    throw new ObjectiveError(`${where}: unknown ${unknown.join(", ")} in "${expression}" (variables: ${Object.keys(OBJECTIVE_VARIABLES).join(", ")})`);
  }
  const code = parsed.evaluate;
  return {
    expression,
    evaluate(vars: ObjectiveVariables): number {
      const v = code(vars);
      if (typeof v !== "number" || Number.isNaN(v)) {
        throw new ObjectiveError(`${where}: "${expression}" evaluated to ${String(v)}, not a number`);
      }
      return v;
    },
  };
}

/** The objective's variables for the span between two totals snapshots. */
export function objectiveVariables(model: TwinModel, from: Totals, to: Totals): ObjectiveVariables {
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
  const violated = to.violated - from.violated;
  const ended = completed + rejected + failed;
  const responseSum = to.responseSum - from.responseSum;
  const deadlineSum = to.deadlineSum - from.deadlineSum;
  const accuracySum = to.accuracySum - from.accuracySum;
  return {
    energy: dt > 0 && maxW > 0 ? energyJ / (maxW * dt) : 0,
    cost: dt > 0 && pricePerHour > 0 ? costUSD / ((pricePerHour * dt) / 3600) : 0,
    response: completed > 0 && deadlineSum > 0 ? responseSum / deadlineSum : 0,
    sla: ended > 0 ? (violated + rejected + failed) / ended : 0,
    accuracy: ended > 0 ? accuracySum / ended : 0,
    energyKWh: energyJ / 3.6e6,
    costUSD,
    meanResponseS: completed > 0 ? responseSum / completed : 0,
    slaViolationRate: completed > 0 ? violated / completed : 0,
    meanAccuracy: completed > 0 ? accuracySum / completed : 0,
    arrived: to.arrived - from.arrived,
    completed,
    rejected,
    failed,
    violated,
    durationS: dt,
  };
}
