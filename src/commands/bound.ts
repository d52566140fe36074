/**
 * `cotwin bound`: the lower bound on the usd-per-request objective for one scenario and seed (see
 * oracle/bound.ts): no policy scores below it on that run's arrivals, so best baseline - bound is
 * the most any decision could gain over the baseline.
 */
import { lowerBound, runArrivals } from "../../oracle/bound.ts";
import { checkTenantSize } from "../../simulator/limits.ts";
import { buildTwinModel, loadTenantScenario, scenarioObjective } from "../../simulator/scenarios.ts";
import { VERSION } from "../../simulator/version.ts";
import { prepareInputs } from "../../workloads/ready-twin.ts";
import { io } from "../io.ts";
import { UsageError } from "../usage-error.ts";
import { resolveScenario } from "./run.ts";

export interface BoundArgs {
  scenario: string;
  seed: number;
  intervals?: number;
  iterations: number;
  json: boolean;
  command: string[];
}

export async function runBound(a: BoundArgs): Promise<number> {
  const r = resolveScenario(a.scenario);
  if (r.view === "provider") throw new UsageError(`--scenario: ${a.scenario} is a provider-view scenario; the bound is for tenant scenarios (their usd-per-request objective)`);
  const { scenario, source } = loadTenantScenario(r.name);
  if (scenario.objective !== "usd-per-request") {
    throw new UsageError(`--scenario: ${source} has objective "${scenario.objective}"; the bound is for the usd-per-request objective only`);
  }
  if (a.intervals !== undefined) checkTenantSize(scenario, source, a.intervals, "--intervals");
  const intervals = a.intervals ?? scenario.intervals;
  const inputs = await prepareInputs({ scenario, source, seed: a.seed });
  const model = buildTwinModel(scenario, source);
  const economics = scenarioObjective(scenario, source).economics;
  const b = lowerBound(model, economics, runArrivals(inputs, intervals), { iterations: a.iterations });
  const out = { scenario: scenario.name, seed: a.seed, intervals, version: VERSION, command: a.command, config: scenario, ...b };
  if (a.json) io.out(JSON.stringify(out) + "\n");
  else {
    io.out(`lower bound on usd-per-request, ${scenario.name}, seed ${a.seed}, ${intervals} intervals (${b.requests} requests, ${b.iterations} iterations)\n`);
    io.out(`  bound             ${b.usdPerRequest.toExponential(4)} USD per request (total ${b.totalUSD.toFixed(6)} USD)\n`);
    io.out(`  of which capacity ${b.parts.capacityUSD.toFixed(6)} USD, accuracy loss ${b.parts.accuracyLossUSD.toFixed(6)} USD, penalties ${b.parts.penaltyUSD.toFixed(6)} USD\n`);
    if (b.hopeless > 0) io.out(`  ${b.hopeless} request(s) cannot be served on time by any policy (their deadline ends before they can start)\n`);
    io.out("  no policy scores below the bound on this run's arrivals; a policy's objective minus the bound is at most what it could still gain\n");
  }
  return 0;
}
