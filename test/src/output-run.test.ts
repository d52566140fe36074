import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { renderReport } from "../../src/output/report.ts";
import { RUN_FILES, writeRunDirectory } from "../../src/output/run-dir.ts";
import type { HostRow, IntervalRow, RequestRow, RunRecord } from "../../simulator/summary.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-run-"));
}

function makeRecord(opts: { scenario?: string; intervals?: number; hosts?: number } = {}): RunRecord {
  const n = opts.intervals ?? 24;
  const intervals: IntervalRow[] = Array.from({ length: n }, (_, i) => ({
    interval: i,
    startS: i * 300,
    endS: (i + 1) * 300,
    energyKWh: 0.5 + (i % 5) / 10,
    costUSD: 0.12 + (i % 3) / 100,
    arrived: 40 + (i % 7),
    completed: 38 + (i % 5),
    late: i % 4,
    rejected: i === 3 ? 2 : 0,
    failed: 0,
    pending: i % 6,
    running: 10 + (i % 4),
    drain: i >= n - 1 ? 1 : 0,
    meanResponseS: i === 5 ? NaN : 1.5 + (i % 3) / 10,
    meanAccuracy: 0.9,
    hostsOn: 4 + (i % 2),
    meanUtilisation: 0.6 + (i % 4) / 20,
    decisionMs: 0.25 * (1 + (i % 3)),
  }));
  const requests: RequestRow[] = [
    { id: 0, app: "detect", variant: "yolo-s", arrivalS: 1.5, deadlineS: 4.5, startS: 1.6, endS: 3.1, responseS: 1.6, status: "completed", late: false, accuracy: 0.91, hosts: "h0" },
    { id: 1, app: "detect", variant: "yolo,x", arrivalS: 2, deadlineS: 5, startS: 2.1, endS: 6, responseS: 4, status: "completed", late: true, accuracy: 0.95, hosts: "h0;h1" },
    { id: 2, app: "asr", variant: "base", arrivalS: 3, deadlineS: 6, startS: NaN, endS: NaN, responseS: NaN, status: "rejected", late: false, accuracy: NaN, hosts: "" },
  ];
  const hosts: HostRow[] = Array.from({ length: opts.hosts ?? 3 }, (_, h) => ({
    host: h,
    name: `h${h}`,
    size: h % 2 ? "m5.large" : "m5.xlarge",
    energyKWh: 2 + h / 3,
    costUSD: 1 + h / 7,
    billedS: 7200,
    busyS: 3600 + h,
    meanUtilisation: 0.5,
    fragmentsCompleted: 100 + h,
    boots: 1,
    failures: 0,
  }));
  return {
    config: { scenario: opts.scenario ?? "edge-small", hosts: 3, policy: { name: "greedy" } },
    summary: {
      scenario: opts.scenario ?? "edge-small",
      policy: "greedy",
      seed: 7,
      version: "0.1.0",
      simulatedS: n * 300,
      intervals: n - 1,
      drainIntervals: 1,
      objectiveName: "usd-per-request",
      objective: 12.5,
      usdPerRequest: 12.5,
      costUSD: 3.12,
      energyKWh: 16.8,
      energyUSD: 2.184,
      penaltyUSD: 0.76,
      accuracyLossUSD: 0,
      meanResponseS: 1.6,
      p95ResponseS: 2.9,
      violationRate: 0.076,
      lateRate: 0.0375,
      meanAccuracy: 0.9,
      requests: { arrived: 1000, completed: 960, late: 36, rejected: 20, failed: 5, unfinished: 15 },
      decisionRejections: { "host full": 3, "unknown variant": 1 },
      events: 54321,
      decisionMs: { p50: 0.5, p99: 0.75 },
      wallMs: 1234.5,
    },
    intervals,
    requests,
    hosts,
  };
}

const meta = { version: "0.1.0", seed: 7, command: ["simulate", "edge-small", "--seed", "7"] };

function readAll(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

test("writeRunDirectory creates the directory with all files and nothing else", async () => {
  const dir = path.join(tempDir(), "nested", "run");
  const written = await writeRunDirectory(dir, makeRecord(), meta);
  assert.deepEqual(written, RUN_FILES.map((f) => path.join(dir, f)));
  assert.deepEqual(fs.readdirSync(dir).sort(), [...RUN_FILES].sort());

  const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.deepEqual(config, { cotwinRun: 1, version: "0.1.0", seed: 7, config: makeRecord().config });

  const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
  assert.equal(summary.energyKWh, 16.8);
  assert.equal("wallMs" in summary, false);
  assert.equal("decisionMs" in summary, false);

  const info = JSON.parse(fs.readFileSync(path.join(dir, "run-info.json"), "utf8"));
  assert.deepEqual(info.command, meta.command);
  assert.equal(info.node, process.version);
  assert.equal(info.wallMs, 1234.5);
  assert.deepEqual(info.decisionMs, { p50: 0.5, p99: 0.75 });
  assert.equal(info.intervalDecisionMs.length, 24);
  assert.ok(!Number.isNaN(Date.parse(info.writtenAt)));
});

test("the CSV files have a fixed header and hand-checked rows", async () => {
  const dir = tempDir();
  await writeRunDirectory(dir, makeRecord({ intervals: 6 }), meta);
  const intervals = fs.readFileSync(path.join(dir, "intervals.csv"), "utf8").split("\n");
  assert.equal(
    intervals[0],
    "interval,startS,endS,energyKWh,costUSD,arrived,completed,late,rejected,failed,pending,running,drain,meanResponseS,meanAccuracy,hostsOn,meanUtilisation",
  );
  // interval 5: energy 0.5 + 0/10, cost 0.12 + 2/100, response NaN -> empty, utilisation 0.6 + 1/20
  assert.equal(intervals[6], "5,1500,1800,0.5,0.14,45,38,1,0,0,5,11,1,,0.9,5,0.65");
  assert.equal(intervals.length, 8); // header, 6 rows, final empty string after the last newline
  const requests = fs.readFileSync(path.join(dir, "requests.csv"), "utf8");
  assert.equal(
    requests,
    "id,app,variant,arrivalS,deadlineS,startS,endS,responseS,status,late,accuracy,hosts\n" +
      "0,detect,yolo-s,1.5,4.5,1.6,3.1,1.6,completed,false,0.91,h0\n" +
      '1,detect,"yolo,x",2,5,2.1,6,4,completed,true,0.95,h0;h1\n' +
      "2,asr,base,3,6,,,,rejected,false,,\n",
  );
  const hosts = fs.readFileSync(path.join(dir, "hosts.csv"), "utf8").split("\n");
  assert.equal(hosts[0], "host,name,size,energyKWh,costUSD,billedS,busyS,meanUtilisation,fragmentsCompleted,boots,failures");
  // host 1: energy 2 + 1/3, cost 1 + 1/7, both to 12 significant digits
  assert.equal(hosts[2], "1,h1,m5.large,2.33333333333,1.14285714286,7200,3601,0.5,101,1,0");
});

test("the same RunRecord written twice gives byte-identical files except run-info.json", async () => {
  const a = tempDir();
  const b = tempDir();
  await writeRunDirectory(a, makeRecord(), meta);
  const first = readAll(a);
  await new Promise((resolve) => setTimeout(resolve, 5)); // a different clock reading
  await writeRunDirectory(b, makeRecord(), { ...meta, command: ["simulate", "--out", b] });
  await writeRunDirectory(a, makeRecord(), meta); // overwriting its own run is allowed
  for (const files of [readAll(b), readAll(a)]) {
    assert.deepEqual([...files.keys()], [...first.keys()]);
    for (const [name, content] of files) {
      if (name === "run-info.json") continue;
      assert.equal(content, first.get(name), `${name} differs`);
    }
  }
});

test("a non-empty directory not written by cotwin is refused and left untouched", async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "thesis.tex"), "precious");
  await assert.rejects(writeRunDirectory(dir, makeRecord(), meta), {
    message:
      `--out ${dir}: is not empty and is not a run directory of cotwin (one with a config.json carrying the "cotwinRun" marker); ` +
      `refusing to overwrite it (choose a new or empty directory, or pass --force to write there anyway)`,
  });
  // a config.json without the marker is someone else's too
  fs.writeFileSync(path.join(dir, "config.json"), '{"hosts": 3}');
  await assert.rejects(writeRunDirectory(dir, makeRecord(), meta), /refusing to overwrite it/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "thesis.tex"]);
  assert.equal(fs.readFileSync(path.join(dir, "thesis.tex"), "utf8"), "precious");
});

test("a path that is a file is refused with its name", async () => {
  const file = path.join(tempDir(), "plain");
  fs.writeFileSync(file, "x");
  await assert.rejects(writeRunDirectory(file, makeRecord(), meta), {
    message: `--out ${file}: exists and is not a directory`,
  });
});

const CHART_TITLES = [
  "Energy per interval",
  "Cost per interval",
  "Cumulative energy",
  "Cumulative cost",
  "Requests per interval",
  "Pending and running at interval end",
  "Request outcomes",
  "Hosts on",
  "Mean utilisation of hosts on",
  "Mean response time per interval",
  "Mean accuracy per interval",
  "Completed requests over their deadline",
  "Decision rejections by reason",
];

test("the report has one <svg> per chart", () => {
  const html = renderReport(makeRecord());
  assert.equal(html.match(/<svg /g)?.length, CHART_TITLES.length);
  for (const title of CHART_TITLES) assert.ok(html.includes(`aria-label="${title}"`), title);
  assert.ok(!html.includes("NaN"));
});

test("the report holds no measured time: records differing only in wall and decision times render the same bytes", () => {
  const a = makeRecord();
  const b = makeRecord();
  b.summary.wallMs = 98_765.4;
  b.summary.decisionMs = { p50: 12.5, p99: 99.25 };
  b.intervals.forEach((r, i) => (r.decisionMs = 40 + i));
  assert.equal(renderReport(b), renderReport(a));
  assert.ok(!renderReport(a).includes("1234.5") && !renderReport(a).includes("1,234.5"));
});

test("the report escapes text from the run", () => {
  const html = renderReport(makeRecord({ scenario: '<b>&"x' }));
  assert.ok(!html.includes('<b>&"x'));
  assert.ok(html.includes("&lt;b&gt;&amp;&quot;x"));
  assert.match(html, /<title>cotwin report – &lt;b&gt;&amp;&quot;x · greedy<\/title>/);
});

test("the report is self-contained: no scripts, no external references", () => {
  const html = renderReport(makeRecord());
  assert.ok(!/https?:\/\//i.test(html));
  assert.ok(!/\s(src|href)\s*=/i.test(html));
  assert.ok(!/<script|<link|<iframe|@import|url\(/i.test(html));
});

test("the report renders empty runs and truncates long host lists with a note", () => {
  const empty = makeRecord({ intervals: 0, hosts: 0 });
  const html = renderReport(empty);
  assert.ok((html.match(/no data/g)?.length ?? 0) >= 10);
  assert.match(html, /No hosts\./);

  const many = renderReport(makeRecord({ hosts: 250 }));
  assert.match(many, /Showing the first 200 of 250 hosts; all are in hosts\.csv\./);
  assert.equal(many.match(/<tr><td class="t">/g)?.length, 200);
});
