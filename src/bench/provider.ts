import os from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
import { runProvider } from "../../simulator/provider/run.ts";
import { ladderStep, providerBuiltins, type ProviderScenario } from "../../simulator/provider/scenario.ts";

/**
 * Provider-view benchmark: the CloudSim Plus performance scenario (cloudsim-scale) and the
 * doubling ladder (2,500 * 2^k hosts = VMs = cloudlets) as far as memory allows. Prints wall
 * time, events/s, peak RSS and heap, and the wall-time and memory ratio per doubling (about 2
 * when growth is linear). Never asserts anything: it reports.
 *
 *   node --expose-gc --import tsx simulator/provider/bench.ts [maxLadderSteps] [maxHeapMB]
 */
export interface BenchOptions {
  /** ladder steps to try, k = 0 .. maxLadderSteps - 1 (default 12: up to 5,120,000) */
  maxLadderSteps?: number;
  /** stop before a step whose predicted peak RSS exceeds this (default 8000 MB) */
  maxHeapMB?: number;
}

export interface BenchRow {
  scenario: string;
  hosts: number;
  wallMs: number;
  /** user + system CPU time of the process during the run (robust to other load on the machine) */
  cpuMs: number;
  events: number;
  eventsPerS: number;
  /** events per second of the simulation itself (VM placement + event loop), without building entities and summaries */
  simEventsPerS: number;
  peakRssMB: number;
  heapUsedMB: number;
  completed: number;
}

const MB = 1024 * 1024;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * One run. `collectFirst` runs a full GC first, so peak RSS and heap are the run's own; it also
 * leaves the collector sweeping during the run (a forced GC slowed the next cloudsim-scale run
 * from about 70 to 150 ms here), so the timed runs of the built-ins skip it.
 */
function measure(s: ProviderScenario, collectFirst = true): BenchRow {
  if (collectFirst) gc();
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runProvider(s, { seed: 1, onProgress: sample });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  sample();
  const heapUsed = process.memoryUsage().heapUsed; // results still alive here
  if (heapUsed > peakHeap) peakHeap = heapUsed;
  const hosts = r.hosts.length;
  return {
    scenario: s.name,
    hosts,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    events: r.summary.events,
    eventsPerS: r.summary.events / (wallMs / 1000),
    simEventsPerS: r.summary.events / (r.simulatorMs / 1000),
    peakRssMB: peakRss / MB,
    heapUsedMB: peakHeap / MB,
    completed: r.summary.requests.completed,
  };
}

const fmt = (x: number, d = 0): string => x.toFixed(d).padStart(10);

export interface ProviderBench {
  /** cloudsim-scale, best wall time of 3 once warm */
  scale: BenchRow;
  /** cloudsim-scale, the first run in the process */
  cold: BenchRow;
  published: BenchRow;
  months: BenchRow;
  ladder: BenchRow[];
}

export function benchProvider(log: (line: string) => void, opts: BenchOptions = {}): ProviderBench {
  const maxSteps = opts.maxLadderSteps ?? 12;
  const maxMB = opts.maxHeapMB ?? 8000;
  const heapLimitMB = v8.getHeapStatistics().heap_size_limit / MB;
  log(
    `node ${process.version}, ${process.arch}, ${os.cpus().length} cpus, load average ${os.loadavg()[0].toFixed(2)}, ` +
      `V8 heap limit ${heapLimitMB.toFixed(0)} MB, gc ${typeof (globalThis as { gc?: unknown }).gc === "function" ? "exposed" : "not exposed (run with --expose-gc)"}`,
  );
  log("events = VM placement decisions + cloudlet submissions + cloudlet completions (+ one per VM and time frame whose stochastic cloudlets draw anew: its completion event moves); events/s on wall time; sim events/s on the simulation alone (placement + event loop, no entity building or summary)");

  measure(ladderStep(0)); // warm-up: JIT the hot paths once so step 0 is not a compile benchmark
  const header =
    "scenario".padEnd(26) +
    ["hosts", "wall ms", "cpu ms", "events", "events/s", "sim ev/s", "rss MB", "heap MB"].map((h) => h.padStart(10)).join("") +
    ["x wall", "x cpu", "x rss"].map((h) => h.padStart(8)).join("");
  const ratio = (a: number, b: number): string => (a / b).toFixed(2).padStart(8);
  const line = (r: BenchRow, prev?: BenchRow): string =>
    `${r.scenario.padEnd(26)}${fmt(r.hosts)}${fmt(r.wallMs, 1)}${fmt(r.cpuMs, 1)}${fmt(r.events)}${fmt(r.eventsPerS)}${fmt(r.simEventsPerS)}${fmt(r.peakRssMB)}${fmt(r.heapUsedMB)}` +
    (prev ? ratio(r.wallMs, prev.wallMs) + ratio(r.cpuMs, prev.cpuMs) + ratio(r.peakRssMB, prev.peakRssMB) : "");

  // The first run in a process pays for compiling the hot paths (V8 tiers up over a few runs):
  // reported as "cold"; the figure is the best of 3 after 2 more warm-up runs.
  const cold = measure(providerBuiltins["cloudsim-scale"]);
  for (let k = 0; k < 2; k++) measure(providerBuiltins["cloudsim-scale"], false);
  let scale = measure(providerBuiltins["cloudsim-scale"], false);
  for (let k = 0; k < 2; k++) {
    const again = measure(providerBuiltins["cloudsim-scale"], false);
    if (again.wallMs < scale.wallMs) scale = again;
  }
  log("built-ins (cloudsim-scale: cold = first run in the process; then best wall of 3 after 2 warm-up runs, no forced GC before them (rss/heap columns: of the run before); cloudsim-scale-published: the second run; cloudsim-months: one run):");
  log(header);
  log(line({ ...cold, scenario: "cloudsim-scale (cold)" }));
  log(line(scale));
  measure(providerBuiltins["cloudsim-scale-published"]); // warm-up: its own paths (time-shared placement, frames)
  const published = measure(providerBuiltins["cloudsim-scale-published"], false);
  log(line(published));
  const months = measure(providerBuiltins["cloudsim-months"]);
  log(line(months));
  log(`  cloudsim-scale: 20,000 hosts, 40,000 VMs, 50,000 cloudlets, first-fit, space-shared VMs, full CPU (CloudSim Plus 4.3.4 published 1.3 min)`);
  log(`  cloudsim-scale-published: the same entities as published: time-shared VMs, stochastic CPU, next-fit (CloudSim Plus's FirstFit)`);
  log(`  cloudsim-months: 50,000 hosts, 100,000 VMs, 100,000 cloudlets over 3.86 simulated months (CloudSim Plus published 6.38 min for its run of that size)`);

  log("cloudsim-ladder (hosts = VMs = cloudlets = 2,500 * 2^k); x = ratio to the previous step:");
  log(header);
  const ladder: BenchRow[] = [];
  const baseRss = process.memoryUsage.rss() / MB;
  for (let k = 0; k < maxSteps; k++) {
    const prev = ladder[ladder.length - 1];
    if (prev) {
      const predictedRss = baseRss + 2.2 * (prev.peakRssMB - baseRss);
      const predictedHeap = 2.2 * prev.heapUsedMB;
      if (predictedRss > maxMB || predictedHeap > 0.9 * heapLimitMB) {
        log(`  stop before k=${k}: predicted peak RSS ${predictedRss.toFixed(0)} MB (limit ${maxMB}), heap ${predictedHeap.toFixed(0)} MB (V8 limit ${heapLimitMB.toFixed(0)})`);
        break;
      }
    }
    const r = measure(ladderStep(k));
    ladder.push(r);
    log(line(r, prev));
  }
  if (ladder.length >= 2) {
    // Small steps are dominated by fixed costs and JIT; the large ones show the growth.
    const tail = ladder.slice(-4);
    const mean = (f: (r: BenchRow) => number): string => {
      const ratios = tail.slice(1).map((r, i) => f(r) / f(tail[i]));
      return (ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(2);
    };
    log(
      `mean ratio per doubling over the last ${tail.length - 1} steps: wall ${mean((r) => r.wallMs)}, ` +
        `cpu ${mean((r) => r.cpuMs)}, rss ${mean((r) => r.peakRssMB)} (2.00 = linear)`,
    );
  }
  return { scale, cold, published, months, ladder };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [steps, mb] = process.argv.slice(2).map(Number);
  benchProvider((l) => console.log(l), {
    maxLadderSteps: Number.isFinite(steps) ? steps : undefined,
    maxHeapMB: Number.isFinite(mb) ? mb : undefined,
  });
}
