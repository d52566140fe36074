import assert from "node:assert/strict";
import { test } from "node:test";
import { compileObjective, ObjectiveError } from "../../simulator/objective.ts";

const VARIABLES = "energy, cost, response, sla, accuracy, energyKWh, costUSD, meanResponseS, slaViolationRate, meanAccuracy, arrived, completed, rejected, failed, violated, durationS";

function message(expr: string, where?: string): string {
  try {
    compileObjective(expr, where);
  } catch (e) {
    assert.ok(e instanceof ObjectiveError, `expected an ObjectiveError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`"${expr}" compiled`);
}

test("the oracle's objective parser rejects unknown variables with the exact message", () => {
  assert.equal(message("energy + foo"), `objective: unknown variable "foo" in "energy + foo" (variables: ${VARIABLES})`);
  // each unknown name once, in order of appearance; unknown functions named as such
  assert.equal(message("energy + foo + foo + bar"), `objective: unknown variable "foo", variable "bar" in "energy + foo + foo + bar" (variables: ${VARIABLES})`);
  assert.equal(message("bogus(energy)", "tiny.yaml: objective"), `tiny.yaml: objective: unknown function "bogus" in "bogus(energy)" (variables: ${VARIABLES})`);
});

test("malformed expressions are refused with the parser's position", () => {
  assert.equal(message("energy +"), 'objective: cannot parse "energy +": Unexpected end of expression (char 9)');
  assert.equal(message("0.2*energy + (cost"), 'objective: cannot parse "0.2*energy + (cost": Parenthesis ) expected (char 19)');
});

test("a valid objective evaluates to the weighted sum (0.2 x (0.5 + 0.25 + 1 + 0.1 - 0.8) = 0.21)", () => {
  const o = compileObjective("0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy");
  const v = { energy: 0.5, cost: 0.25, response: 1, sla: 0.1, accuracy: 0.8, energyKWh: 0, costUSD: 0, meanResponseS: 0, slaViolationRate: 0, meanAccuracy: 0, arrived: 0, completed: 0, rejected: 0, failed: 0, violated: 0, durationS: 0 };
  assert.ok(Math.abs(o.evaluate(v) - 0.21) < 1e-12);
});
