/**
 * The default objective (money per request) cannot be gamed: serving nobody, rejecting
 * everything or stopping work at the end of a run never scores well, at light and heavy load.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_ECONOMICS } from "../../simulator/objective.ts";
import { allBaselines, createPolicy } from "../../simulator/policies/registry.ts";
import { builtinTenantNames, buildTwinModel, loadTenantScenario } from "../../simulator/scenarios.ts";
import type { Decision, Observation, Policy } from "../../simulator/types.ts";
import { registerPolicy } from "../../simulator/policies/registry.ts";
import { runTenant } from "../../src/runner.ts";

const INTERVALS = 30;

registerPolicy("test:reject-all", "turns every request away, hosts as they are", () => {
  const p: Policy = { name: "reject-all", decide: (o: Observation): Decision => ({ reject: o.pending.map((r) => r.id) }), clone: () => p };
  return p;
});

/** A baseline that stops every host for its last 5 intervals and the drain ("stop at the end"). */
registerPolicy("test:stop-at-end", "target+compressed+least-loaded, then every host off for the last 5 intervals", (ctx) => {
  const inner = createPolicy("target+compressed+least-loaded", ctx);
  const make = (q: Policy): Policy => ({
    name: "stop-at-end",
    decide(o: Observation): Decision {
      const d = q.decide(o);
      if (o.interval < INTERVALS - 5) return d;
      const provision = [];
      for (let h = 0; h < o.hosts.count; h++) if (o.hosts.state[h] === 2 || o.hosts.state[h] === 1) provision.push({ host: h, action: "stop" as const });
      return { provision };
    },
    clone: () => make(q.clone()),
  });
  return make(inner);
});

function objective(name: string, policy: string): number {
  const { scenario, source } = loadTenantScenario(name);
  return runTenant({ scenario, source, policy, seed: 11, intervals: INTERVALS, record: false }).summary.objective;
}

for (const name of ["scinet-load-35", "scinet-load-70", "scinet-load-90"]) {
  test(`${name}: idle, reject-all and stop-at-end score worse than every baseline combination`, () => {
    const { scenario, source } = loadTenantScenario(name);
    const model = buildTwinModel(scenario, source);
    const baselines = allBaselines(model).map((p) => [p, objective(name, p)] as const);
    assert.equal(baselines.length, 3 * 5 * 6); // static/threshold/target x full/compressed/layer/semantic/deadline x 6 placements
    const worstBaseline = Math.max(...baselines.map(([, o]) => o));
    const idle = objective(name, "idle");
    // nobody served: every request unserved, at the full price of one
    assert.ok(Math.abs(idle - DEFAULT_ECONOMICS.unservedUSD) < 2e-4, `idle ${idle}`);
    assert.ok(idle > worstBaseline, `idle ${idle} vs the worst baseline ${worstBaseline}`);
    assert.ok(objective(name, "test:reject-all") > worstBaseline);
    const honest = objective(name, "target+compressed+least-loaded");
    assert.ok(objective(name, "test:stop-at-end") > honest, "stopping work at the end must not pay");
  });
}

test("rejecting a request always costs more than serving it on the cheapest host that fits (every built-in, every variant)", () => {
  for (const name of builtinTenantNames()) {
    const { scenario, source } = loadTenantScenario(name);
    const m = buildTwinModel(scenario, source);
    const e = scenario.economics;
    for (let a = 0; a < m.apps.length; a++) {
      for (const v of m.apps[a].variants) {
        if (!m.variants.includes(v.kind)) continue;
        // an upper bound: the whole host billed and at full power while the request's work runs
        // on one of its vCPUs, at request size 1
        let cheapest = Infinity;
        for (let h = 0; h < m.hostCount; h++) {
          if (v.fragments.some((f) => f.ramMB > m.ramMB[h])) continue;
          const seconds = v.fragments.reduce((s, f) => s + f.mi, 0) / m.mips[h];
          cheapest = Math.min(cheapest, seconds * (m.pricePerHour[h] / 3600 + (m.maxW[h] * e.energyUSDPerKWh) / 3.6e6));
        }
        assert.ok(cheapest < e.unservedUSD, `${name}: ${m.apps[a].name} ${v.kind} costs up to ${cheapest} USD to serve, rejecting it ${e.unservedUSD}`);
      }
    }
  }
});
