export { runProvider, type ProviderRunOptions, type ProviderRunResult } from "./run.ts";
export {
  providerScenarioSchema,
  providerBuiltins,
  ladderStep,
  resolveProviderScenario,
  VM_ALLOCATION_POLICY_NAMES,
  CLOUDLET_SCHEDULER_NAMES,
  type ProviderScenario,
  type ResolvedProviderScenario,
} from "./scenario.ts";
export { vmAllocationPolicies, fits, type VmAllocationPolicy, type VmAllocationPolicyFactory } from "./allocation/index.ts";
export { cloudletSchedulers, type CloudletScheduler } from "./scheduler/index.ts";
export { POWER_CURVES, DEFAULT_PROVIDER_CURVE, powerAt, type PowerCurveName } from "./power-curves.ts";
export { buildRequestRows, type ObjectiveTerms } from "./report.ts";
