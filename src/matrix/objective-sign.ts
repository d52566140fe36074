/**
 * Is a scenario's objective a non-negative quantity? Only then is "x % lower objective" a
 * meaningful statement; a signed objective (the default subtracts accuracy) has an arbitrary
 * zero, and a percentage of it says nothing. The expression is evaluated at every corner of its
 * variables' ranges (every variable is non-negative; shares are at most 1): a sum or product
 * of terms is smallest at a corner, so an expression that is non-negative at all corners is
 * non-negative everywhere for the objectives people write (weighted sums, ratios, products).
 * An expression that cannot be parsed, or yields a non-finite value at a corner, counts as signed.
 */
import { parseExpression } from "../../simulator/expression.ts";
import { NAMED_OBJECTIVES, OBJECTIVE_VARIABLES } from "../../simulator/objective.ts";

/** Small positive stand-in for 0 (so ratios stay finite) and a large one for unbounded variables. */
const LOW = 1e-6;
const HIGH = 1e6;

/** More variables than this (2^n corners) is treated as signed rather than enumerated. */
const MAX_VARIABLES = 16;

function range(variable: string): [number, number] {
  const description: string = (OBJECTIVE_VARIABLES as Readonly<Record<string, string>>)[variable] ?? "";
  return /\(0\.\.1[);]/.test(description) ? [LOW, 1] : [LOW, HIGH];
}

/** `objective` is a scenario's objective: a named one (usd-per-request, ...) or an expression. */
export function objectiveIsNonNegative(objective: string | undefined): boolean {
  if (typeof objective !== "string") return false;
  const expression = NAMED_OBJECTIVES[objective] ?? objective;
  let parsed;
  try {
    parsed = parseExpression(expression);
  } catch {
    return false;
  }
  if (parsed.unknownFunctions.length > 0) return false;
  const vars = parsed.variables;
  if (vars.length > MAX_VARIABLES) return false;
  const ranges = vars.map(range);
  const env: Record<string, number> = {};
  for (let corner = 0; corner < 2 ** vars.length; corner++) {
    vars.forEach((v, i) => {
      env[v] = ranges[i][(corner >> i) & 1];
    });
    let value: number;
    try {
      value = parsed.evaluate(env);
    } catch {
      return false;
    }
    if (!Number.isFinite(value) || value < 0) return false;
  }
  // and at the true zero of every variable (a ratio's numerator at 0 is fine; 0/0 is not counted)
  for (const v of vars) env[v] = 0;
  const atZero = parsed.evaluate(env);
  return !(atZero < 0);
}
