/**
 * `cotwin deploy` and `cotwin calibrate` on the command line: the dry run's plan, the errors for
 * bad input (one line, exit code 2), the limits checked before any call, and `deploy status` /
 * `deploy teardown` through the command layer against the fake Resource Manager.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { isRegistered } from "../../simulator/policies/registry.ts";
import { runDeployCommand } from "../../src/commands/deploy.ts";
import { DEFAULT_MODEL_FILE } from "../../learner/model-file.ts";
import { cli } from "../helpers/cli.ts";
import { FakeArm } from "../helpers/fake-arm.ts";
import { FAKE_ARM_TOKEN, RG } from "../helpers/azure.ts";

const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "testbed.yaml");

test("the dry run prints the plan and its cost per hour, calls nothing, and reports it as JSON", async () => {
  const r = await cli(["deploy", "--target", "dry-run", "--scenario", FIXTURE, "--policy", "threshold+least-loaded", "--intervals", "3"]);
  assert.equal(r.code, 0, r.stderr);
  // two Standard_B1ms hosts at 0.0207 USD/h each
  assert.match(r.stdout, /plan: 2 host\(s\) on at the start \(2 allocated, 0\.0414 USD\/h\)/);
  assert.match(r.stdout, /still running {3}nothing/);
  const j = await cli(["deploy", "--target", "dry-run", "--scenario", FIXTURE, "--policy", "least-loaded", "--intervals", "3", "--json"]);
  const o = JSON.parse(j.stdout);
  assert.equal(o.target, "dry-run");
  assert.equal(o.intervals, 3);
  assert.ok(Array.isArray(o.plan) && o.plan[0].startsWith("plan: 2 host(s)"));
  for (const k of ["actions", "measured", "twin", "responseErrorPct"]) assert.ok(k in o, k);
  assert.deepEqual(Object.keys(o.actions).sort(), ["applied", "failed", "refused", "retried"]);
});

test("the online loop runs the learner on a model of one's own (--model), records which by its contents, and refuses --model for another policy", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cotwin-cli-"));
  const mine = path.join(dir, "mine.onnx");
  copyFileSync(DEFAULT_MODEL_FILE, mine);
  const sha = createHash("sha256").update(readFileSync(mine)).digest("hex");
  const r = await cli(["deploy", "--target", "dry-run", "--scenario", "scinet-testbed", "--model", mine, "--intervals", "2", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.policy, "learner");
  assert.deepEqual(o.learnerModel, { file: mine, sha256: sha });
  const text = await cli(["deploy", "--target", "dry-run", "--scenario", "scinet-testbed", "--intervals", "1"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /policy learner \(model .*scinet-default\.onnx\)/);
  const other = await cli(["deploy", "--target", "dry-run", "--scenario", "scinet-testbed", "--policy", "least-loaded", "--model", mine, "--intervals", "2", "--json"]);
  assert.equal(other.code, 2);
  assert.equal(other.stderr, "cotwin deploy: --model is for --policy learner (the policy is least-loaded)\n");
  const missing = await cli(["deploy", "--target", "dry-run", "--scenario", "scinet-testbed", "--model", path.join(dir, "gone.onnx"), "--intervals", "2"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `cotwin deploy: learner model ${path.join(dir, "gone.onnx")}: no such file\n`);
  // a fleet no shipped model fits, without --model
  const none = await cli(["deploy", "--target", "dry-run", "--scenario", FIXTURE, "--intervals", "2"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^cotwin deploy: learner: no shipped model serves scenario testbed-small/);
});

test("bad input is one line naming the flag, exit code 2, before anything is called", async () => {
  const state = mkdtempSync(path.join(os.tmpdir(), "cotwin-cli-"));
  const cases: Array<[string[], RegExp]> = [
    [["deploy", "--target", "azure", "--scenario", FIXTURE, "--policy", "least-loaded", "--state-dir", state], /--target azure needs --subscription/],
    [["deploy", "--target", "azure", "--scenario", FIXTURE, "--policy", "least-loaded", "--subscription", "s", "--resource-group", "g", "--location", "eastus", "--state-dir", state], /needs --controller-address/],
    [["deploy", "--target", "azure", "--scenario", FIXTURE, "--policy", "least-loaded", "--controller-address", "my-laptop", "--state-dir", state], /--controller-address must be an IPv4 address/],
    [["deploy", "--target", "local", "--scenario", FIXTURE, "--policy", "least-loaded", "--max-vms", "0"], /--max-vms must be an integer >= 1/],
    [["deploy", "--target", "local", "--scenario", FIXTURE, "--policy", "least-loaded", "--max-vms", "1", "--state-dir", state], /starts with 2 host\(s\) on .* above the limits \(--max-vms 1/],
    [["deploy", "--target", "dry-run", "--scenario", "no-such-scenario.yaml"], /no-such-scenario\.yaml: cannot read scenario file/],
    [["deploy", "--target", "dry-run", "--scenario", FIXTURE, "--policy", "nope"], /unknown policy "nope"/],
    [["deploy", "--target", "moon", "--scenario", FIXTURE], /target/],
    [["calibrate", "--target", "dry-run", "--scenario", FIXTURE, "--policy", "least-loaded"], /dry-run measures nothing/],
    [["deploy", "status", "--target", "azure"], /--deployment is required/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
    assert.ok(!r.stderr.includes("    at "), "no stack trace");
  }
});

test("without --policy the learner decides; when it is not registered the error says what to pass", { skip: isRegistered("learner") ? "the learner is registered" : false }, async () => {
  const r = await cli(["deploy", "--target", "dry-run", "--scenario", FIXTURE]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /learner .* not available.*--policy threshold\+compressed\+least-loaded/);
});

test("deploy status lists what is tagged with its cost; teardown deletes it and leaves untagged resources alone", async () => {
  const fake = new FakeArm();
  await fake.start();
  try {
    const tags = (h: number) => ({ "cotwin-owner": "cotwin", "cotwin-deployment": "exp", "cotwin-host": String(h), "cotwin-created": new Date().toISOString() });
    fake.seed(RG, "virtualMachines", "cotwin-exp-h0", { hardwareProfile: { vmSize: "Standard_B2s" } }, tags(0));
    fake.seed(RG, "virtualMachines", "cotwin-exp-h1", { hardwareProfile: { vmSize: "Standard_B2ms" } }, tags(1));
    fake.seed(RG, "networkInterfaces", "cotwin-exp-h0-nic", {}, tags(0));
    fake.seed(RG, "virtualMachines", "other-team-vm", { hardwareProfile: { vmSize: "Standard_D16s_v5" } });
    const state = mkdtempSync(path.join(os.tmpdir(), "cotwin-cli-"));
    let out = "";
    let err = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), interactive: false };
    const deps = { arm: { subscriptionId: fake.subscription, credential: { getToken: async () => ({ token: FAKE_ARM_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }) }, endpoint: fake.url }, azureTuning: { pollMs: 0, recheckEveryMs: 10 } };
    const common = ["--target", "azure", "--deployment", "exp", "--subscription", fake.subscription, "--resource-group", RG, "--location", "eastus", "--controller-address", "203.0.113.7", "--state-dir", state];
    assert.equal(await runDeployCommand(["status", ...common, "--json"], io, deps), 0, err);
    const s = JSON.parse(out);
    assert.deepEqual(s.resources.map((r: { name: string }) => r.name).sort(), ["cotwin-exp-h0", "cotwin-exp-h0-nic", "cotwin-exp-h1"]);
    // Standard_B2s 0.0416 + Standard_B2ms 0.0832 USD/h; the other team's VM is not counted
    assert.ok(Math.abs(s.costPerHour - (0.0416 + 0.0832)) < 1e-12);
    out = "";
    assert.equal(await runDeployCommand(["teardown", ...common], io, deps), 0, err);
    assert.match(out, /deployment exp: deleted 3 resource\(s\)/);
    assert.equal(fake.list("virtualMachines", RG).map((v) => v.name).join(), "other-team-vm");
    assert.deepEqual(fake.mutationsOf(RG, "virtualMachines", "other-team-vm"), []);
    out = "";
    assert.equal(await runDeployCommand(["status", ...common], io, deps), 0);
    assert.match(out, /deployment exp: 0 VM\(s\), 0\.0000 USD\/h allocated/);
  } finally {
    await fake.stop();
  }
});

test("cotwin --help lists deploy and calibrate", () => {
  // in a process of its own: yargs ends the process after printing help
  const out = execFileSync(process.execPath, [path.join(import.meta.dirname, "..", "..", "src", "bin.mjs"), "--help"], { encoding: "utf8" });
  assert.match(out, /deploy +the online loop/);
  assert.match(out, /calibrate +fit the twin/);
});
