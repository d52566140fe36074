/**
 * A user's own policy from a file (`--policy ./my-policy.ts`): the README's example runs as
 * printed; bad files are clear errors naming the file; a decide() that throws is reported with
 * the interval and the file, and the run directory says the run did not finish.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { cli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/data.ts";

const P = "test/fixtures/policies";

test("the README's policy example is the fixture, and it runs: every request served compressed", async () => {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const block = /```ts\n\/\/ my-policy\.ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "README has a ```ts block starting with // my-policy.ts");
  assert.equal(block[1], readFileSync(path.join(repoRoot, P, "my-policy.ts"), "utf8"));
  const r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", `${P}/my-policy.ts`, "--intervals", "40", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.policy, `${P}/my-policy.ts`);
  // all 16 hosts stay on and have room: nothing is rejected, and every request arrived in the
  // first 39 intervals was deployed (those of the last interval may still run)
  assert.equal(s.requests.rejected, 0);
  assert.ok(s.requests.completed > 0);
  assert.equal(s.decisionRejections && Object.keys(s.decisionRejections).length, 0);
});

test("a missing file, no default export, a wrong shape: exit 2, naming the file", async () => {
  let r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", `${P}/nope.ts`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin: policy file ${P}/nope.ts: no such file\n`);
  r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", `${P}/no-default.mjs`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin: policy file ${P}/no-default.mjs: no default export (export default a function (ctx) => Policy)\n`);
  r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", `${P}/wrong-shape.ts`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin: policy file ${P}/wrong-shape.ts: the Policy it builds has no decide() or clone() method\n`);
});

test("a decide() that throws: exit 1, interval and file named; the run directory is marked unfinished", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-user-policy-"));
  const out = path.join(dir, "run");
  try {
    const r = await cli(["simulate", "--scenario", "scinet-testbed", "--policy", `${P}/throws.ts`, "--out", out]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `cotwin: the run did not finish: policy file ${P}/throws.ts (fails-at-3) threw at interval 3 (t=15 s): out of ideas; ${out} records the unfinished run (3 interval(s), run-info.json: "finished": false)\n`,
    );
    const info = JSON.parse(readFileSync(path.join(out, "run-info.json"), "utf8"));
    assert.equal(info.finished, false);
    assert.equal(info.intervalsDone, 3);
    assert.equal(existsSync(path.join(out, "summary.json")), false);
    assert.equal(readFileSync(path.join(out, "intervals.csv"), "utf8").trim().split("\n").length, 1 + 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
