/**
 * `cotwin bench` on the command line: bad flags are one line with exit code 2 before any run; a
 * small matrix prints its table; `--compare` reports what changed between two result sets, with
 * the cost difference worked out by hand (static provisioning bills every host for the whole
 * simulated time, the drain after the arrivals included).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { cli } from "../helpers/cli.ts";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "cotwin-bench-"));

test("bad flags fail with one line naming the flag, exit code 2, nothing run", async () => {
  const out = tmp();
  const cases: Array<[string[], RegExp]> = [
    [["bench", "--seeds", "5..1", "--out", out], /--seeds: range "5\.\.1" runs backwards/],
    [["bench", "--policies", "first-fit,least-loaded", "--reference", "oracle", "--out", out], /--reference oracle is not one of --policies \(first-fit, least-loaded\)/],
    [["bench", "--policies", "first-fit,nope", "--out", out], /unknown policy "nope"/],
    [["bench", "--workers", "0", "--out", out], /--workers must be a positive integer, got "0"/],
    [["bench", "--scenarios", "nowhere.yaml", "--out", out], /nowhere\.yaml/],
    [["bench"], /--out is required/],
    [["bench", "--compare", out], /--compare needs two result directories, got 1/],
    [["bench", "--compare", out, tmp()], /cannot read .*matrix\.json: no such file/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.deepEqual(readdirSync(out), [], "nothing was written");
  assert.equal(existsSync(path.join(out, "matrix.json")), false);
  const full = tmp();
  writeFileSync(path.join(full, "notes.txt"), "mine");
  const r = await cli(["bench", "--out", full, "--policies", "first-fit", "--seeds", "1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out .*: is not empty and is not a matrix directory of cotwin bench \(one with matrix\.json\); refusing to overwrite it/);
});

test("a small matrix prints its table and --compare shows the change; cost for 20 vs 30 intervals by hand", { timeout: 60_000 }, async () => {
  const a = tmp();
  const b = tmp();
  const common = ["bench", "--scenarios", "scinet-testbed", "--policies", "first-fit,least-loaded", "--seeds", "1..3", "--workers", "2", "--no-report"];
  const ra = await cli([...common, "--intervals", "20", "--out", a]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.match(ra.stdout, /^6 runs \(6 made now, 0 reused\)/);
  assert.match(ra.stdout, /first-fit +.* reference\n/);
  const rb = await cli([...common, "--intervals", "30", "--out", b, "--json"]);
  assert.equal(rb.code, 0, rb.stderr);
  const jb = JSON.parse(rb.stdout);
  assert.equal(jb.runs, 6);
  // 8 B2s at 0.0416 USD/h and 8 B2ms at 0.0832 USD/h billed for 30 intervals of 5 s
  // 8 B2s at 0.0416 USD/h and 8 B2ms at 0.0832 USD/h, billed for every simulated second of each run
  const USD_PER_S = (8 * 0.0416 + 8 * 0.0832) / 3600;
  const costs = (dir: string) =>
    readdirSync(path.join(dir, "runs"))
      .map((f) => JSON.parse(readFileSync(path.join(dir, "runs", f), "utf8")))
      .filter((r) => r.policy === "first-fit")
      .map((r) => {
        assert.ok(Math.abs(r.summary.costUSD - USD_PER_S * r.summary.simulatedS) < 1e-12, `cost of seed ${r.seed}`);
        assert.ok(r.summary.simulatedS >= 5 * r.summary.intervals, "the drain adds time, never removes it");
        return r.summary.costUSD as number;
      });
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const ca = costs(a);
  const cb = costs(b);
  assert.equal(cb.length, 3);
  const costB = jb.cells.find((c: { metric: string; policy: string }) => c.metric === "cost" && c.policy === "first-fit");
  assert.ok(Math.abs(costB.mean - mean(cb)) < 1e-12, String(costB.mean));

  const r = await cli(["bench", "--compare", a, b, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.ok(c.changes.includes("intervals: 20 -> 30"), c.changes.join("; "));
  assert.ok(c.changes.some((x: string) => /^scenario scinet-testbed: config \w+ -> \w+$/.test(x)));
  const cost = c.rows.find((x: { metric: string; policy: string }) => x.metric === "cost" && x.policy === "first-fit");
  assert.ok(Math.abs(cost.difference.value - (mean(cb) - mean(ca))) < 1e-12);
  assert.ok(Math.abs(cost.relative.value - (mean(cb) / mean(ca) - 1)) < 1e-12);
  // clearly more: 30 intervals of arrivals against 20, whatever the drains (a few intervals each)
  assert.ok(mean(cb) / mean(ca) > 1.3, String(mean(cb) / mean(ca)));
  // the default objective, money per request, is non-negative: it gets a relative change
  const objective = c.rows.find((x: { metric: string }) => x.metric === "objective");
  assert.ok(objective.relative && Number.isFinite(objective.relative.value), "money per request has a relative change");

  const text = await cli(["bench", "--compare", a, b]);
  assert.match(text.stdout, /changed: intervals: 20 -> 30/);
  assert.match(text.stdout, /scinet-testbed · first-fit\n/);
  assert.match(text.stdout, /\ncost .* \+\d+(\.\d+)? % ± /);

  // the result directory is re-usable: the same command reuses every run
  const again = await cli([...common, "--intervals", "20", "--out", a]);
  assert.match(again.stdout, /^6 runs \(0 made now, 6 reused\)/);
  // and the per-metric tables carry their provenance
  const csv = readFileSync(path.join(a, "tables", "cost.csv"), "utf8").split("\n");
  assert.equal(csv[0], "scenario,policy,n,mean,ci95,sd,reference,diff,diffCi95,relChange,relChangeCi95,relNote,unit,lowerIsBetter,seeds,configHash,version");
  assert.match(csv[1], /^scinet-testbed,first-fit,3,.*,first-fit,0,,,,reference,USD,true,1\.\.3,[0-9a-f]{64},\d+\.\d+\.\d+$/);
});
