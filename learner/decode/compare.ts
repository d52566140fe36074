/**
 * Decisions compared as sets of actions: provisioning actions by host, deployments by request
 * (the twin applies them in the order given, but a decision the learner builds in arrival order
 * means the same as one listing them otherwise). Empty lists count as absent.
 */
import type { Decision } from "../../simulator/types.ts";

/** A canonical text of a decision (equal texts: the same decision). */
export function decisionKey(d: Decision): string {
  const prov = [...(d.provision ?? [])].sort((a, b) => a.host - b.host).map((p) => `${p.host}${p.action === "start" ? "+" : "-"}`);
  const dep = [...(d.deploy ?? [])].sort((a, b) => a.request - b.request).map((x) => `${x.request}:${x.variant}@${x.hosts.join(",")}`);
  const rej = [...(d.reject ?? [])].sort((a, b) => a - b);
  return `${prov.join(" ")}|${dep.join(" ")}|${rej.join(" ")}`;
}

export function sameDecision(a: Decision, b: Decision): boolean {
  return decisionKey(a) === decisionKey(b);
}
