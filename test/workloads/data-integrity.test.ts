/**
 * A run checks a data set before it uses it: a truncated or changed file in the data directory is
 * an error naming the file and the command that fetches it again (it would otherwise run quietly
 * with another trace: a truncated bitbrains.csv gave 950 requests instead of 10,328). Trace edge
 * cases are errors that name the file and line, and a byte-order mark means the same in JSON as
 * in YAML.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { runDataCommand } from "../../src/commands/data.ts";
import { findDataset } from "../../workloads/data.ts";
import { cli } from "../helpers/cli.ts";
import { sharedDataDir } from "../helpers/data.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-integrity-"));
const data = path.join(dir, "data");
const bitbrains = path.join(data, "bitbrains", "bitbrains.csv");
const catalogued = findDataset("bitbrains").files[0];
// where the real samples are, read before this file points COTWIN_DATA_DIR elsewhere
const shared = sharedDataDir();
let saved: string | undefined;

before(() => {
  saved = process.env.COTWIN_DATA_DIR;
  process.env.COTWIN_DATA_DIR = data;
  mkdirSync(path.dirname(bitbrains), { recursive: true });
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.COTWIN_DATA_DIR;
  else process.env.COTWIN_DATA_DIR = saved;
});

test("a truncated bitbrains.csv is refused before the run, naming the file, its size and the fetch command", async (t) => {
  const real = shared && path.join(shared, "bitbrains", "bitbrains.csv");
  // the real file cut to its first 100,000 bytes, or (without the sample) as many bytes of anything
  writeFileSync(bitbrains, real ? readFileSync(real).subarray(0, 100_000) : Buffer.alloc(100_000, 48));
  const r = await cli(["simulate", "--scenario", "bitbrains-50"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `cotwin: built-in scenario bitbrains-50: workload.source: data set "bitbrains": ${bitbrains} has 100000 bytes, the catalogue's copy 1010846 (truncated or changed); ` +
      "run `npx cotwin data fetch bitbrains` to fetch it again (or set COTWIN_DATA_DIR to where it is)\n",
  );
  // the same file named by its path is checked the same way
  const byPath = path.join(dir, "by-path.yaml");
  writeFileSync(byPath, readFileSync("simulator/scenarios/bitbrains-50.yaml", "utf8").replace("source: bitbrains", `source: ${bitbrains}`));
  assert.match((await cli(["simulate", "--scenario", byPath])).stderr, /has 100000 bytes, the catalogue's copy 1010846/);

  // the right size but other bytes: the SHA-256 tells
  writeFileSync(bitbrains, Buffer.alloc(catalogued.bytes, 48));
  const same = await cli(["simulate", "--scenario", "bitbrains-50"]);
  assert.equal(same.code, 2);
  assert.match(same.stderr, /bitbrains\.csv has the catalogued size but not its SHA-256 \(changed or corrupt\); run `npx cotwin data fetch bitbrains`/);

  // data list calls it damaged, not absent, and says what is wrong
  let out = "";
  await runDataCommand(["list"], { out: (s) => (out += s), err: () => undefined });
  assert.match(out, /\n {2}bitbrains {7}damaged /);
  assert.match(out, /bitbrains\.csv has the catalogued size but not its SHA-256/);

  if (!real) return t.skip("bitbrains sample absent: the intact case is not run");
  copyFileSync(real, bitbrains);
  const ok = await cli(["simulate", "--scenario", "bitbrains-50", "--intervals", "3", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
});

/** A demand-mode scenario over a Bitbrains-format file with the given CPU % values. */
function demandScenario(name: string, cpu: number[]): string {
  const header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";
  const rows = cpu.map((c, i) => [1376314846 + 300 * i, 1, 2600, 26 * c, c, 2097152, 110448, 0, 1, 0, 0].join(";\t"));
  const file = path.join(dir, `${name}.csv`);
  writeFileSync(file, [header, ...rows].join("\n") + "\n");
  const scenario = path.join(dir, `${name}.yaml`);
  writeFileSync(scenario, `name: ${name}\nintervalS: 300\nintervals: 3\nhosts:\n  - size: Standard_B2s\nworkload: {kind: trace, source: ${file}, mode: demand, column: "CPU usage [%]", vcpusPerUnit: 0.01}\n`);
  return scenario;
}

test("negative utilisation is an error with its count and first time, not rows dropped quietly", async () => {
  const s = demandScenario("negative", [5, -3, 7, -1, 9]);
  const r = await cli(["simulate", "--scenario", s]);
  assert.equal(r.code, 2);
  // second point: 300 s after the first (1376314846 + 300)
  assert.equal(r.stderr, `cotwin: ${s}: workload.source: negative.csv: 2 negative value(s) in column "CPU usage [%]" (the first at t=1376315146 s, -3); utilisation cannot be negative\n`);
  const fine = await cli(["simulate", "--scenario", demandScenario("positive", [5, 3, 7]), "--json"]);
  assert.equal(fine.code, 0, fine.stderr);
});

test("a header-only trace is an error, not a run of 0 requests", async () => {
  const s = demandScenario("no-rows", []);
  const r = await cli(["simulate", "--scenario", s]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin: ${s}: workload.source: no-rows.csv has a header but no rows\n`);
});

test("a scenario in JSON with a byte-order mark reads like the same YAML with one", async () => {
  const body = { name: "bom", intervalS: 5, intervals: 3, hosts: [{ size: "Standard_B2s" }], workload: { kind: "poisson", ratePerInterval: 1 } };
  const json = path.join(dir, "bom.json");
  const yaml = path.join(dir, "bom.yaml");
  writeFileSync(json, "\ufeff" + JSON.stringify(body));
  writeFileSync(yaml, "\ufeff" + "name: bom\nintervalS: 5\nintervals: 3\nhosts:\n  - size: Standard_B2s\nworkload: {kind: poisson, ratePerInterval: 1}\n");
  const a = await cli(["simulate", "--scenario", json, "--json"]);
  const b = await cli(["simulate", "--scenario", yaml, "--json"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const strip = (s: string) => {
    const o = JSON.parse(s);
    delete o.wallMs;
    delete o.decisionMs;
    return o;
  };
  assert.deepEqual(strip(a.stdout), strip(b.stdout));
});
