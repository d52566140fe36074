/**
 * Keeping the twin in step with the target, and checking a decision against what is really
 * there before anything is called.
 *
 * The twin follows the loop's own decisions; the target may diverge from them: a start that
 * failed (the host is off, the twin thinks it boots), a host that died, a VM adopted after a
 * crash (on, the twin thinks it off). sync() corrects the twin through its ordinary decision
 * interface (a stop or a start), never behind its back, and only for hosts with no action still
 * in progress (their state is about to change anyway).
 */
import type { Twin } from "../simulator/twin.ts";
import { HOST_BOOTING, HOST_DRAINING, HOST_OFF, HOST_ON, type Decision, type Deployment, type Observation } from "../simulator/types.ts";
import { admitStarts, type Limits } from "./limits.ts";
import type { DispatchRequest, ObservedHost, TargetPlan } from "./types.ts";

export interface SyncChange {
  host: number;
  action: "start" | "stop";
  reason: string;
}

export function syncTwin(twin: Twin, hosts: readonly ObservedHost[]): SyncChange[] {
  const changes: SyncChange[] = [];
  for (const o of hosts) {
    if (o.busy) continue;
    const tw = twin.hostTotals(o.host).state;
    const realGone = o.phase === "off" || o.phase === "failed";
    const twinUp = tw === HOST_BOOTING || tw === HOST_ON || tw === HOST_DRAINING;
    if (realGone && twinUp) {
      twin.apply({ provision: [{ host: o.host, action: "stop" }] });
      changes.push({ host: o.host, action: "stop", reason: `host ${o.host} is ${o.phase}` });
    } else if ((o.phase === "on" || o.phase === "booting") && tw === HOST_OFF) {
      twin.apply({ provision: [{ host: o.host, action: "start" }] });
      changes.push({ host: o.host, action: "start", reason: `host ${o.host} is ${o.phase}` });
    }
  }
  return changes;
}

export interface Validated {
  /** what the twin is asked to carry out */
  decision: Decision;
  refused: Array<{ host: number; reason: string }>;
  /** deployments held back: a host they name is not really serving (they stay pending) */
  heldBack: number;
}

/**
 * Checks a policy's decision against the limits and the observed hosts: starts beyond the limits
 * are refused; a deployment onto a host that is not really on is held back (the request stays
 * pending in the twin and is decided again).
 */
export function validate(d: Decision, hosts: readonly ObservedHost[], limits: Limits): Validated {
  const stops = new Set((d.provision ?? []).filter((p) => p.action === "stop").map((p) => p.host));
  const allocated = new Set<number>();
  for (const o of hosts) if (o.phase !== "off" && o.phase !== "failed" && !stops.has(o.host)) allocated.add(o.host);
  const starts = (d.provision ?? []).filter((p) => p.action === "start").map((p) => p.host);
  const price = (h: number) => hosts[h]?.pricePerHour ?? 0;
  const verdict = admitStarts(allocated, starts, price, limits);
  const allowed = new Set(verdict.allowed);
  const provision = (d.provision ?? []).filter((p) => p.action === "stop" || allowed.has(p.host));
  let heldBack = 0;
  const deploy: Deployment[] = [];
  for (const dep of d.deploy ?? []) {
    if (dep.hosts.every((h) => hosts[h]?.phase === "on")) deploy.push(dep);
    else heldBack++;
  }
  return { decision: { provision, deploy, reject: d.reject }, refused: verdict.refused, heldBack };
}

/**
 * The target's share of a decision the twin accepted: the twin's rejections (a host already on,
 * a full host) are left out, so the target does only what the twin does.
 */
export function targetPlan(d: Decision, rejected: ReadonlyArray<{ kind: string; target: string }>, obs: Observation): TargetPlan {
  const badHosts = new Set(rejected.filter((r) => r.kind === "provision").map((r) => r.target));
  const badRequests = new Set(rejected.filter((r) => r.kind === "deploy").map((r) => r.target));
  const pending = new Map(obs.pending.map((p) => [p.id, p]));
  const deploy: DispatchRequest[] = [];
  for (const dep of d.deploy ?? []) {
    if (badRequests.has(`request ${dep.request}`)) continue;
    const p = pending.get(dep.request);
    if (!p) continue;
    deploy.push({ id: p.id, app: p.app, variant: dep.variant, hosts: [...dep.hosts], size: p.size, arrivalS: p.arrival });
  }
  return {
    provision: (d.provision ?? []).filter((p) => !badHosts.has(`host ${p.host}`)).map((p) => ({ host: p.host, action: p.action })),
    deploy,
  };
}
