/**
 * `npm run bench`: speed figures measured in one run, printed with the ratios between them.
 * Nothing here fails for being slow; targets are printed next to the measurements.
 *
 *   npm run bench                      all sections
 *   npm run bench -- twin provider     only these sections (startup, twin, provider, forecast, oracle, matrix, deploy, learner)
 *   npm run bench -- learner-latency   only the shipped learner models' decision latency (part of "learner")
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { EventQueue } from "../../simulator/engine/event-queue.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { buildTwinModel, builtinTenantNames, loadTenantScenario } from "../../simulator/scenarios.ts";
import { buildArrivals } from "../../workloads/scenario-workload.ts";
import { prepareInputs, type TwinInputs } from "../../workloads/ready-twin.ts";
import { RandomStreams } from "../../simulator/engine/random.ts";
import { prepareTenantRun, runTenant } from "../runner.ts";
import { benchProvider } from "./provider.ts";

const log = (line: string): void => {
  process.stdout.write(line + "\n");
};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Push/pop pairs per second on a heap held at `size` events (the classic hold model). */
export function rawHeapRate(size: number, pairs: number): number {
  const q = new EventQueue(size * 2);
  const rng = new RandomStream("bench-heap");
  let now = 0;
  for (let i = 0; i < size; i++) q.schedule(rng.exponential(1), 0, i);
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    const s = q.pop();
    now = q.timeOf(s);
    q.release(s);
    q.schedule(now + rng.exponential(1), 0, i);
  }
  const ms = performance.now() - t0;
  return pairs / (ms / 1000);
}

async function loadTenantArrivals(name: string) {
  const { scenario, source } = loadTenantScenario(name);
  // reads a trace and fits a forecaster when the scenario has them (given sources are cloned per run)
  const inputs = await prepareInputs<TwinInputs>({ scenario, source, seed: 1 });
  return { scenario, source, arrivals: inputs.arrivals ?? buildArrivals(scenario, buildTwinModel(scenario, source), new RandomStreams(1), source), forecast: inputs.forecast };
}

/** Best-of-`reps` events/s of the simulator alone (apply + event loop, no observations timed, no records). */
function simulatorRate(sc: Awaited<ReturnType<typeof loadTenantArrivals>>, reps: number): { rate: number; events: number; ms: number } {
  let best = { rate: 0, events: 0, ms: 0 };
  // small runs (a few hundred events) are repeated until they have run 300 ms: one run of a
  // millisecond is mostly timer and JIT noise
  const t0 = performance.now();
  for (let rep = 0; rep < reps || (performance.now() - t0 < 300 && rep < 500); rep++) {
    const p = prepareTenantRun({ ...sc, policy: "least-loaded", seed: 1, record: false });
    let loopMs = 0;
    const e0 = p.twin.totals().events;
    for (let k = 0; k < sc.scenario.intervals; k++) {
      const d = p.policy.decide(p.twin.observe());
      const t = performance.now();
      p.twin.apply(d);
      p.twin.runUntil(p.twin.intervalEnd);
      loopMs += performance.now() - t;
      p.twin.closeInterval();
    }
    const events = p.twin.totals().events - e0;
    const rate = events / (loopMs / 1000);
    if (rate > best.rate) best = { rate, events, ms: loopMs };
  }
  return best;
}

async function twinSection(): Promise<void> {
  log("\n== Twin (tenant view) ==");
  // Warm the heap code once so JIT state is comparable for both measurements.
  rawHeapRate(64, 200_000);

  // Every built-in tenant scenario: the simulator's events/s against the raw event heap measured
  // right before it (hold model, 64 events queued), so both see the same load on the machine.
  log("every built-in scenario, least-loaded, seed 1; simulator alone = apply + event loop (best of 5 runs, or of as many as fit in 300 ms); raw heap = push+pop pairs/s, best of 3, measured just before");
  log("scenario".padEnd(26) + ["events", "sim ms", "events/s", "heap pairs/s", "ratio"].map((h) => h.padStart(13)).join("") + "   target >= 0.4");
  for (const name of builtinTenantNames()) {
    let sc;
    try {
      sc = await loadTenantArrivals(name);
    } catch (e) {
      log(`${name.padEnd(26)} skipped (${(e as Error).message.split("\n")[0]})`);
      continue;
    }
    simulatorRate(sc, 1); // warm-up: JIT, not first-run module loading
    const heap = Math.max(rawHeapRate(64, 1_000_000), rawHeapRate(64, 1_000_000), rawHeapRate(64, 1_000_000));
    const r = simulatorRate(sc, 5);
    const ratio = r.rate / heap;
    log(
      `${name.padEnd(26)}${String(r.events).padStart(13)}${r.ms.toFixed(1).padStart(13)}${fmtRate(r.rate).padStart(13)}${fmtRate(heap).padStart(13)}${ratio.toFixed(3).padStart(13)}   ${ratio >= 0.4 ? "met" : "NOT met"}`,
    );
  }

  // All-in on the trace day: observations, decisions and per-request records included.
  try {
    const bb = await loadTenantArrivals("bitbrains-50");
    runTenant({ ...bb, policy: "least-loaded", seed: 1 });
    gc();
    let bbMs = Infinity;
    let bbRun = runTenant({ ...bb, policy: "least-loaded", seed: 1 });
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      bbRun = runTenant({ ...bb, policy: "least-loaded", seed: 1 });
      bbMs = Math.min(bbMs, performance.now() - t0);
    }
    log(`bitbrains-50 all-in (observations, decisions, per-request records): ${bbMs.toFixed(0)} ms wall (best of 3), ${bbRun.summary.events} events, ${fmtRate(bbRun.summary.events / (bbMs / 1000))} events/s`);
  } catch (e) {
    log(`bitbrains-50 all-in: skipped (${(e as Error).message.split("\n")[0]})`);
  }

  const sc = loadTenantScenario("scinet-testbed");
  runTenant({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 2, intervals: 200 }); // warm-up
  const t1 = performance.now();
  const scRun = runTenant({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 1, intervals: 1000 });
  const scMs = performance.now() - t1;
  log(`scinet-testbed, 1,000 intervals (5,000 s simulated), least-loaded: ${scMs.toFixed(1)} ms wall, ${scRun.summary.events} events (target < 1,000 ms)`);

  // fork() on a twin in mid-run: best of 7 blocks of 50,000 (a busy machine slows some blocks)
  const p = prepareTenantRun({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 1 });
  for (let k = 0; k < 100; k++) {
    p.twin.apply(p.policy.decide(p.twin.observe()));
    p.twin.finishInterval(p.policy);
  }
  for (let i = 0; i < 20_000; i++) p.twin.fork();
  let sink = 0;
  let forkUs = Infinity;
  for (let block = 0; block < 7; block++) {
    const n = 50_000;
    const t2 = performance.now();
    for (let i = 0; i < n; i++) sink += p.twin.fork().now;
    forkUs = Math.min(forkUs, ((performance.now() - t2) * 1000) / n);
  }
  const m = 20_000;
  const t3 = performance.now();
  for (let i = 0; i < m; i++) {
    const f = p.twin.fork();
    f.runAhead(p.policy.decide(f.observe()), p.policy.clone(), 3);
  }
  const aheadUs = ((performance.now() - t3) * 1000) / m;
  log(`fork() of scinet-testbed in mid-run: ${forkUs.toFixed(2)} us, best of 7 blocks (target < 20 us: ${forkUs < 20 ? "met" : "NOT met"}); fork + 3 intervals ahead under least-loaded: ${aheadUs.toFixed(1)} us${sink < 0 ? "" : ""}`);
}

function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

export const BENCH_SECTIONS = ["startup", "twin", "provider", "forecast", "matrix", "deploy", "oracle", "learner", "learner-latency"] as const;

/** The sections asked for; an unknown name or any flag is refused (it would run everything, or nothing, silently). */
export function benchSections(args: readonly string[]): string[] {
  const bad = args.filter((a) => !(BENCH_SECTIONS as readonly string[]).includes(a));
  if (bad.length > 0) throw new Error(`unknown section${bad.length > 1 ? "s" : ""} ${bad.map((b) => `"${b}"`).join(", ")} (sections: ${BENCH_SECTIONS.join(", ")}; none: all of them)`);
  return [...args];
}

async function main(): Promise<void> {
  let want: string[];
  try {
    want = benchSections(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`npm run bench: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const on = (s: string) => want.length === 0 || want.includes(s);
  log(`cotwin bench: node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg()[0].toFixed(2)}`);
  if (on("startup")) {
    log("\n== Start-up (whole process) ==");
    const { benchStartup } = await import("./startup.ts");
    benchStartup(log);
  }
  if (on("twin")) await twinSection();
  if (on("provider")) {
    log("\n== Provider view (CloudSim Plus scenarios) ==");
    const r = benchProvider(log, { maxLadderSteps: 10 });
    // raw heaps sized like the runs' queues: every VM's completion queued at once (40,000) for
    // cloudsim-scale and -published; a handful for cloudsim-months (one cloudlet at a time or two)
    const heapLarge = Math.max(rawHeapRate(50_000, 2_000_000), rawHeapRate(50_000, 2_000_000));
    const heapSmall = Math.max(rawHeapRate(64, 2_000_000), rawHeapRate(64, 2_000_000));
    const ratio = (row: { simEventsPerS: number }, heap: number): string => {
      const x = row.simEventsPerS / heap;
      return `${x.toFixed(3)} (${x >= 0.4 ? "met" : "NOT met"})`;
    };
    log(`raw event heap (hold model): ${fmtRate(heapLarge)} push+pop pairs/s at 50,000 queued, ${fmtRate(heapSmall)} at 64 queued`);
    log(`simulation events/s : raw heap (target >= 0.4): cloudsim-scale ${ratio(r.scale, heapLarge)}, cloudsim-scale-published ${ratio(r.published, heapLarge)}, cloudsim-months ${ratio(r.months, heapSmall)}`);
    log(`cloudsim-scale in-process: ${r.scale.wallMs.toFixed(0)} ms wall, ${r.scale.cpuMs.toFixed(0)} ms CPU once warm; ${r.cold.wallMs.toFixed(0)} ms the first run in the process (target < 300 ms: ${r.scale.wallMs < 300 ? "met" : "NOT met"} warm, ${r.cold.wallMs < 300 ? "met" : "NOT met"} cold; CloudSim Plus published 1.3 min: ${((1.3 * 60_000) / r.scale.wallMs).toFixed(0)}x)`);
    log(`cloudsim-months: ${(r.months.wallMs / 1000).toFixed(1)} s wall, ${(r.months.cpuMs / 1000).toFixed(1)} s CPU (target < 60 s: ${r.months.wallMs < 60_000 ? "met" : "NOT met"}; CloudSim Plus published 6.38 min: ${((6.38 * 60_000) / r.months.wallMs).toFixed(0)}x)`);
  }
  if (on("forecast")) {
    log("\n== Forecasting ==");
    try {
      const { benchForecast } = await import("./forecast.ts");
      await benchForecast(log);
    } catch (e) {
      log(`forecast bench failed: ${(e as Error).message}`);
    }
  }
  if (on("matrix")) {
    log("\n== Benchmark matrix ==");
    try {
      const { benchMatrix } = await import("./matrix.ts");
      await benchMatrix(log);
    } catch (e) {
      log(`matrix bench failed: ${(e as Error).message}`);
    }
  }
  if (on("deploy")) {
    log("\n== Online loop (deploy) ==");
    try {
      const { benchDeploy } = await import("./deploy.ts");
      await benchDeploy(log);
    } catch (e) {
      log(`deploy bench failed: ${(e as Error).message}`);
    }
  }
  if (on("oracle")) {
    log("\n== Oracle ==");
    try {
      const { benchOracle } = await import("./oracle.ts");
      await benchOracle(log);
    } catch (e) {
      log(`oracle bench failed: ${(e as Error).message}`);
    }
  }
  if (want.includes("learner-latency") && !want.includes("learner")) {
    log("\n== Learner: decision latency of the shipped models ==");
    const { benchLearnerLatency } = await import("./learner.ts");
    await benchLearnerLatency(log);
  }
  if (on("learner")) {
    log("\n== Learner ==");
    try {
      const { benchLearner } = await import("./learner.ts");
      await benchLearner(log);
    } catch (e) {
      log(`learner bench failed: ${(e as Error).message}`);
    }
  }
}

await main();
