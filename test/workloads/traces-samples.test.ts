// Readers against every shared sample. Expected numbers were obtained independently of the readers:
// by awk/python over the raw files (counts, sums) or by reading the raw text in the test itself.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { test } from "node:test";
import { dataFile } from "../helpers/data.ts";
import {
  readAzureLlmArrivals, readAzureVmCpu, readAzureVmTable, readBitbrains, readGoogle2019Usage, readPlainSeries, readSeries,
} from "../../workloads/traces/index.ts";

const GOOGLE = "google2019/job113/";
/** file -> [data rows, first slot, last slot] (awk over the raw CSVs) */
const GOOGLE_FILES: Record<string, [number, number, number]> = {
  "159-300000000-2678700000000.csv": [2703, 1, 8929],
  "75-300000000-2678700000000.csv": [4749, 1, 8929],
  "78-300000000-2678700000000.csv": [3626, 1, 8929],
  "82-300000000-1909049000000.csv": [5427, 1, 6363],
  "85-300000000-2678700000000.csv": [5212, 1, 8929],
  "88-300000000-2491800000000.csv": [4160, 1, 8306],
};

/** Windows in which no record starts, counted with a set of window indices (not the reader's sweep). */
function independentGoogleGaps(text: string): number {
  const slots = new Set<number>();
  const lines = text.trim().split("\n").slice(1);
  for (const l of lines) slots.add(Math.floor(Number(l.slice(0, l.indexOf(","))) / 300e6));
  const all = [...slots];
  return Math.max(...all) - Math.min(...all) + 1 - slots.size;
}

for (const [name, [rows, firstSlot, lastSlot]] of Object.entries(GOOGLE_FILES)) {
  test(`google2019 ${name}: rows, 300 s grid and gap count`, async (t) => {
    const file = dataFile(t, "google2019", GOOGLE + name);
    if (!file) return;
    const s = await readGoogle2019Usage(file);
    assert.equal(s.rows, rows);
    assert.equal(s.column, "avg_cpu_usage");
    assert.equal(s.stepS, 300);
    assert.equal(s.times.length, lastSlot - firstSlot + 1);
    assert.equal(s.times[0], firstSlot * 300);
    assert.equal(s.times[s.times.length - 1], lastSlot * 300);
    assert.equal(s.gapCount, independentGoogleGaps(readFileSync(file, "utf8")));
    assert.equal(s.markerCount, 0);
    assert.equal(s.missingCount, s.gapCount);
    let observed = 0;
    for (let i = 0; i < s.mask.length; i++) {
      observed += s.mask[i];
      assert.equal(Number.isNaN(s.values[i]), s.mask[i] === 0);
      if (i) assert.equal(s.times[i] - s.times[i - 1], 300);
    }
    assert.equal(observed, s.times.length - s.gapCount);
  });
}

test("google2019: known gap count, first/last values and a window of several records", async (t) => {
  const file = dataFile(t, "google2019", GOOGLE + "159-300000000-2678700000000.csv");
  if (!file) return;
  const s = await readSeries(file);
  assert.equal(s.format, "google2019");
  assert.equal(s.gapCount, 6235); // awk: 8929 windows, 2694 with a record
  assert.equal(s.values[0], 0.0240478515625);
  assert.equal(s.values[s.values.length - 1], 0.017578125);
  // Window [139200, 139500): records of 154, 6, 3, 6, 1 and 130 s (raw lines 466..471).
  const i = 139200 / 300 - 1;
  assert.equal(s.times[i], 139200);
  const expected = (154 * 0.015167236328125002 + 6 * 0.011062622070312 + 3 * 0.003532409667968 + 6 * 0 + 1 * 0 + 130 * 0.0379638671875) / 300;
  assert.ok(Math.abs(s.values[i] - expected) < 1e-15);
  // max_* columns take the maximum over the window's records.
  const m = await readSeries(file, { column: "max_cpu_usage" });
  assert.equal(m.values[i], 0.0833740234375);
  // Records at 661500, 661655 and 661661 s share a window; the last one lasts to the window's end
  // (139 s) because the next record starts 1,870,824 s later, at 2532485 s: every window between is missing.
  const k = 661500 / 300 - 1;
  assert.equal(s.mask[k], 1);
  assert.ok(Math.abs(s.values[k] - (155 * 0.014938354492187 + 6 * 0.014694213867187 + 139 * 0.0027885437011710003) / 300) < 1e-15);
  const resume = Math.floor(2532485 / 300) - 1;
  assert.equal(resume - k - 1, 6235);
  for (let j = k + 1; j < resume; j++) assert.equal(s.mask[j], 0);
  assert.equal(s.mask[resume], 1);
  const interp = await readSeries(file, { missing: "interpolate" });
  // Linear in time between the two observed neighbours.
  const frac = (interp.times[k + 100] - interp.times[k]) / (interp.times[resume] - interp.times[k]);
  assert.equal(interp.mask[k + 100], 0);
  assert.ok(Math.abs(interp.values[k + 100] - (s.values[k] + frac * (s.values[resume] - s.values[k]))) < 1e-15);
});

test("bitbrains.csv: 8619 rows, 21 missing windows, first and last values", async (t) => {
  const file = dataFile(t, "bitbrains", "bitbrains/bitbrains.csv");
  if (!file) return;
  const s = await readSeries(file);
  assert.equal(s.format, "bitbrains");
  assert.equal(s.column, "CPU usage [%]");
  assert.equal(s.rows, 8619);
  assert.equal(s.stepS, 300);
  // Independent: spacings of 600, 900, 1200, 1500 s (8, 3, 1, 1 times) hide 8 + 6 + 3 + 4 windows.
  const times = readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(";")[0]));
  let hidden = 0;
  for (let i = 1; i < times.length; i++) hidden += Math.max(0, Math.round((times[i] - times[i - 1]) / 300) - 1);
  assert.equal(hidden, 21);
  assert.equal(s.gapCount, 21);
  assert.equal(s.times.length, 8619 + 21);
  assert.equal(s.times[0], 1376314846);
  assert.equal(s.times[s.times.length - 1], 1378906798);
  assert.equal(s.values[0], 0.7333333333333333);
  assert.equal(s.values[s.values.length - 1], 0);
  const mhz = await readBitbrains(file, { column: "CPU usage [MHZ]" });
  assert.equal(mhz.values[0], 19.06666159933333);
});

test("vm-load/aa.txt: 13189 hourly values, 14 of them -1", async (t) => {
  const file = dataFile(t, "vm-load", "vm-load/aa.txt");
  if (!file) return;
  const s = await readSeries(file);
  assert.equal(s.format, "plain");
  assert.equal(s.column, "data_hourly");
  assert.equal(s.rows, 13189);
  assert.equal(s.times.length, 13189);
  assert.equal(s.stepS, 3600);
  assert.equal(s.markerCount, 14);
  assert.equal(s.gapCount, 0);
  assert.equal(s.missingCount, 14);
  assert.equal(s.times[0], Date.UTC(2013, 0, 1) / 1000);
  assert.equal(s.times[s.times.length - 1], Date.UTC(2014, 6, 4, 12) / 1000);
  assert.equal(s.values[0], 2);
  assert.equal(s.values[s.values.length - 1], 3);
  // Raw line 2192 ("2013-04-02 06:00:00\t-1.0") is index 2190; its neighbours are 4.0 and 7.0.
  assert.equal(s.mask[2190], 0);
  assert.ok(Number.isNaN(s.values[2190]));
  const i = await readPlainSeries(file, { missing: "interpolate" });
  assert.equal(i.values[2190], 5.5);
  assert.equal(i.mask[2190], 0);
  let minimum = Infinity;
  for (const v of i.values) minimum = Math.min(minimum, v);
  assert.ok(minimum >= 0, "no -1 left after interpolation");
});

test("azure-vm-2019 CPU readings: 100 VMs at timestamp 0, gzip read transparently", async (t) => {
  const file = dataFile(t, "azure-vm-2019", "azure-vm-2019/vm_cpu_readings-file-1-of-125.csv.gz");
  if (!file) return;
  const r = await readAzureVmCpu(file);
  assert.equal(r.rows, 100);
  assert.equal(r.vmIds.length, 100);
  const first = r.series.get("+ZcrOp5/c/fJ6mVgP5qMZlOAGDwyjaaDNM0WoWOt2IDb47gT0UwK9lFwkPQv3C7Q")!;
  assert.equal(first.values[0], 2.86979);
  assert.equal(first.times[0], 0);
  const max = await readSeries(file, { column: "max_cpu" });
  assert.equal(max.values[0], 3.911587);
  const raw = gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n");
  const last = raw[raw.length - 1].split(",");
  assert.equal(r.series.get(last[1])!.values[0], Number(last[4]));
});

test("azure-vm-2019 vmtable: 10 VMs with parsed buckets", async (t) => {
  const file = dataFile(t, "azure-vm-2019", "azure-vm-2019/vmtable.csv.gz");
  if (!file) return;
  const { vms, rows } = await readAzureVmTable(file);
  assert.equal(rows, 10);
  assert.equal(vms[0].vmId, "x/XsOfHO4ocsV99i4NluqKDuxctW2MMVmwqOPAlg4wp8mqbBOe3wxBlQo0+Qx+uf");
  assert.deepEqual([vms[0].createdS, vms[0].deletedS, vms[0].maxCpu, vms[0].category, vms[0].cores, vms[0].memoryGb], [0, 2591700, 99.369869, "Delay-insensitive", 1, 1.75]);
  assert.equal(vms.filter((v) => v.cores === 8).length, 4);
  assert.equal(vms.filter((v) => v.category === "Unkown").length, 2);
});

test("azure-llm-2023: 8819 requests over 3435.948056 s with exact token sums", async (t) => {
  const file = dataFile(t, "azure-llm-2023", "azure-llm-2023/AzureLLMInferenceTrace_code.csv");
  if (!file) return;
  const r = await readAzureLlmArrivals(file);
  assert.equal(r.rows, 8819);
  assert.equal(r.times[0], 0);
  // 19:14:19.9280160 - 18:17:03.9799600
  assert.ok(Math.abs(r.times[r.times.length - 1] - 3435.948056) < 1e-9);
  assert.ok(Math.abs(r.times[1] - 0.052) < 1e-9);
  assert.equal(r.startUtc, "2023-11-16T18:17:03.980Z");
  assert.deepEqual([r.contextTokens[0], r.generatedTokens[0]], [4808, 10]);
  assert.deepEqual([r.contextTokens[8818], r.generatedTokens[8818]], [549, 173]);
  let c = 0;
  let g = 0;
  for (let i = 0; i < r.rows; i++) {
    c += r.contextTokens[i];
    g += r.generatedTokens[i];
    if (i) assert.ok(r.times[i] >= r.times[i - 1]);
  }
  assert.deepEqual([c, g], [18059974, 245896]); // python over the raw CSV
});
