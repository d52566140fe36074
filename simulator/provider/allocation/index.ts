import type { VmAllocationPolicyName } from "../scenario.ts";
import { bestFit } from "./best-fit.ts";
import { firstFit } from "./first-fit.ts";
import { nextFit } from "./next-fit.ts";
import type { VmAllocationPolicyFactory } from "./policy.ts";
import { roundRobin } from "./round-robin.ts";
import { worstFit } from "./worst-fit.ts";

export { fits, type VmAllocationPolicy, type VmAllocationPolicyFactory } from "./policy.ts";

/** Every VM allocation policy by the name scenarios use. Adding one: a file and a line here. */
export const vmAllocationPolicies: Record<VmAllocationPolicyName, VmAllocationPolicyFactory> = {
  "first-fit": firstFit,
  "next-fit": nextFit,
  "best-fit": bestFit,
  "worst-fit": worstFit,
  "round-robin": roundRobin,
};

export function vmAllocationPolicy(name: string): VmAllocationPolicyFactory {
  const f = (vmAllocationPolicies as Record<string, VmAllocationPolicyFactory | undefined>)[name];
  if (!f) throw new Error(`unknown VM allocation policy "${name}"; known: ${Object.keys(vmAllocationPolicies).join(", ")}`);
  return f;
}
