// Malformed copies written to a temp dir: exact error text, lenient skip counts, missing-value handling.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { dataFile } from "../helpers/data.ts";
import {
  detectFormat, readAzureLlmArrivals, readAzureVmCpu, readBitbrains, readGoogle2019Usage, readPlainSeries, readSeries, TraceRowError,
} from "../../workloads/traces/index.ts";

const dir = mkdtempSync(join(tmpdir(), "cotwin-traces-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** Replaces field `col` (0-based) of 1-based line `line`. */
function corrupt(text: string, line: number, col: number, value: string, sep: string): string {
  const lines = text.split("\n");
  const f = lines[line - 1].split(sep);
  f[col] = value;
  lines[line - 1] = f.join(sep);
  return lines.join("\n");
}

test("bitbrains copy with a bad number: exact message; lenient skips it and the hole becomes a gap", async (t) => {
  const src = dataFile(t, "bitbrains", "bitbrains/bitbrains.csv");
  if (!src) return;
  const f = write("bitbrains.csv", corrupt(readFileSync(src, "utf8"), 17, 3, "\tabc", ";"));
  await assert.rejects(readBitbrains(f), (e: unknown) => {
    assert.ok(e instanceof TraceRowError);
    assert.equal(e.message, 'bitbrains.csv:17: column "CPU usage [MHZ]": expected a number, got "abc"');
    assert.deepEqual([e.line, e.column], [17, "CPU usage [MHZ]"]);
    return true;
  });
  const s = await readBitbrains(f, { lenient: true });
  assert.equal(s.rows, 8618);
  assert.equal(s.skippedRows, 1);
  assert.deepEqual(s.skippedErrors, ['bitbrains.csv:17: column "CPU usage [MHZ]": expected a number, got "abc"']);
  assert.equal(s.gapCount, 22); // the 21 of the original file plus the skipped sample
});

test("bitbrains: wrong column count and header checks", async () => {
  const header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";
  const row = (t: number) => `${t};\t1;\t2600;\t26;\t1.0;\t2097152.0;\t1000;\t0.0;\t1.0;\t0.0;\t0.0`;
  const f = write("short.csv", [header, row(0), row(300), "600;\t1;\t2600", row(900)].join("\n") + "\n");
  await assert.rejects(readBitbrains(f), { message: "short.csv:4: expected 11 columns, got 3" });
  const lenient = await readBitbrains(f, { lenient: true });
  assert.deepEqual([lenient.rows, lenient.skippedRows, lenient.gapCount], [3, 1, 1]);
  const back = write("back.csv", [header, row(0), row(300), row(300)].join("\n"));
  await assert.rejects(readBitbrains(back), { message: 'back.csv:4: column "Timestamp [ms]": expected a time after the previous row\'s, got "300"' });
  await assert.rejects(readBitbrains(f, { column: "CPU speed" }), /short\.csv:1: unknown column "CPU speed"; columns are: Timestamp \[ms\], CPU cores/);
});

const GOOGLE_HEADER = "time,unique_id,collection_id,instance_index,priority,scheduling_class,machine_id,alloc_collection_id,alloc_instance_index,collection_type,avg_cpu_usage,avg_memory_usage,max_cpu_usage,max_memory_usage,random_sample_cpu_usage,assigned_memory,sample_rate,p0_cpu_usage,p10_cpu_usage,p20_cpu_usage,p30_cpu_usage,p40_cpu_usage,p50_cpu_usage,p60_cpu_usage,p70_cpu_usage,p80_cpu_usage,p90_cpu_usage,p91_cpu_usage,p92_cpu_usage,p93_cpu_usage,p94_cpu_usage,p95_cpu_usage,p96_cpu_usage,p97_cpu_usage,p98_cpu_usage,p99_cpu_usage,memory_limit,cpu_limit,abstract_usage,abstract_limit";
function googleRow(tS: number, avg: number, max = avg): string {
  const f = new Array<string>(40).fill("0.5");
  f[0] = String(tS * 1e6);
  f[1] = "113-7";
  f[10] = String(avg);
  f[12] = String(max);
  return f.join(",");
}

test("google2019: synthetic file with records inside a window, a gap and malformed rows", async () => {
  // Windows: [300,600) one record; [600,900) records of 100 s (0.1) and 200 s (0.4); [900,1200) none; [1200,1500) one.
  const rows = [googleRow(300, 0.2), googleRow(600, 0.1, 0.9), googleRow(700, 0.4, 0.5), googleRow(1200, 0.3)];
  const f = write("g.csv", [GOOGLE_HEADER, ...rows].join("\n") + "\n");
  expectSeries(await readGoogle2019Usage(f), [300, 600, 900, 1200], [0.2, (100 * 0.1 + 200 * 0.4) / 300, NaN, 0.3], [1, 1, 0, 1]);
  expectSeries(await readGoogle2019Usage(f, { column: "max_cpu_usage" }), [300, 600, 900, 1200], [0.2, 0.9, NaN, 0.3], [1, 1, 0, 1]);
  const bad = write("g-bad.csv", [GOOGLE_HEADER, rows[0], rows[1].replace(",0.1,", ",x,"), rows[2], googleRow(650, 0.2), rows[3]].join("\n"));
  await assert.rejects(readGoogle2019Usage(bad), { message: 'g-bad.csv:3: column "avg_cpu_usage": expected a number, got "x"' });
  const s = await readGoogle2019Usage(bad, { lenient: true });
  assert.equal(s.skippedRows, 2);
  assert.equal(s.skippedErrors[1], 'g-bad.csv:5: column "time": expected a time not before the previous row\'s, got "650000000"');
  await assert.rejects(readGoogle2019Usage(f, { column: "unique_id" }), { message: 'g.csv:1: column "unique_id" is not numeric' });
});

function expectSeries(s: { times: Float64Array; values: Float64Array; mask: Uint8Array }, times: number[], values: number[], mask: number[]): void {
  assert.deepEqual([...s.times], times);
  assert.deepEqual([...s.mask], mask);
  values.forEach((v, i) => {
    if (Number.isNaN(v)) assert.ok(Number.isNaN(s.values[i]), `value ${i} should be NaN`);
    else assert.ok(Math.abs(s.values[i] - v) < 1e-12, `value ${i}: ${s.values[i]} != ${v}`);
  });
}

test("plain series: -1 markers and time gaps, masked or interpolated, never zeros", async () => {
  // Step 60 s; 60 s is a -1 marker, 180 s is absent, 0 s is a leading marker.
  const f = write("load.txt", "datetime\tdata_hourly\n0\t-1\n60\t-1.0\n120\t3\n240\t5\n300\t2\n");
  const m = await readPlainSeries(f);
  expectSeries(m, [0, 60, 120, 180, 240, 300], [NaN, NaN, 3, NaN, 5, 2], [0, 0, 1, 0, 1, 1]);
  assert.deepEqual([m.markerCount, m.gapCount, m.missingCount, m.rows, m.stepS], [2, 1, 3, 5, 60]);
  const i = await readPlainSeries(f, { missing: "interpolate" });
  // ends take the nearest observed value; inside, linear in time
  expectSeries(i, [0, 60, 120, 180, 240, 300], [3, 3, 3, 4, 5, 2], [0, 0, 1, 0, 1, 1]);
  const none = await readPlainSeries(f, { missingMarker: null });
  assert.equal(none.values[0], -1);
  await assert.rejects(readSeries(f, { missing: "zero" as "mask" }), { message: 'missing: expected "mask" or "interpolate", got "zero"' });
});

test("plain series: date-times, headerless comma files and error messages", async () => {
  const f = write("aa.txt", "datetime\tdata_hourly\n2013-01-01 00:00:00\t2.0\n2013-01-01 01:00:00\t\n2013-13-01 02:00:00\t1\n2012-12-31 23:00:00\t1\n2013-01-01 04:00:00\t4\n");
  await assert.rejects(readPlainSeries(f), { message: 'aa.txt:3: column "data_hourly": expected a number, got ""' });
  const s = await readPlainSeries(f, { lenient: true });
  assert.deepEqual(s.skippedErrors, [
    'aa.txt:3: column "data_hourly": expected a number, got ""',
    'aa.txt:4: column "datetime": expected a date-time "YYYY-MM-DD HH:MM:SS", got "2013-13-01 02:00:00"',
    'aa.txt:5: column "datetime": expected a time after the previous row\'s, got "2012-12-31 23:00:00"',
  ]);
  assert.deepEqual([s.rows, s.skippedRows], [2, 3]);
  assert.equal(s.stepS, 4 * 3600); // only two rows survive: their spacing is the median
  const csv = write("series.csv", "0,1.5\n10,2.5\n20,3.5\n");
  const c = await readSeries(csv);
  assert.deepEqual([c.format, c.rows, c.column, c.stepS, c.values[0]], ["plain", 3, "value", 10, 1.5]);
});

test("gzip is detected from the content: line numbers in errors are the same", async () => {
  const text = "datetime\tdata_hourly\n0\t1\n3600\tabc\n";
  const f = write("load.txt.gz", gzipSync(text));
  await assert.rejects(readSeries(f), { message: 'load.txt.gz:3: column "data_hourly": expected a number, got "abc"' });
  const cpu = write("vm_cpu_readings-test.csv.gz", gzipSync("0,vmA,1,3,2\n0,vmB,1,5,4\n300,vmA,1,3,2.5\n600,vmA,1,3,x\n900,vmA,1,3,3\n"));
  await assert.rejects(readAzureVmCpu(cpu), { message: 'vm_cpu_readings-test.csv.gz:4: column "avg_cpu": expected a number, got "x"' });
  const r = await readAzureVmCpu(cpu, { lenient: true });
  assert.deepEqual(r.vmIds, ["vmA", "vmB"]);
  expectSeries(r.series.get("vmA")!, [0, 300, 600, 900], [2, 2.5, NaN, 3], [1, 1, 0, 1]);
  assert.equal(r.skippedRows, 1);
  const b = await readSeries(cpu, { vm: "vmB", lenient: true });
  assert.equal(b.values[0], 4);
  await assert.rejects(readSeries(cpu, { vm: "vmC", lenient: true }), { message: 'vm_cpu_readings-test.csv.gz: no readings for VM "vmC"' });
  const whole = gzipSync("t\tv\n" + "0\t1\n".repeat(1000));
  const cut = write("cut.txt.gz", whole.subarray(0, whole.length - 8));
  await assert.rejects(readPlainSeries(cut, { lenient: true }), { message: "cut.txt.gz: unexpected end of file (corrupt or truncated gzip)" });
});

test("azure LLM trace: bad tokens and timestamps", async () => {
  const f = write("llm.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n2023-11-16 18:17:04.0319600,-5,8\n2023-11-16 18:17:03.5,1,1\n2023-11-16 18:17:05,7,2\n");
  await assert.rejects(readAzureLlmArrivals(f), { message: 'llm.csv:3: column "ContextTokens": expected a non-negative integer, got "-5"' });
  const r = await readAzureLlmArrivals(f, { lenient: true });
  assert.equal(r.skippedRows, 2);
  assert.equal(r.skippedErrors[1], 'llm.csv:4: column "TIMESTAMP": expected a time not before the previous row\'s, got "2023-11-16 18:17:03.5"');
  assert.deepEqual([...r.contextTokens], [4808, 7]);
  assert.ok(Math.abs(r.times[1] - 1.02004) < 1e-12);
  const wrong = write("notllm.csv", "time,tokens\n1,2\n");
  await assert.rejects(readAzureLlmArrivals(wrong), /notllm\.csv:1: not an Azure LLM inference trace/);
});

test("format detection and unreadable files", async () => {
  assert.equal(await detectFormat(write("x.csv", `${GOOGLE_HEADER}\n`)), "google2019");
  assert.equal(await detectFormat(write("vmtable.csv", "a,b,c,0,1,2,3,4,x,1,2\n")), "azure-vm-table");
  await assert.rejects(readSeries(join(dir, "vmtable.csv")), { message: "vmtable.csv: a VM table is not a time series; use readAzureVmTable" });
  await assert.rejects(readSeries(write("odd.dat", "a;b;c\n")), /odd\.dat: cannot tell the trace format/);
  await assert.rejects(readSeries(join(dir, "absent.csv")), /ENOENT/);
});
