/**
 * The local testbed: the worker (token, processor sharing, model sizing, loopback only) and a
 * few intervals of real requests end to end through `cotwin deploy --target local` and
 * `cotwin calibrate`. Runs are kept to a few 1-second intervals.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { FLOPS_PER_ROW, rowsFor, WIDTH, LAYERS } from "../../deploy/testbed/models.ts";
import { startWorker } from "../../deploy/testbed/worker.ts";
import { WorkerClient } from "../../deploy/worker-client.ts";
import { loadCalibration } from "../../deploy/calibrate.ts";
import { cli } from "../helpers/cli.ts";

const TOKEN = "worker-test-token-0123456789abcdef";
const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "testbed.yaml");

test("the model's size: a row costs 2 x width^2 FLOPs per layer, a fragment of F MFLOP runs F x 10^6 / that rows", () => {
  assert.equal(FLOPS_PER_ROW, 2 * 512 * 512 * 4);
  assert.equal(WIDTH * WIDTH * LAYERS * 2, 2_097_152);
  assert.equal(rowsFor(2097.152), 1000);
  assert.equal(rowsFor(0.001), 1, "at least one row");
});

test("a worker refuses requests without the token or with a wrong one, and serves the right one", async () => {
  const w = await startWorker({ token: TOKEN, host: 3, vcpus: 1, listen: "127.0.0.1", port: 0 });
  try {
    const at = { address: "127.0.0.1", port: w.port };
    assert.equal(await WorkerClient.statusWithout(at), 401);
    assert.equal(await WorkerClient.statusWithout(at, "Bearer wrong-token"), 401);
    assert.equal(await WorkerClient.statusWithout(at, `Basic ${TOKEN}`), 401);
    assert.equal(await WorkerClient.statusWithout(at, `Bearer ${TOKEN}`), 200);
    const c = new WorkerClient(TOKEN);
    const a = await c.fragment(at, 2097.152, 1, Buffer.alloc(10), 12_345, 30_000);
    assert.equal(a.body.length, 12_345, "answers the output size asked for");
    assert.ok(a.computeS > 0);
    const m = await c.metrics(at);
    assert.equal(m.host, 3);
    assert.equal(m.served, 1);
    await assert.rejects(new WorkerClient("wrong-token-0123456789").fragment(at, 1, 1, Buffer.alloc(0), 0, 5000), /401/);
    c.close();
  } finally {
    await w.close();
  }
});

test("fragments on one vCPU share it (processor sharing): two at once both wait about as long as the other runs", async () => {
  const w = await startWorker({ token: TOKEN, host: 0, vcpus: 1, listen: "127.0.0.1", port: 0 });
  try {
    const at = { address: "127.0.0.1", port: w.port };
    const c = new WorkerClient(TOKEN);
    const pair = () => Promise.all([c.fragment(at, 3000, 1, Buffer.alloc(0), 0, 60_000), c.fragment(at, 3000, 1, Buffer.alloc(0), 0, 60_000)]);
    await pair(); // warm: two connections open, buffers sized
    const [a, b] = await pair();
    // First-come-first-served would leave one of them waiting ~0; sharing makes both wait ~ the other's run.
    for (const x of [a, b]) assert.ok(x.waitS > 0.4 * x.computeS, `wait ${x.waitS.toFixed(4)} s vs compute ${x.computeS.toFixed(4)} s`);
    c.close();
  } finally {
    await w.close();
  }
});

test("a testbed worker listens on 127.0.0.1 only", async () => {
  const w = await startWorker({ token: TOKEN, host: 0, vcpus: 1, listen: "127.0.0.1", port: 0 });
  try {
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && i.family === "IPv4" && !i.internal)
      .map((i) => i!.address);
    for (const addr of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: addr, port: w.port, timeout: 2000 });
        s.once("connect", () => {
          s.destroy();
          resolve(false);
        });
        s.once("error", () => resolve(true));
        s.once("timeout", () => {
          s.destroy();
          resolve(true);
        });
      });
      assert.ok(refused, `reachable on ${addr}`);
    }
  } finally {
    await w.close();
  }
});

test("cotwin deploy --target local runs real requests end to end, then cotwin calibrate fits the twin and later runs use it", async () => {
  const state = mkdtempSync(path.join(os.tmpdir(), "cotwin-testbed-"));
  const run = await cli(["deploy", "--target", "local", "--scenario", FIXTURE, "--policy", "least-loaded", "--intervals", "3", "--state-dir", state, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.equal(r.intervals, 3);
  assert.equal(r.target, "local");
  assert.equal(r.actions.applied, 2, "the two initial hosts started");
  assert.equal(r.actions.failed, 0);
  assert.ok(r.measured.completed > 0);
  assert.equal(r.measured.failed, 0);
  assert.equal(r.pairedRequests, r.measured.completed, "every request measured was predicted by the twin too");
  // Both sides bill the two hosts over the same span at 0.0207 USD/h each.
  assert.ok(Math.abs(r.measured.costUSD - r.twin.costUSD) / r.twin.costUSD < 0.1, `cost ${r.measured.costUSD} vs ${r.twin.costUSD}`);
  assert.ok(r.measured.meanResponseS > 0 && r.measured.meanResponseS < 3);
  assert.equal(typeof r.responseErrorPct, "number");
  const token = readFileSync(path.join(state, "deployments", "testbed-small.local", "token"), "utf8").trim();
  assert.ok(token.length >= 32);
  assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), "the token is never printed");

  const cal = await cli(["calibrate", "--target", "local", "--scenario", FIXTURE, "--policy", "least-loaded", "--intervals", "3", "--state-dir", state, "--json"]);
  assert.equal(cal.code, 0, cal.stderr);
  const c = JSON.parse(cal.stdout);
  const saved = loadCalibration(c.calibration);
  assert.equal(saved.scenario, "testbed-small");
  assert.ok(saved.fit.hostMips.every((m) => m !== null && m > 2014), "the testbed's hosts are faster than the catalogue's B-series figure");
  assert.ok(Math.abs(c.after.responseErrorPct) < Math.abs(c.before.responseErrorPct), `calibrated ${c.after.responseErrorPct} % vs as written ${c.before.responseErrorPct} %`);

  const again = await cli(["deploy", "--target", "local", "--scenario", FIXTURE, "--policy", "least-loaded", "--intervals", "2", "--state-dir", state, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).calibration, c.calibration);
  assert.match(again.stderr, /calibration: .*testbed-small\.local\.json/);
});
