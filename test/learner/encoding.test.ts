import assert from "node:assert/strict";
import { test } from "node:test";
import { loadTenantScenario } from "../../simulator/scenarios.ts";
import { HOST_BOOTING, HOST_OFF, HOST_ON, type Observation } from "../../simulator/types.ts";
import { TwinStepper } from "../../oracle/replay.ts";
import { buildReadyTwin } from "../../workloads/ready-twin.ts";
import { createPolicy } from "../../simulator/policies/registry.ts";
import { BootTracker } from "../../learner/encoding/boot.ts";
import { allocInputs, decodePass, encodePass, fleetStats } from "../../learner/encoding/encode.ts";
import { DH, INPUT_NAMES, inputDims, type ModelSizes } from "../../learner/encoding/layout.ts";
import { DecisionDraft } from "../../learner/decode/draft.ts";
import { ScoreChooser, onnxScorer } from "../../learner/policy.ts";
import { walkDecision } from "../../learner/decode/walk.ts";
import { ChunkHead } from "../../learner/decode/step.ts";
import { exportOnnx } from "../../learner/model/onnx-export.ts";
import { OnnxSession } from "../../learner/onnx/runtime.ts";
import { randomWeights, TINY_ATTENTION } from "../helpers/learner.ts";

const SIZES: ModelSizes = { hosts: 20, requests: 6, apps: 8, fragments: 4 };

/**
 * scinet-testbed at 6x load after `steps` intervals of least-loaded placement, hosts 12-15 stopped
 * at interval 10 and host 12 started again at interval 23: hosts on, off and booting, requests pending.
 */
function scinetObservation(steps: number, seed = 3): Observation {
  const { scenario, source } = loadTenantScenario("scinet-testbed");
  const s = { ...scenario, workload: { ...scenario.workload, ratePerInterval: 6 } as typeof scenario.workload };
  const ready = buildReadyTwin({ scenario: s, source, seed, record: false });
  const policy = createPolicy("least-loaded", { model: ready.model, seed, streams: ready.streams });
  const stepper = new TwinStepper(ready.twin);
  for (let k = 0; k < steps; k++) {
    const obs = stepper.observe();
    const d = policy.decide(obs);
    if (k === 10) d.provision = [12, 13, 14, 15].map((host) => ({ host, action: "stop" as const }));
    if (k === 23) d.provision = [{ host: 12, action: "start" }];
    // nothing placed on a host being stopped
    if (k === 10) d.deploy = d.deploy?.filter((x) => x.hosts.every((h) => h < 12));
    stepper.apply(d);
  }
  return stepper.observe();
}

function encode(obs: Observation, sizes: ModelSizes, boot = new Float64Array(obs.hosts.count), workMI?: ArrayLike<number>) {
  const draft = new DecisionDraft(obs, workMI);
  const inputs = allocInputs(sizes, 1);
  encodePass(draft, boot, fleetStats(obs), sizes, { phase: 0, chunkStart: 0, current: null }, inputs, 0);
  return inputs;
}

test("a Standard_B2s host is encoded on the documented fixed scales (worked by hand)", () => {
  const obs = scinetObservation(0);
  const x = encode(obs, SIZES);
  // host 0 is a Standard_B2s: 2 vCPUs of 2,014 MIPS, 4 GiB, $0.0416/h, 60 s boot, on and idle at t = 0
  const f = x.hosts.subarray(0, DH);
  assert.deepEqual(Array.from(f.subarray(0, 5)), [0, 0, 1, 0, 0]); // state on
  assert.equal(f[6], 2 / 8); // vCPUs / 8
  assert.ok(Math.abs(f[7] - (2 * 2014) / 16000) < 1e-7); // capacity
  assert.equal(f[8], 4096 / 32768); // RAM / 32 GiB
  assert.equal(f[9], 1); // all RAM free
  assert.ok(Math.abs(f[16] - 0.0416 / 0.5) < 1e-7); // price / 0.5
  assert.ok(Math.abs(f[20] - 60 / 5 / 20) < 1e-7); // boot time / interval / 20
  assert.equal(f[13], 1); // B-series: credits observed
  assert.ok(Math.abs(f[22] - 0.2) < 1e-7); // held at its 20 % base rate without credits
  assert.equal(f[23], 0); // no work placed yet
  // 20,140 MI by the policy's own account: 20,140 / (2 vCPUs x 2,014 MIPS x 5 s) / 10 = 0.1
  const w = encode(obs, SIZES, undefined, [20_140]).hosts;
  assert.ok(Math.abs(w[23] - 0.1) < 1e-7, `${w[23]}`);
  // hosts beyond the fleet are padding
  assert.deepEqual(Array.from(x.hostMask), [...new Array(16).fill(1), 0, 0, 0, 0]);
});

test("encoding round-trips: the decoded pass gives back the observation's hosts and requests", () => {
  const obs = scinetObservation(25);
  assert.ok(obs.pending.length >= 2, "the state has pending requests");
  assert.ok(new Set(obs.hosts.state).size >= 2, "hosts in more than one state");
  const boot = new Float64Array(obs.hosts.count).map((_, i) => (obs.hosts.state[i] === HOST_BOOTING ? 17.5 : 0));
  const work = Array.from({ length: obs.hosts.count }, (_, i) => 1000 * i);
  const d = decodePass(encode(obs, SIZES, boot, work), 0, SIZES);
  const h = obs.hosts;
  assert.equal(d.hosts.length, h.count);
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  d.hosts.forEach((x, i) => {
    assert.equal(x.state, h.state[i]);
    near(x.utilisation, h.utilisation[i], `utilisation ${i}`);
    near(x.vcpus, h.vcpus[i], "vcpus");
    near(x.mipsPerVcpu, h.mipsPerVcpu[i], "mips");
    near(x.ramMB, h.ramMB[i], "ram");
    near(x.ramFreeMB, h.ramFreeMB[i], `ram free ${i}`);
    near(x.placed, h.placed[i], "placed");
    near(x.running, h.running[i], "running");
    if (Number.isNaN(h.credits[i])) assert.ok(Number.isNaN(x.credits));
    else near(x.credits, h.credits[i], `credits ${i}`);
    assert.equal(x.throttled, h.throttled[i]);
    near(x.pricePerHour, h.pricePerHour[i], "price");
    near(x.idleW, h.idleW[i], "idle");
    near(x.maxW, h.maxW[i], "max");
    near(x.bootS, h.bootS[i], "boot");
    near(x.baseUtilisation, h.baseUtilisation[i], "base utilisation");
    near(x.bootLeftS, h.state[i] === HOST_BOOTING ? 17.5 : 0, "boot left");
    near(x.workMI, 1000 * i, `work ${i}`);
  });
  const n = Math.min(SIZES.requests, obs.pending.length);
  assert.equal(d.requests.length, n);
  d.requests.forEach((r, s) => {
    const p = obs.pending[s];
    assert.equal(r.app, p.app);
    near(r.deadline, p.deadline, "deadline");
    near(r.age, obs.time - p.arrival, "age");
    near(r.size, p.size, "size");
    assert.deepEqual(r.offered, { full: 1, compressed: 1, layer: 1, semantic: 1 });
  });
  near(d.intervalS, 5, "interval");
  const recent = Array.from(obs.recentArrivals).slice(-4);
  d.recentArrivals.slice(4 - recent.length).forEach((v, i) => near(v, recent[i], "arrivals"));
});

/** The observation with its hosts reordered: new host i is old host perm[i]. */
function permuteHosts(obs: Observation, perm: number[]): Observation {
  const h = obs.hosts;
  const pick = <T extends { length: number } & ArrayLike<number>>(a: T, make: (n: number) => T): T => {
    const out = make(a.length);
    perm.forEach((old, i) => ((out as unknown as number[])[i] = a[old]));
    return out;
  };
  return {
    ...obs,
    hosts: {
      count: h.count,
      state: pick(h.state, (n) => new Int8Array(n)),
      size: pick(h.size, (n) => new Int32Array(n)),
      vcpus: pick(h.vcpus, (n) => new Int32Array(n)),
      mipsPerVcpu: pick(h.mipsPerVcpu, (n) => new Float64Array(n)),
      ramMB: pick(h.ramMB, (n) => new Float64Array(n)),
      ramFreeMB: pick(h.ramFreeMB, (n) => new Float64Array(n)),
      running: pick(h.running, (n) => new Int32Array(n)),
      placed: pick(h.placed, (n) => new Int32Array(n)),
      utilisation: pick(h.utilisation, (n) => new Float64Array(n)),
      credits: pick(h.credits, (n) => new Float64Array(n)),
      throttled: pick(h.throttled, (n) => new Uint8Array(n)),
      pricePerHour: pick(h.pricePerHour, (n) => new Float64Array(n)),
      idleW: pick(h.idleW, (n) => new Float64Array(n)),
      maxW: pick(h.maxW, (n) => new Float64Array(n)),
      bootS: pick(h.bootS, (n) => new Float64Array(n)),
      baseUtilisation: pick(h.baseUtilisation, (n) => new Float64Array(n)),
    },
  };
}

test("permuting the hosts permutes the host tokens, the model's host outputs and the decision, and nothing else", () => {
  const raw = scinetObservation(25);
  // hosts set clearly apart (utilisation, credits), so no two score within the decoder's tie tolerance
  const obs: Observation = {
    ...raw,
    hosts: {
      ...raw.hosts,
      utilisation: raw.hosts.utilisation.map((_, i) => (i * 7) % 16 / 16),
      credits: raw.hosts.credits.map((c, i) => (Number.isNaN(c) ? c : 40 * ((i * 5) % 16))),
    },
  };
  const n = obs.hosts.count;
  // a fixed shuffle: new host i is old host perm[i]
  const perm = [5, 12, 0, 15, 3, 9, 1, 14, 7, 2, 11, 4, 13, 8, 10, 6];
  const pobs = permuteHosts(obs, perm);
  const a = encode(obs, SIZES);
  const b = encode(pobs, SIZES);
  perm.forEach((old, i) => assert.deepEqual(b.hosts.subarray(i * DH, (i + 1) * DH), a.hosts.subarray(old * DH, (old + 1) * DH)));
  for (const k of ["requests", "requestMask", "global", "slot", "fragment"] as const) assert.deepEqual(b[k], a[k]);

  const w = randomWeights(TINY_ATTENTION, SIZES, 11);
  let provisioned = 0;
  let deployed = 0;
  // a random model that changes many hosts (done scored low), then one that changes none and deploys
  for (const doneBias of [-3, 5]) {
    w.get("head.done.out.b")![0] = doneBias;
    const session = new OnnxSession(exportOnnx(TINY_ATTENTION, SIZES, w));
    try {
      const d = inputDims(SIZES);
      const run = (x: typeof a) => session.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: x[k], dims: [1, d[k]] }])));
      const ra = run(a);
      const rb = run(b);
      perm.forEach((old, i) => {
        for (let c = 0; c < 2; c++) assert.ok(Math.abs(rb.provision.data[i * 2 + c] - ra.provision.data[old * 2 + c]) < 1e-5);
      });
      assert.ok(Math.abs(rb.done.data[0] - ra.done.data[0]) < 1e-5);
      assert.ok(Array.from(rb.variant.data).every((v, i) => Math.abs(v - ra.variant.data[i]) < 1e-5));
      // the host pointer's keys follow the hosts, its request queries do not move
      const m = 16;
      perm.forEach((old, i) => {
        for (let c = 0; c < m; c++) assert.ok(Math.abs(rb.placeKey.data[i * m + c] - ra.placeKey.data[old * m + c]) < 1e-5);
      });
      assert.ok(Array.from(rb.placeQuery.data).every((v, i) => Math.abs(v - ra.placeQuery.data[i]) < 1e-5));
      // decisions: host h in the permuted fleet is host perm[h] in the original one. Hosts whose
      // tokens are identical are interchangeable (the decoder takes the lowest-numbered of a tie),
      // so the decisions are compared with each host named by its token.
      const scorer = onnxScorer(session, SIZES, false, true);
      const head = new ChunkHead(w, 16);
      const da = walkDecision(obs, new Float64Array(n), SIZES, new ScoreChooser(scorer, SIZES, "argmax", head), undefined, null, true);
      const db = walkDecision(pobs, new Float64Array(n), SIZES, new ScoreChooser(scorer, SIZES, "argmax", head), undefined, null, true);
      provisioned += (da.provision ?? []).length;
      deployed += (da.deploy ?? []).length;
      const token = (h: number) => Array.from(a.hosts.subarray(h * DH, (h + 1) * DH)).join(",");
      const described = (x: typeof da, host: (h: number) => number) => ({
        provision: (x.provision ?? []).map((p) => `${p.action} ${token(host(p.host))}`).sort(),
        deploy: (x.deploy ?? []).map((y) => `${y.request} ${y.variant} ${y.hosts.map((h) => token(host(h))).join(" | ")}`),
      });
      assert.deepEqual(described(db, (h) => perm[h]), described(da, (h) => h));
    } finally {
      session.dispose();
    }
  }
  assert.ok(provisioned > 0 && deployed > 0, `the random models provision (${provisioned}) and deploy (${deployed})`);
});

test("padding is invisible: the same fleet in 20 or 32 host tokens gets the same scores", () => {
  const obs = scinetObservation(25);
  const big: ModelSizes = { ...SIZES, hosts: 32 };
  const w = randomWeights(TINY_ATTENTION, SIZES, 5);
  // the attention model's weights do not depend on the number of host tokens
  const s20 = new OnnxSession(exportOnnx(TINY_ATTENTION, SIZES, w));
  const s32 = new OnnxSession(exportOnnx(TINY_ATTENTION, big, w));
  try {
    const run = (s: OnnxSession, sizes: ModelSizes) => {
      const x = encode(obs, sizes);
      const d = inputDims(sizes);
      return s.run(Object.fromEntries(INPUT_NAMES.map((k) => [k, { data: x[k], dims: [1, d[k]] }])));
    };
    const a = run(s20, SIZES);
    const b = run(s32, big);
    for (let i = 0; i < obs.hosts.count * 2; i++) assert.ok(Math.abs(a.provision.data[i] - b.provision.data[i]) < 1e-5);
    assert.ok(Math.abs(a.done.data[0] - b.done.data[0]) < 1e-5);
    for (let i = 0; i < a.variant.data.length; i++) assert.ok(Math.abs(a.variant.data[i] - b.variant.data[i]) < 1e-5);
  } finally {
    s20.dispose();
    s32.dispose();
  }
});

test("boot time left is estimated from when a host was first seen booting (worked by hand)", () => {
  const obs = (time: number, states: number[]): Observation =>
    ({ time, hosts: { count: states.length, state: Int8Array.from(states), bootS: Float64Array.from(states.map(() => 60)) } }) as unknown as Observation;
  const b = new BootTracker();
  // host 1 is already booting at the first observation: taken as just started, 60 s left
  assert.deepEqual(Array.from(b.observe(obs(0, [HOST_ON, HOST_BOOTING]))), [0, 60]);
  // 5 s on: 55 s left; host 0 still on
  assert.deepEqual(Array.from(b.observe(obs(5, [HOST_ON, HOST_BOOTING]))), [0, 55]);
  // host 0 stopped, then seen booting at t = 15: started at the previous decision (t = 10), 55 s left
  b.observe(obs(10, [HOST_OFF, HOST_BOOTING]));
  assert.deepEqual(Array.from(b.observe(obs(15, [HOST_BOOTING, HOST_BOOTING]))), [55, 45]);
  // host 1 on at t = 60; never below zero for a boot that overruns
  assert.deepEqual(Array.from(b.observe(obs(80, [HOST_BOOTING, HOST_ON]))), [0, 0]);
});
