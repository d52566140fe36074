/**
 * Documented size limits (simulator/limits.ts, README "Limits and errors"): an outsized run is
 * refused before anything is built, with an estimate worked out here by hand (about 700 bytes per
 * request, 250 per provider entity).
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { arrivalRates, checkTenantSize, LIMITS } from "../../simulator/limits.ts";
import { cli } from "../helpers/cli.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, body: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nintervalS: 5\n${body}\n`);
  return file;
}

const HOSTS = "hosts:\n  - size: Standard_B2s\n    count: 2";

test("the limits are the documented figures", () => {
  assert.deepEqual(
    { ...LIMITS },
    { intervals: 1_000_000, hosts: 100_000, requests: 2_000_000, workers: 64, providerEntities: 16_000_000, providerIntervals: 1_000_000 },
  );
});

test("rates x intervals: 20,000 x 200 = 4,000,000 requests is refused with its estimate (4e6 x 700 B = 2.8 GB); 10,000 x 200 passes", async () => {
  const f = scenario("many", `intervals: 200\n${HOSTS}\nworkload: {kind: poisson, ratePerInterval: 20000}`);
  const r = await cli(["simulate", "--scenario", f]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `cotwin: ${f}: workload.ratePerInterval x intervals (20,000 x 200) makes about 4,000,000 requests (about 2.8 GB of memory), above the limit of 2,000,000 per run; lower the rate or the intervals, or split the run\n`,
  );
  const at = { intervals: 200, hosts: [{ count: 2 }], workload: { kind: "poisson", ratePerInterval: 10_000 } };
  assert.doesNotThrow(() => checkTenantSize(at, "x"));
  // --intervals counts, not only the scenario's own
  assert.throws(() => checkTenantSize(at, "x", 201, "--intervals"), /x: workload\.ratePerInterval x --intervals \(10,000 x 201\) makes about 2,010,000 requests/);
});

test("one interval at the peak rate must fit too: bursty 1e9 and poisson 1e12 are refused at once", async () => {
  const bursty = scenario("burst", `intervals: 10\n${HOSTS}\nworkload: {kind: bursty, ratesPerInterval: [1, 1e9], meanDwellS: [1000, 1]}`);
  let r = await cli(["simulate", "--scenario", bursty]);
  assert.equal(r.code, 2);
  // 10^9 requests x 700 B = 700 GB
  assert.match(r.stderr, /workload\.ratesPerInterval \(one interval at 1,000,000,000\) makes about 1,000,000,000 requests \(about 700 GB of memory\)/);
  r = await cli(["simulate", "--scenario", scenario("huge", `intervals: 1\n${HOSTS}\nworkload: {kind: poisson, ratePerInterval: 1e12}`)]);
  assert.match(r.stderr, /about 1,000,000,000,000 requests \(about 700,000 GB of memory\)/);
  // the bursty mean is dwell-weighted: (1 x 1000 + 1e9 x 1) / 1001
  assert.equal(arrivalRates({ kind: "bursty", ratesPerInterval: [1, 1e9], meanDwellS: [1000, 1] })!.mean, (1000 + 1e9) / 1001);
  // a diurnal peak is rate x (1 + amplitude)
  assert.equal(arrivalRates({ kind: "diurnal", ratePerInterval: 100, amplitude: 0.5 })!.peak, 150);
});

test("intervals, hosts and workers", async () => {
  let r = await cli(["simulate", "--scenario", scenario("long", `intervals: 1000000000\n${HOSTS}\nworkload: {kind: poisson, ratePerInterval: 0}`)]);
  assert.match(r.stderr, /long\.yaml: intervals: 1,000,000,000 intervals is above the limit of 1,000,000 per run\n$/);
  r = await cli(["simulate", "--scenario", scenario("wide", "intervals: 10\nhosts:\n  - size: Standard_B2s\n    count: 60000\n  - size: Standard_B1s\n    count: 60000\nworkload: {kind: poisson, ratePerInterval: 1}")]);
  assert.match(r.stderr, /wide\.yaml: hosts: 120,000 hosts is above the limit of 100,000 per scenario\n$/);
  for (const args of [["bench", "--out", path.join(dir, "b"), "--workers", "65"], ["worker", "--queue", "redis://127.0.0.1:1", "--workers", "65"]]) {
    r = await cli(args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers: 65 worker threads is above the limit of 64/);
  }
  r = await cli(["oracle", "--scenario", "test/fixtures/tiny.yaml", "--out", path.join(dir, "o"), "--workers", "65"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--workers: at most 64 worker threads/);
});

test("provider view: hosts + VMs + cloudlets, and a trace's rows", async () => {
  // ladder step 12: 2,500 x 4,096 = 10,240,000 of each, 30,720,000 entities x 250 B = 7.7 GB
  let r = await cli(["simulate", "--scenario", "cloudsim-ladder-k12"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "cotwin: cloudsim-ladder-k12: 10,240,000 hosts + 10,240,000 VMs + 10,240,000 cloudlets = 30,720,000 entities (about 7.7 GB of memory), above the limit of 16,000,000 per run\n",
  );
  // a trace with more rows than a run may hold is refused while it is read
  const rows = ["TIMESTAMP,ContextTokens,GeneratedTokens"];
  for (let i = 0; i < 3; i++) rows.push(`2023-11-16 18:15:4${i},1,1`);
  const { readAzureLlmArrivals } = await import("../../workloads/traces/azure-llm.ts");
  const file = path.join(dir, "rows.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  await assert.rejects(readAzureLlmArrivals(file, { maxRows: 2 }), { message: 'rows.csv:4: more than 2 rows, the limit of one run (see "Limits and errors" in the README); use a part of the trace' });
});

test("data serverless estimates its invocations: 4 functions (2.75/s together) x 30 days = 7,128,000 pass, 8 functions do not", async () => {
  const out = path.join(dir, "s.csv");
  const r = await cli(["data", "serverless", "--out", out, "--functions", "8", "--duration", "2592000"]);
  assert.equal(r.code, 2);
  // 2 x 2.75 /s x 2,592,000 s = 14,256,000 invocations; x 400 B = 5.7 GB
  assert.equal(r.stderr, "cotwin data: --functions 8 --duration 2592000: about 14,256,000 invocations (about 5.7 GB of memory), above the limit of 10,000,000; fewer functions or a shorter duration\n");
  const over = await cli(["data", "serverless", "--out", out, "--duration", "2592001"]);
  assert.match(over.stderr, /--duration: 2,592,001 s is above the limit of 2,592,000 s \(30 days\)/);
});
