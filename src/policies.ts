/**
 * Registers the "oracle" policy (import this module for its side effect). Its settings come from
 * the PolicyContext options (see settings.ts); `options.twin` must return the live twin, which
 * src/runner.ts passes for every run.
 */
import type { Twin } from "../simulator/twin.ts";
import { PolicyError, registerPolicy } from "../simulator/policies/registry.ts";
import { createOracle } from "../oracle/policy.ts";
import { OracleSettingsError } from "../oracle/settings.ts";

registerPolicy("oracle", "searches provisioning, deployment and placement jointly by running the twin ahead (options: budgetMs, horizon, forks, method)", (ctx) => {
  const twin = ctx.options?.twin as (() => Twin) | undefined;
  if (typeof twin !== "function") {
    throw new PolicyError('policy "oracle" needs the live twin: pass options.twin, a function returning it, to createPolicy');
  }
  try {
    return createOracle(ctx, twin);
  } catch (e) {
    if (e instanceof OracleSettingsError) throw new PolicyError(e.message);
    throw e;
  }
});
