import { loadTenantScenario } from "/work/main/simulator/scenarios.ts";
import { allBaselines } from "/work/main/simulator/policies/registry.ts";
import { buildTwinModel } from "/work/main/simulator/scenarios.ts";
import { runTenantAsync } from "/work/main/src/runner.ts";
const name = process.argv[2] ?? "scinet-testbed";
const seeds = Number(process.argv[3] ?? 2);
const { scenario, source } = loadTenantScenario(name);
const model = buildTwinModel(scenario, source);
const pols = [...allBaselines(model), "idle", ...(process.argv[4] ? process.argv[4].split(",") : [])];
const rows = [];
for (const p of pols) {
  let o = 0, v = 0, c = 0, resp = 0;
  for (let s = 1; s <= seeds; s++) { const r = await runTenantAsync({ scenario, source, policy: p, seed: 100 + s }); o += r.summary.objective / seeds; v += r.summary.violationRate / seeds; c += r.summary.costUSD / seeds; resp += r.summary.meanResponseS / seeds; }
  rows.push([p, o, v, c, resp]);
}
rows.sort((a, b) => a[1] - b[1]);
for (const r of rows.filter((x) => !process.env.F || String(x[0]).includes(process.env.F)).slice(0, 12)) console.log(String(r[0]).padEnd(40), r[1].toExponential(3), "viol", r[2].toFixed(4), "cost", r[3].toFixed(4), "resp", r[4].toFixed(2));
console.log("...");
for (const r of rows.slice(-4)) console.log(String(r[0]).padEnd(40), r[1].toExponential(3), "viol", r[2].toFixed(4), "cost", r[3].toFixed(4));
