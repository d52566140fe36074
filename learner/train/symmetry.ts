/**
 * Identical hosts are interchangeable: two decisions that differ only by which of several hosts
 * the observation cannot tell apart (same size, state, load, RAM, credits) are the same decision
 * for a policy that sees only the observation. The oracle's alternatives often are such copies
 * (keep host 4 rather than host 5, both idle Standard_B2s): taken literally they would split a
 * label that is in fact firm. alignAlternative renames the hosts of an alternative, within each
 * group of identical hosts, to agree with the expert's decision wherever it can.
 */
import type { Decision, Observation } from "../../simulator/types.ts";

/** Groups of hosts the observation (and the acting policy's account of their work, if given) cannot tell apart (groups of one left out). */
export function identicalHostGroups(obs: Observation, workMI?: ArrayLike<number>): number[][] {
  const h = obs.hosts;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < h.count; i++) {
    const key = [h.size[i], h.state[i], h.vcpus[i], h.mipsPerVcpu[i], h.ramMB[i], h.ramFreeMB[i], h.placed[i], h.running[i], h.utilisation[i], h.credits[i], h.throttled[i], h.pricePerHour[i], h.idleW[i], h.maxW[i], h.bootS[i], h.baseUtilisation[i], workMI?.[i] ?? 0].join(",");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** What a decision does to each host: its provisioning action and the fragments it places there. */
function hostRoles(d: Decision, hosts: number): string[] {
  const role: string[] = new Array(hosts).fill("");
  for (const p of d.provision ?? []) if (p.host >= 0 && p.host < hosts) role[p.host] = p.action;
  const frags: string[][] = Array.from({ length: hosts }, () => []);
  for (const dep of d.deploy ?? []) dep.hosts.forEach((h, j) => h >= 0 && h < hosts && frags[h].push(`${dep.request}.${j}`));
  return role.map((r, h) => `${r}|${frags[h].sort().join(",")}`);
}

/** `alt` with its hosts renamed within groups of identical hosts to agree with `best` as far as possible. */
export function alignAlternative(obs: Observation, best: Decision, alt: Decision, groups = identicalHostGroups(obs)): Decision {
  if (groups.length === 0) return alt;
  const n = obs.hosts.count;
  const rb = hostRoles(best, n);
  const ra = hostRoles(alt, n);
  const rename = Array.from({ length: n }, (_, i) => i);
  for (const g of groups) {
    const freeA = new Set(g);
    const freeB = new Set(g);
    const pair = (same: (a: number, b: number) => boolean) => {
      for (const a of g) {
        if (!freeA.has(a)) continue;
        for (const b of g) {
          if (freeB.has(b) && same(a, b)) {
            rename[a] = b;
            freeA.delete(a);
            freeB.delete(b);
            break;
          }
        }
      }
    };
    // the same role first (its own host, if it has it), then the same provisioning action, then any
    pair((a, b) => a === b && ra[a] === rb[b]);
    pair((a, b) => ra[a] === rb[b]);
    pair((a, b) => ra[a].split("|")[0] === rb[b].split("|")[0]);
    pair(() => true);
  }
  return {
    ...alt,
    provision: alt.provision?.map((p) => ({ ...p, host: p.host >= 0 && p.host < n ? rename[p.host] : p.host })),
    deploy: alt.deploy?.map((d) => ({ ...d, hosts: d.hosts.map((h) => (h >= 0 && h < n ? rename[h] : h)) })),
  };
}
