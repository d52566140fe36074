/**
 * `npm run bench`: speed figures measured in one run, printed with the ratios between them.
 * Nothing here fails for being slow; targets are printed next to the measurements.
 *
 *   npm run bench                      all sections
 *   npm run bench -- twin provider     only these sections (startup, twin, provider, forecast, oracle, matrix, deploy)
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { EventQueue } from "../../simulator/engine/event-queue.ts";
import { RandomStream } from "../../simulator/engine/random.ts";
import { buildTwinModel, loadTenantScenario } from "../../simulator/scenarios.ts";
import { loadArrivals } from "../../workloads/scenario-workload.ts";
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
  const model = buildTwinModel(scenario, source);
  const arrivals = await loadArrivals(scenario, model, new RandomStreams(1), source);
  return { scenario, source, arrivals };
}

async function twinSection(): Promise<void> {
  log("\n== Twin (tenant view) ==");
  // Warm the heap code once so JIT state is comparable for both measurements.
  rawHeapRate(64, 200_000);
  const heapSmall = rawHeapRate(64, 2_000_000);

  for (const name of ["bitbrains-50", "bitbrains-50-synthetic"]) {
    let bb;
    try {
      bb = await loadTenantArrivals(name);
    } catch (e) {
      log(`${name}: skipped (${(e as Error).message})`);
      continue;
    }
    runTenant({ ...bb, policy: "least-loaded", seed: 1 }); // warm-up: JIT, not first-run module loading
    gc();
    const rss0 = process.memoryUsage.rss();
    // best of three (the machine may be busy)
    let bbMs = Infinity;
    let bbRun = runTenant({ ...bb, policy: "least-loaded", seed: 1 });
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      bbRun = runTenant({ ...bb, policy: "least-loaded", seed: 1 });
      bbMs = Math.min(bbMs, performance.now() - t0);
    }
    const bbRss = process.memoryUsage.rss();
    const bbEvents = bbRun.summary.events;
    const bbRate = bbEvents / (bbMs / 1000);
    // The simulator alone: the same run, timing apply + runUntil (not the observation and decision, no records).
    const p = prepareTenantRun({ ...bb, policy: "least-loaded", seed: 1, record: false });
    let loopMs = 0;
    const e0 = p.twin.totals().events;
    for (let k = 0; k < bb.scenario.intervals; k++) {
      const d = p.policy.decide(p.twin.observe());
      const t = performance.now();
      p.twin.apply(d);
      p.twin.runUntil(p.twin.intervalEnd);
      loopMs += performance.now() - t;
      p.twin.closeInterval();
    }
    const loopRate = (p.twin.totals().events - e0) / (loopMs / 1000);
    log(`${name}, one simulated day (288 x 300 s), least-loaded: ${bbMs.toFixed(0)} ms wall (best of 3), ${bbEvents} events, ${fmtRate(bbRate)} events/s all-in (observations, decisions, per-request records), ${fmtRate(loopRate)} events/s in the simulator alone (apply + event loop, no records); RSS ${(bbRss / 2 ** 20).toFixed(0)} MB (${((bbRss - rss0) / 2 ** 20).toFixed(0)} MB more than before the run)`);
    log(`  raw event heap (hold model, 64 events queued): ${fmtRate(heapSmall)} push+pop pairs/s; ratio simulator : raw heap = ${(loopRate / heapSmall).toFixed(3)}, all-in : raw heap = ${(bbRate / heapSmall).toFixed(3)} (target >= 0.3)`);
  }

  const sc = loadTenantScenario("scinet-testbed");
  runTenant({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 2, intervals: 200 }); // warm-up
  const t1 = performance.now();
  const scRun = runTenant({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 1, intervals: 1000 });
  const scMs = performance.now() - t1;
  log(`scinet-testbed, 1,000 intervals (5,000 s simulated), least-loaded: ${scMs.toFixed(1)} ms wall, ${scRun.summary.events} events (target < 1,000 ms)`);

  // fork() on a twin in mid-run
  const p = prepareTenantRun({ scenario: sc.scenario, source: sc.source, policy: "least-loaded", seed: 1 });
  for (let k = 0; k < 100; k++) {
    p.twin.apply(p.policy.decide(p.twin.observe()));
    p.twin.finishInterval(p.policy);
  }
  for (let i = 0; i < 20_000; i++) p.twin.fork();
  const n = 200_000;
  const t2 = performance.now();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += p.twin.fork().now;
  const forkUs = ((performance.now() - t2) * 1000) / n;
  const m = 20_000;
  const t3 = performance.now();
  for (let i = 0; i < m; i++) {
    const f = p.twin.fork();
    f.runAhead(p.policy.decide(f.observe()), p.policy.clone(), 3);
  }
  const aheadUs = ((performance.now() - t3) * 1000) / m;
  log(`fork() of scinet-testbed in mid-run: ${forkUs.toFixed(2)} us (target < 50 us); fork + 3 intervals ahead under least-loaded: ${aheadUs.toFixed(1)} us${sink < 0 ? "" : ""}`);
}

function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}

async function main(): Promise<void> {
  const want = process.argv.slice(2).filter((a) => !a.startsWith("-"));
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
    const heapLarge = rawHeapRate(50_000, 2_000_000);
    const r = benchProvider(log, { maxLadderSteps: 10 });
    log(`raw event heap (hold model, 50,000 events queued): ${fmtRate(heapLarge)} push+pop pairs/s; cloudsim-scale events/s : raw = ${(r.scale.eventsPerS / heapLarge).toFixed(3)}`);
    log(`cloudsim-scale wall ${r.scale.wallMs.toFixed(0)} ms (target < 2,000 ms; CloudSim Plus published 1.3 min on a 2-core laptop: ${((1.3 * 60_000) / r.scale.wallMs).toFixed(0)}x)`);
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
}

await main();
