import { loadTenantScenario } from "./simulator/scenarios.ts";
import { runTenantAsync } from "./src/runner.ts";
const name = process.argv[2] ?? "scinet-testbed";
const seed = Number(process.argv[3] ?? 101);
const intervals = process.argv[4] ? Number(process.argv[4]) : undefined;
const opts = process.argv[5] ? JSON.parse(process.argv[5]) : {};
const { scenario, source } = loadTenantScenario(name);
for (const p of (process.argv[6] ?? "target+compressed+least-loaded,oracle").split(",")) {
  const t0 = performance.now();
  const r = await runTenantAsync({ scenario, source, policy: p, seed, intervals, policyOptions: opts });
  const s = r.summary;
  console.log(p.padEnd(34), s.objective.toExponential(4), "viol", s.violationRate.toFixed(4), "cost", s.costUSD.toFixed(4), "resp", s.meanResponseS.toFixed(2), "acc", s.meanAccuracy.toFixed(4), "p50", s.decisionMs.p50.toFixed(1), "p99", s.decisionMs.p99.toFixed(1), "wall", ((performance.now() - t0) / 1000).toFixed(1));
}
