import { loadTenantScenario, scenarioObjective } from "./simulator/scenarios.ts";
import { prepareTenantRun } from "./src/runner.ts";
import { LookAhead } from "./oracle/score.ts";
import { defaultContinuation } from "./oracle/continuation.ts";
const name = process.argv[2] ?? "scinet-load-35";
const { scenario, source } = loadTenantScenario(name);
const run = prepareTenantRun({ scenario, source, policy: "target+compressed+least-loaded", seed: 1, record: false });
for (let k = 0; k < 20; k++) { run.twin.apply(run.policy.decide(run.twin.observe())); run.twin.finishInterval(run.policy); }
const obs = run.twin.observe();
const cont = defaultContinuation(run.model);
const la = new LookAhead(run.model, scenarioObjective(scenario, source), cont, { horizon: null, forks: 1, clairvoyant: false, drainIntervals: null });
for (let k = 0; k < 20; k++) la.observe(obs);
const d = run.policy.clone().decide(obs);
console.log("pending", obs.pending.length, "horizon", la.horizon, "drain", la.drainIntervals);
const n = Number(process.env.N ?? 50);
let t0 = performance.now();
for (let i = 0; i < n; i++) la.score(run.twin, d, "x" + i);
console.log("ms per fork score", ((performance.now() - t0) / n).toFixed(3));
const f = run.twin.fork("a");
t0 = performance.now();
const e0 = f.totals().events;
f.apply(d); for (let k = 0; k < 13; k++) { f.finishInterval(cont); f.apply(cont.decide(f.observe())); }
console.log("13 intervals raw ms", (performance.now() - t0).toFixed(3), "events", f.totals().events - e0);
