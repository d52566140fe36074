/**
 * `npm run bench -- deploy`: the online loop's targets.
 * - Local testbed fidelity: calibrate on one run (seed 1), then run again with the calibration
 *   (seed 2, other requests) and compare the twin's mean response with the measured one
 *   (target: within 15 %). Two admission modes: decisions at interval starts (responses include
 *   the wait for the next interval, which the twin gets right by construction) and at each
 *   arrival (responses are service time alone: the harder test).
 * - Loop overhead per interval, cloud and worker calls excluded (target < 10 ms): the testbed
 *   runs, and a dry run of scinet-testbed (16 hosts, 200 intervals).
 * - Fault suite: the Azure fault tests against the fake Resource Manager, run in a child process,
 *   with the duplicate and orphaned VMs they count (target: zero of each).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { packagePath } from "../../simulator/package-root.ts";
import { fitCalibration, makeCalibration, calibrationFile, saveCalibration } from "../../deploy/calibrate.ts";
import { runSession, type SessionArgs } from "../commands/deploy.ts";

type Log = (line: string) => void;

function scenario(admission: "interval" | "arrival"): Record<string, unknown> {
  return {
    name: `bench-testbed-${admission}`,
    description: "two 1-vCPU hosts, one classifier with a full and a layer-split variant",
    intervalS: 1,
    intervals: 20,
    hosts: [{ size: "Standard_B1ms", count: 2, bootS: 2 }],
    applications: {
      variants: ["full", "layer"],
      custom: [
        {
          name: "classifier",
          variants: [
            { kind: "full", accuracy: 0.75, fragments: [{ mi: 4000, ramMB: 300, outMB: 0.01 }] },
            { kind: "layer", accuracy: 0.75, fragments: [{ mi: 2000, ramMB: 200, outMB: 0.4 }, { mi: 2000, ramMB: 200, outMB: 0.01 }] },
          ],
        },
      ],
    },
    workload: { kind: "poisson", ratePerInterval: 4, deadline: { seconds: [2, 3] } },
    admission,
  };
}

const quiet = { out: () => {}, err: () => {}, interactive: false };

function pct(x: number | null): string {
  return x === null ? "-" : `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;
}

async function fidelity(log: Log, dir: string, admission: "interval" | "arrival", intervals: number): Promise<number[]> {
  const file = path.join(dir, `${admission}.yaml`);
  writeFileSync(file, YAML.stringify(scenario(admission)));
  const args = (seed: number, calibration: boolean): SessionArgs => ({ target: "local", scenario: file, policy: "least-loaded", seed, intervals, stateDir: dir, config: {}, limits: {}, calibration, json: true });
  // Two calibration rounds on seed 1 (as `cotwin calibrate` twice does), then a run on seed 2.
  let fit!: ReturnType<typeof fitCalibration>;
  const rounds = [];
  for (let round = 0; round < 2; round++) {
    const s = await runSession(args(1, round > 0), {}, quiet, {}, { stopAtEnd: true });
    const p = s.prepared;
    fit = fitCalibration({ ...p.inputs, scenario: p.original }, p.originalModel, s.result);
    await saveCalibration(calibrationFile(dir, p.original.name, "local"), makeCalibration(p.original, p.originalModel, fit, "local", p.source));
    rounds.push(s.result);
  }
  const second = await runSession(args(2, true), {}, quiet, {}, { stopAtEnd: true });
  const [a, a2] = rounds;
  const b = second.result;
  log(`local testbed, admission ${admission}, ${intervals} x 1 s, least-loaded: ${a.paired} + ${a2.paired} requests to calibrate, ${b.paired} to check`);
  log(`  as written (seed 1):  measured mean response ${a.measured.meanResponseS?.toFixed(3)} s, twin ${a.twin.meanResponseS?.toFixed(3)} s (${pct(a.responseErrorPct)}); after one round (seed 1 again) ${pct(a2.responseErrorPct)}`);
  log(`  calibrated (seed 2):  measured ${b.measured.meanResponseS?.toFixed(3)} s, twin ${b.twin.meanResponseS?.toFixed(3)} s: ${pct(b.responseErrorPct)} (target within 15 %); service time alone ${pct(b.serviceErrorPct)}`);
  const c = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)} %`);
  log(`    CPU measured ${c(b.measured.cpuUtilisation)} vs twin ${c(b.twin.cpuUtilisation)}; energy (est.) ${(b.measured.energyKWh * 1000).toFixed(3)} vs ${(b.twin.energyKWh * 1000).toFixed(3)} Wh; cost ${b.measured.costUSD.toFixed(6)} vs ${b.twin.costUSD.toFixed(6)} USD`);
  log(`    fitted: speed ${fit.hostMips.map((m, h) => ((m ?? 0) * (fit.contention[h] ?? 1)).toFixed(0)).join(", ")} MIPS/vCPU (contention factor ${fit.contention.map((x) => (x ?? 1).toFixed(2)).join(", ")}), overhead ${(fit.overheadS * 1000).toFixed(1)} ms per fragment, boot ${fit.bootS.map((x) => (x === null ? "-" : x.toFixed(1))).join(", ")} s`);
  return [...a.overheadMs, ...a2.overheadMs, ...b.overheadMs];
}

function stats(xs: number[]): string {
  const s = [...xs].sort((x, y) => x - y);
  const mean = s.reduce((a, x) => a + x, 0) / s.length;
  const p99 = s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
  return `mean ${mean.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms over ${s.length} intervals`;
}

function faultSuite(log: Log): void {
  const suite = packagePath("test", "deploy", "azure-faults.test.ts");
  if (!existsSync(suite)) {
    log("fault suite: skipped (the test files are not installed)");
    return;
  }
  const report = path.join(mkdtempSync(path.join(os.tmpdir(), "cotwin-faults-")), "report.jsonl");
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", suite], { cwd: packagePath(), env: { ...process.env, COTWIN_FAULT_REPORT: report }, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const pass = /^# pass (\d+)/m.exec(r.stdout)?.[1] ?? "?";
  const fail = /^# fail (\d+)/m.exec(r.stdout)?.[1] ?? "?";
  const rows = existsSync(report) ? readFileSync(report, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { test: string; duplicates: number; orphans: number }) : [];
  const dup = rows.reduce((s, x) => s + x.duplicates, 0);
  const orph = rows.reduce((s, x) => s + x.orphans, 0);
  log(`fault suite (fake Azure Resource Manager): ${pass} passed, ${fail} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${rows.length} fault cases counted: ${dup} duplicate and ${orph} orphaned VMs/NICs/IPs/disks (target 0 and 0)`);
  log(`  cases: ${rows.map((x) => x.test).join(", ")}`);
}

export async function benchDeploy(log: Log): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-bench-deploy-"));
  try {
    const overhead: number[] = [];
    overhead.push(...(await fidelity(log, dir, "interval", 20)));
    overhead.push(...(await fidelity(log, dir, "arrival", 20)));
    log(`loop overhead per interval on the testbed (cloud and worker calls excluded): ${stats(overhead)} (target < 10 ms)`);
    const dry = await runSession({ target: "dry-run", scenario: "scinet-testbed", policy: "threshold+compressed+least-loaded", seed: 1, intervals: 200, stateDir: dir, config: {}, limits: {}, calibration: false, json: true }, {}, quiet, {}, { stopAtEnd: false });
    log(`loop overhead per interval, dry run of scinet-testbed (16 hosts), threshold+compressed+least-loaded: ${stats(dry.result.overheadMs)} (target < 10 ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  faultSuite(log);
}
