/**
 * The one place every kind of policy is wired together: the baselines (simulator/policies), the
 * oracle, the learner, and a user's own policy files. The oracle's and the learner's modules load
 * only when a run asks for them (ensurePolicies, called by the runner before a run), so baseline
 * runs start faster. The oracle's settings come from the PolicyContext options (see
 * oracle/settings.ts), and `options.twin` must return the live twin, which src/runner.ts passes
 * for every run; the learner's model file is `options.model` (default: the shipped model).
 */
import type { Twin } from "../simulator/twin.ts";
import { PolicyError, registerPolicy } from "../simulator/policies/registry.ts";
import { isPolicyFile, loadPolicyFile } from "../simulator/policies/policy-file.ts";

type OracleModule = typeof import("../oracle/policy.ts");
let oracle: OracleModule | undefined;
type LearnerModule = typeof import("../learner/policy.ts");
let learner: LearnerModule | undefined;

registerPolicy("oracle", "searches provisioning, deployment and placement jointly by running the twin ahead (flags: --oracle-evals, --oracle-horizon, --oracle-forks, --oracle-continuation, --clairvoyant, --oracle-budget-ms)", (ctx) => {
  if (!oracle) throw new PolicyError('policy "oracle" is not loaded: call ensurePolicies("oracle") (src/policies.ts) before creating it');
  const twin = ctx.options?.twin as (() => Twin) | undefined;
  if (typeof twin !== "function") {
    throw new PolicyError('policy "oracle" needs the live twin: pass options.twin, a function returning it, to createPolicy');
  }
  try {
    return oracle.createOracle(ctx, twin);
  } catch (e) {
    if (e instanceof Error && e.name === "OracleSettingsError") throw new PolicyError(e.message);
    throw e;
  }
});

registerPolicy("learner", "the imitation learner: an ONNX model of the oracle's decisions, one small network run per choice (option: model, an .onnx file from cotwin learn)", (ctx) => {
  if (!learner) throw new PolicyError('policy "learner" is not loaded: call ensurePolicies("learner") (src/policies.ts) before creating it');
  try {
    return learner.createLearner(ctx);
  } catch (e) {
    if (e instanceof Error && e.name === "LearnerModelError") throw new PolicyError(e.message);
    throw e;
  }
});

/** Loads what the named policies need (the oracle's module, a user's policy files) so createPolicy knows them. */
export async function ensurePolicies(...names: Array<string | undefined>): Promise<void> {
  for (const n of names) {
    if (n === undefined) continue;
    if (n === "oracle") oracle ??= await import("../oracle/policy.ts");
    else if (n === "learner") learner ??= await import("../learner/policy.ts");
    else if (isPolicyFile(n)) await loadPolicyFile(n);
  }
}

export { policyCatalogue } from "../simulator/policies/registry.ts";
