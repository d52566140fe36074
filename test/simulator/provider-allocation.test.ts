import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RandomStream } from "../../simulator/engine/random.ts";
import { vmAllocationPolicies } from "../../simulator/provider/allocation/index.ts";
import { KeySet } from "../../simulator/provider/allocation/key-set.ts";
import { ProviderDatacenter } from "../../simulator/provider/datacenter.ts";
import { buildEntities, type HostTable, type VmTable } from "../../simulator/provider/entities.ts";
import { resolveProviderScenario, type ProviderScenario } from "../../simulator/provider/scenario.ts";
import { spaceShared } from "../../simulator/provider/scheduler/space-shared.ts";

/** A small random instance: every host and VM its own group, with PEs, MIPS, RAM and bw drawn so
 * that RAM and bandwidth (not only PEs) often decide, exercising the continue-on-failure path. */
function randomInstance(rng: RandomStream, nHosts: number, nVms: number): ProviderScenario {
  const hosts = Array.from({ length: nHosts }, () => ({
    count: 1,
    pes: rng.int(1, 8),
    mipsPerPe: [1000, 2000][rng.int(0, 1)],
    ramMB: rng.int(1, 8) * 1024,
    bwMbps: rng.int(1, 4) * 250,
  }));
  const vms = Array.from({ length: nVms }, () => ({
    count: 1,
    pes: rng.int(1, 4),
    mips: [1000, 2000][rng.int(0, 1)],
    ramMB: rng.int(1, 4) * 1024,
    bwMbps: rng.int(1, 2) * 250,
  }));
  return { name: "random", view: "provider", hosts, vms, cloudlets: { count: 0, pes: 1, lengthMI: 1 } };
}

/** Plain-array copy of the free capacity, for the naive reference policies. */
interface Free {
  pes: number[];
  ram: number[];
  bw: number[];
  mips: number[];
}
function freeOf(h: HostTable): Free {
  return { pes: [...h.freePes], ram: [...h.freeRamMB], bw: [...h.freeBwMbps], mips: [...h.mipsPerPe] };
}
const naiveFits = (f: Free, vms: VmTable, h: number, v: number): boolean =>
  f.pes[h] >= vms.pes[v] && f.mips[h] >= vms.mips[v] && f.ram[h] >= vms.ramMB[v] && f.bw[h] >= vms.bwMbps[v];

/** O(n) reference choosers, written from the policy definitions, not from the implementations. */
function naiveChooser(policy: string, f: Free, vms: VmTable): (v: number) => number {
  const n = f.pes.length;
  let cursor = 0;
  const circular = (v: number): number => {
    for (let i = 0; i < n; i++) {
      const h = (cursor + i) % n;
      if (naiveFits(f, vms, h, v)) return h;
    }
    return -1;
  };
  switch (policy) {
    case "first-fit":
      return (v) => {
        for (let h = 0; h < n; h++) if (naiveFits(f, vms, h, v)) return h;
        return -1;
      };
    case "best-fit":
    case "worst-fit":
      return (v) => {
        let best = -1;
        for (let h = 0; h < n; h++) {
          if (!naiveFits(f, vms, h, v)) continue;
          const better = policy === "best-fit" ? f.pes[h] < f.pes[best] : f.pes[h] > f.pes[best];
          if (best < 0 || better) best = h;
        }
        return best;
      };
    case "next-fit":
      return (v) => {
        const h = circular(v);
        if (h >= 0) cursor = h;
        return h;
      };
    case "round-robin":
      return (v) => {
        const h = circular(v);
        if (h >= 0) cursor = (h + 1) % n;
        return h;
      };
    default:
      throw new Error(policy);
  }
}

describe("VM allocation policies", () => {
  for (const policy of Object.keys(vmAllocationPolicies)) {
    it(`${policy} places exactly like the naive O(n*m) ${policy} on 150 random instances, with departures`, () => {
      const rng = new RandomStream(`provider-allocation-${policy}`);
      let placed = 0;
      let unplaced = 0;
      for (let trial = 0; trial < 150; trial++) {
        // up to 300 hosts: several levels of the capacity tree above its 16-host blocks
        const nHosts = trial % 3 === 0 ? rng.int(1, 300) : rng.int(1, 40);
        const nVms = rng.int(1, 3 * nHosts);
        const { hosts, vms } = buildEntities(resolveProviderScenario(randomInstance(rng, nHosts, nVms)), 1);
        const p = vmAllocationPolicies[policy as keyof typeof vmAllocationPolicies](hosts, vms);
        const free = freeOf(hosts);
        const naive = naiveChooser(policy, free, vms);
        const take = (h: number, v: number, sign: 1 | -1): void => {
          hosts.freePes[h] -= sign * vms.pes[v];
          hosts.freeRamMB[h] -= sign * vms.ramMB[v];
          hosts.freeBwMbps[h] -= sign * vms.bwMbps[v];
          free.pes[h] -= sign * vms.pes[v];
          free.ram[h] -= sign * vms.ramMB[v];
          free.bw[h] -= sign * vms.bwMbps[v];
          p.hostChanged(h);
        };
        const where: number[] = [];
        for (let v = 0; v < nVms; v++) {
          const expected = naive(v);
          const got = p.findHost(v);
          assert.equal(got, expected, `trial ${trial}, vm ${v}`);
          where[v] = got;
          if (got >= 0) {
            take(got, v, 1);
            placed++;
          } else unplaced++;
          // Now and then a VM leaves, so capacity also grows back (indexes must follow both ways).
          if (rng.next() < 0.15) {
            const gone = rng.int(0, v);
            if (where[gone] >= 0) {
              take(where[gone], gone, -1);
              where[gone] = -1;
            }
          }
        }
      }
      // Both outcomes occurred, so the comparison covered fits and misfits.
      assert.ok(placed > 1000 && unplaced > 100, `placed ${placed}, unplaced ${unplaced}`);
    });
  }

  it("the datacenter places VMs through the policy exactly like the naive first fit", () => {
    const rng = new RandomStream("provider-allocation-datacenter");
    for (let trial = 0; trial < 50; trial++) {
      const ent = buildEntities(resolveProviderScenario(randomInstance(rng, rng.int(1, 30), rng.int(1, 80))), 1);
      const free = freeOf(ent.hosts);
      const naive = naiveChooser("first-fit", free, ent.vms);
      const expected: number[] = [];
      for (let v = 0; v < ent.vms.count; v++) {
        const h = naive(v);
        expected.push(h);
        if (h >= 0) {
          free.pes[h] -= ent.vms.pes[v];
          free.ram[h] -= ent.vms.ramMB[v];
          free.bw[h] -= ent.vms.bwMbps[v];
        }
      }
      const dc = new ProviderDatacenter(ent, spaceShared, { emptyHostsIdle: false, maxTimeS: Infinity });
      dc.placeVms(vmAllocationPolicies["first-fit"](ent.hosts, ent.vms));
      assert.deepEqual([...ent.vms.host], expected);
      assert.equal(dc.rejections["vm did not fit"] ?? 0, expected.filter((h) => h < 0).length);
    }
  });
});

describe("KeySet", () => {
  it("answers successor queries like a sorted list under random inserts and deletes", () => {
    const rng = new RandomStream("provider-keyset");
    for (const universe of [1, 31, 32, 33, 1000, 40_000]) {
      const set = new KeySet(universe);
      const ref = new Set<number>();
      for (let i = 0; i < 3000; i++) {
        const k = rng.int(0, universe - 1);
        if (rng.next() < 0.6) {
          set.add(k);
          ref.add(k);
        } else {
          set.delete(k);
          ref.delete(k);
        }
        const from = rng.int(0, universe);
        let expected = -1;
        for (const x of ref) if (x >= from && (expected < 0 || x < expected)) expected = x;
        assert.equal(set.next(from), expected, `universe ${universe}, step ${i}, from ${from}`);
      }
    }
  });
});
