/**
 * What a policy can estimate from an Observation alone: the work of a variant, and the response
 * time of a request if it were deployed now on given hosts. Processor sharing is assumed to give
 * each fragment min(1, vCPUs / fragments placed) of a vCPU, taking the new fragments into account;
 * a chain adds its output transfers between hosts; a parallel split ends with its slowest fragment.
 */
import type { VariantKind } from "../catalogue/applications.ts";
import type { Observation, PendingRequest } from "../types.ts";

/** The fleet's mean MIPS per vCPU (a reference vCPU for work in vCPU-seconds). */
export function referenceMips(obs: Observation): number {
  const h = obs.hosts;
  let s = 0;
  for (let i = 0; i < h.count; i++) s += h.mipsPerVcpu[i];
  return h.count > 0 ? s / h.count : 1;
}

/** vCPU-seconds of a request of `app` deployed as `kind` at size 1 (NaN if the app has no such variant). */
export function variantWorkS(obs: Observation, app: number, kind: VariantKind, mips = referenceMips(obs)): number {
  const v = obs.apps[app].variants.find((x) => x.kind === kind);
  if (!v) return NaN;
  let mi = 0;
  for (const f of v.fragments) mi += f.mi;
  return mi / mips;
}

/**
 * Estimated response time (s) of `req` deployed now as `kind` with fragment j on `hosts[j]`;
 * `placed` holds the fragments per host before this request (its own are added here).
 */
export function estimateResponseS(obs: Observation, req: PendingRequest, kind: VariantKind, hosts: readonly number[], placed: ArrayLike<number>): number {
  const v = obs.apps[req.app].variants.find((x) => x.kind === kind);
  if (!v) return Infinity;
  const h = obs.hosts;
  const extra = new Map<number, number>();
  for (const x of hosts) extra.set(x, (extra.get(x) ?? 0) + 1);
  const fragmentS = (j: number): number => {
    const x = hosts[j];
    const share = Math.min(1, h.vcpus[x] / (placed[x] + (extra.get(x) ?? 1)));
    return (v.fragments[j].mi * req.size) / (h.mipsPerVcpu[x] * share);
  };
  let service = 0;
  if (v.parallel) {
    for (let j = 0; j < v.fragments.length; j++) service = Math.max(service, fragmentS(j));
  } else {
    for (let j = 0; j < v.fragments.length; j++) {
      service += fragmentS(j);
      if (j + 1 < v.fragments.length && hosts[j + 1] !== hosts[j]) {
        service += obs.network.latencyS + (v.fragments[j].outMB * req.size) / obs.network.bandwidthMBps;
      }
    }
  }
  return obs.time - req.arrival + service;
}
