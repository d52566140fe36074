import assert from "node:assert/strict";
import { test } from "node:test";
import { compileObjective, DEFAULT_ECONOMICS, objectiveVariables, OBJECTIVE_VARIABLES, ObjectiveError, type ObjectiveVariables } from "../../simulator/objective.ts";
import type { Totals } from "../../simulator/twin.ts";
import { makeTwin, PLAIN_2VCPU } from "../helpers/twin.ts";

const VARIABLES = Object.keys(OBJECTIVE_VARIABLES).join(", ");
const HINT = `(variables: ${VARIABLES}; or a named objective: usd-per-request, scinet-weighted)`;

function message(expr: string, where?: string): string {
  try {
    compileObjective(expr, where);
  } catch (e) {
    assert.ok(e instanceof ObjectiveError, `expected an ObjectiveError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`"${expr}" compiled`);
}

test("the objective parser rejects unknown variables and functions with the exact message", () => {
  assert.equal(message("energy + foo"), `objective: unknown variable "foo" in "energy + foo" ${HINT}`);
  // each unknown name once, in order of appearance; unknown functions named as such
  assert.equal(message("energy + foo + foo + bar"), `objective: unknown variable "foo", variable "bar" in "energy + foo + foo + bar" ${HINT}`);
  assert.equal(message("bogus(energy)", "tiny.yaml: objective"), `tiny.yaml: objective: unknown function "bogus" in "bogus(energy)" ${HINT}`);
});

test("an objective is an expression, not a program: ranges, matrices, configuration and units do not exist", () => {
  for (const f of ["range", "zeros", "config", "createUnit", "import", "evaluate"]) {
    assert.match(message(`${f}(1, 2) + energy`), new RegExp(`unknown function "${f}"`));
  }
  assert.match(message("energy; cost"), /cannot parse/);
  assert.match(message("a = energy"), /cannot parse/);
  assert.match(message("energy[1]"), /cannot parse/);
});

test("a constant or a non-finite objective is refused before a run", () => {
  assert.equal(message("1+1"), 'objective: "1+1" uses no variable: a constant cannot tell two runs apart (variables: see `cotwin objective`)');
  assert.equal(message("energy/0"), 'objective: "energy/0" gives Infinity on sample values of a run (e.g. a division by zero): an objective must be finite');
  assert.match(message("sqrt(0 - energy)"), /gives NaN on sample values/);
  // finite on the sample, infinite on a real run's values: refused when evaluated
  const o = compileObjective("log(completed)");
  assert.throws(() => o.evaluate({ completed: 0 } as ObjectiveVariables), /"log\(completed\)" evaluated to -Infinity \(completed=0\), not a finite number/);
});

test("malformed expressions are refused with the parser's position", () => {
  assert.equal(message("energy +"), 'objective: cannot parse "energy +": Unexpected end of expression (char 9)');
  assert.equal(message("0.2*energy + (cost"), 'objective: cannot parse "0.2*energy + (cost": Parenthesis ) expected (char 19)');
});

test("SciNet's weighted form by name: 0.2 x (0.5 + 0.25 + 1 + 0.1 - 0.8) = 0.21; precedence as in mathjs", () => {
  const o = compileObjective("scinet-weighted");
  assert.equal(o.expression, "0.2*energy + 0.2*cost + 0.2*response + 0.2*sla - 0.2*accuracy");
  const v = { energy: 0.5, cost: 0.25, response: 1, sla: 0.1, accuracy: 0.8 } as ObjectiveVariables;
  assert.ok(Math.abs(o.evaluate(v) - 0.21) < 1e-12);
  const e = (x: string) => compileObjective(x).evaluate({ energy: 2, cost: 3 } as ObjectiveVariables);
  assert.equal(e("-energy^2"), -4);
  assert.equal(e("energy^cost^2"), 512);
  assert.equal(e("energy - cost - 1"), -2);
  assert.equal(e("max(energy, cost, 1) + min(energy, cost) + pow(energy, 3) + log(cost^2, cost) + abs(0 - cost)"), 3 + 2 + 8 + 2 + 3);
  assert.equal(e("2.5e-1 * energy"), 0.5);
});

test("money per request worked by hand: (VM + energy + penalties + accuracy) / requests", () => {
  const from: Totals = { time: 0, energyJ: 0, costUSD: 0, arrived: 0, completed: 0, violated: 0, rejected: 0, failed: 0, responseSum: 0, accuracySum: 0, accuracyLossSum: 0, deadlineSum: 0, busyS: 0, billedS: 0, events: 0 };
  // 10 arrived: 7 completed (1 late), 1 rejected, 1 failed, 1 unfinished; 3.6 MJ = 1 kWh; accuracy 0.05 below best over the run
  const to: Totals = { ...from, time: 100, energyJ: 3.6e6, costUSD: 0.02, arrived: 10, completed: 7, violated: 1, rejected: 1, failed: 1, responseSum: 21, accuracySum: 4.9, accuracyLossSum: 0.05, deadlineSum: 70 };
  const { model } = makeTwin({ sizes: [PLAIN_2VCPU], hosts: [{ size: "plain-2", count: 1 }] });
  const v = objectiveVariables(model, from, to, DEFAULT_ECONOMICS, 1);
  assert.equal(v.accounted, 10);
  assert.equal(v.violations, 4); // 1 late + 1 rejected + 1 failed + 1 unfinished
  assert.ok(Math.abs(v.energyUSD - 0.13) < 1e-12);
  // 1 late x 0.01 + (1 rejected + 1 failed + 1 unfinished) x 0.02
  assert.ok(Math.abs(v.penaltyUSD - 0.07) < 1e-12);
  assert.ok(Math.abs(v.accuracyLossUSD - 5 * 0.0001) < 1e-12);
  // (0.02 + 0.13 + 0.07 + 0.0005) / 10
  assert.ok(Math.abs(v.usdPerRequest - 0.02205) < 1e-12);
  assert.ok(Math.abs(v.violationRate - 0.4) < 1e-12);
  assert.ok(Math.abs(v.lateRate - 1 / 7) < 1e-12);
  assert.ok(Math.abs(v.meanResponseS - 3) < 1e-12);
  assert.ok(Math.abs(v.servedAccuracy - 0.49) < 1e-12);
  // nothing arrived and nothing spent: 0; something spent on nobody: the money itself
  assert.equal(objectiveVariables(model, from, from).usdPerRequest, 0);
  assert.equal(objectiveVariables(model, from, { ...from, time: 10, costUSD: 0.5 }).usdPerRequest, 0.5);
});
