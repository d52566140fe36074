/**
 * Shared host links: transfers crossing the same host's link share its bandwidth max-min fairly,
 * with completions recomputed whenever a transfer starts or ends. Every time below is worked by
 * hand in the comments (bandwidth 125 MB/s per host link, latency 0.001 s paid before the data
 * flows, as in SimGrid's flow models).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnPolicy, makeTwin, run, table } from "../helpers/twin.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** 8 vCPUs of 1,000 MIPS: fragments placed here never share a vCPU in these tests. */
const WIDE = { name: "wide", vcpus: 8, ramMB: 1e6, mipsPerVcpu: 1000, pricePerHour: 0, powerCurve: "ibm-x3200-m2", bootS: 0 };

/**
 * One application per output size: a chain of two fragments, 10 s of work each (10,000 MI at
 * 1,000 MIPS), the first sending `outMB` to the second.
 */
function chains(outMBs: number[]) {
  return {
    variants: ["layer"],
    custom: outMBs.map((outMB, k) => ({
      name: `chain-${k}`,
      variants: [{ kind: "layer", accuracy: 0.5, fragments: [{ mi: 10_000, ramMB: 1, outMB }, { mi: 10_000, ramMB: 1 }] }],
    })),
  };
}

/** Request k (app k) runs its first fragment on src[k] and its second on dst[k]. */
function routes(src: number[], dst: number[]) {
  return fnPolicy((obs) => ({ deploy: obs.pending.map((p) => ({ request: p.id, variant: "layer" as const, hosts: [src[p.app], dst[p.app]] })) }));
}

function ends(twin: ReturnType<typeof makeTwin>["twin"]): number[] {
  return twin.requestRecords
    .filter((r) => r.status === "completed")
    .sort((a, b) => a.app - b.app)
    .map((r) => r.end);
}

const base = { intervalS: 100, sizes: [WIDE], network: { latencyS: 0.001, bandwidthMBps: 125 }, admission: "arrival" };

test("one transfer alone: latency + size / bandwidth", () => {
  // First fragment done at 10 s; 25 MB: 0.001 + 25 / 125 = 0.201 s; second fragment 10 s: 20.201 s.
  const { twin } = makeTwin({ ...base, hosts: [{ size: "wide", count: 2 }], applications: chains([25]) }, 1, table([[0, 0, 1]]));
  run(twin, routes([0], [1]), 1);
  close(ends(twin)[0], 20.201);
});

test("two transfers into one host share its link, then the second speeds up", () => {
  // Hosts 0 and 1 each send to host 2 at 10.001 s (after the latency): 12.5 MB and 25 MB. Host 2's
  // link is the bottleneck: 62.5 MB/s each. The first is in after 12.5 / 62.5 = 0.2 s (10.201 s);
  // the second then has 12.5 MB left, alone at 125 MB/s: 0.1 s more (10.301 s). Each second
  // fragment takes 10 s: 20.201 s and 20.301 s. (Unshared, they would end at 20.101 and 20.201 s.)
  const { twin } = makeTwin({ ...base, hosts: [{ size: "wide", count: 3 }], applications: chains([12.5, 25]) }, 1, table([[0, 0, 1], [0, 1, 1]]));
  run(twin, routes([0, 1], [2, 2]), 1);
  const e = ends(twin);
  close(e[0], 20.201);
  close(e[1], 20.301);
});

test("three transfers into one host: 125/3 MB/s each, then 62.5, then 125", () => {
  // 12.5, 25 and 37.5 MB from hosts 0, 1, 3 into host 2, all flowing from 10.001 s.
  // 3 share the link: 41.667 MB/s each; the first is in after 12.5 / (125/3) = 0.3 s (10.301 s).
  // The others have 12.5 and 25 MB left at 62.5 MB/s: the second after 0.2 s (10.501 s).
  // The third has 12.5 MB left at 125 MB/s: 0.1 s (10.601 s) = 75 MB through one 125 MB/s link in 0.6 s.
  const { twin } = makeTwin({ ...base, hosts: [{ size: "wide", count: 4 }], applications: chains([12.5, 25, 37.5]) }, 1, table([[0, 0, 1], [0, 1, 1], [0, 2, 1]]));
  run(twin, routes([0, 1, 3], [2, 2, 2]), 1);
  const e = ends(twin);
  close(e[0], 20.301);
  close(e[1], 20.501);
  close(e[2], 20.601);
});

test("max-min, not an equal split: a transfer held back elsewhere leaves its share to the others", () => {
  // A: host 0 -> 1 (50 MB); B: host 0 -> 2, C: host 3 -> 2, D: host 4 -> 2 (25 MB each), all from 10.001 s.
  // Host 2's link carries B, C, D: 125/3 MB/s each. Host 0's link carries A and B; B is held at
  // 125/3, so A gets the rest, 250/3 MB/s (an equal split of host 0 would give it 62.5).
  // B, C, D are in after 25 / (125/3) = 0.6 s (10.601 s). A has sent 0.6 * 250/3 = 50 MB by then:
  // it is in at 10.601 s too. Everyone's second fragment ends at 20.601 s.
  // Without B on host 0, A alone would take 0.4 s (ends 20.401 s): checked by the last twin.
  const hosts = [{ size: "wide", count: 5 }];
  const { twin } = makeTwin({ ...base, hosts, applications: chains([50, 25, 25, 25]) }, 1, table([[0, 0, 1], [0, 1, 1], [0, 2, 1], [0, 3, 1]]));
  run(twin, routes([0, 0, 3, 4], [1, 2, 2, 2]), 1);
  const e = ends(twin);
  for (const t of e) close(t, 20.601);
  assert.equal(e.length, 4);
  const alone = makeTwin({ ...base, hosts, applications: chains([50]) }, 1, table([[0, 0, 1]])).twin;
  run(alone, routes([0], [1]), 1);
  close(ends(alone)[0], 20.401);
});

test("a transfer that starts while another is flowing slows it down from that moment", () => {
  // A: host 0 -> 2, 200 MB, flowing alone at 125 MB/s from 10.001 s. B: host 1 -> 2, 12.5 MB; it
  // arrives at 1 s, so its data flows from 11.001 s, when A has sent 125 MB and has 75 MB left.
  // Both at 62.5 MB/s: B is in after 0.2 s (11.201 s); A has 75 - 12.5 = 62.5 MB left, alone at
  // 125 MB/s: 0.5 s more (11.701 s). Second fragments take 10 s: 21.701 s and 21.201 s.
  const { twin } = makeTwin({ ...base, hosts: [{ size: "wide", count: 3 }], applications: chains([200, 12.5]) }, 1, table([[0, 0, 1], [1, 1, 1]]));
  run(twin, routes([0, 1], [2, 2]), 1);
  const e = ends(twin);
  close(e[0], 21.701);
  close(e[1], 21.201);
});
