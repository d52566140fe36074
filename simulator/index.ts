/**
 * cotwin's public types for a user's own policy (`--policy ./my-policy.ts`): the decision
 * contract and the host state codes. `import type { Policy, ... } from "cotwin"`.
 */
export type { Decision, Deployment, HostsObservation, Observation, PendingRequest, Policy, ProvisionAction } from "./types.ts";
export { HOST_BOOTING, HOST_DRAINING, HOST_FAILED, HOST_OFF, HOST_ON, HOST_STATE_NAMES } from "./types.ts";
export type { PolicyContext } from "./policies/registry.ts";
export type { AppSpec, VariantKind } from "./catalogue/applications.ts";
