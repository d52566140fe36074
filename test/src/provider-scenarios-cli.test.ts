/** Provider-view built-ins through the command line: ladder steps by name, and the listing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";

test("cotwin simulate runs a ladder step by name (cloudsim-ladder-k1: 5,000 hosts = VMs = cloudlets)", async () => {
  const r = await cli(["simulate", "--scenario", "cloudsim-ladder-k1", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.scenario, "cloudsim-ladder-k1");
  // 2,500 * 2^1 cloudlets of 2 PEs x 10,000 MI on VMs of 1,000 MIPS: all done at 10 s
  assert.equal(s.requests.completed, 5000);
  assert.equal(s.meanResponseS, 10);
});

test("a ladder step past the last is a one-line error naming the range", async () => {
  const r = await cli(["simulate", "--scenario", "cloudsim-ladder-k17", "--json"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "cotwin: cloudsim-ladder-k17: the ladder has steps 0 to 16 (cloudsim-ladder-k0 .. cloudsim-ladder-k16)\n");
});

test("cotwin scenarios lists the provider built-ins and explains the ladder's step names", async () => {
  const r = await cli(["scenarios", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ name: string; view: string; description: string }>;
  const provider = rows.filter((x) => x.view === "provider").map((x) => x.name);
  assert.deepEqual(provider, ["cloudsim-scale", "cloudsim-scale-published", "cloudsim-months", "cloudsim-ladder", "cloudsim-ladder-k<N>"]);
  assert.match(rows.find((x) => x.name === "cloudsim-ladder-k<N>")!.description, /step N \(0\.\.16\): 2,500 x 2\^N hosts/);
});
