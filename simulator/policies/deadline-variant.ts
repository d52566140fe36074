import type { VariantKind } from "../catalogue/applications.ts";
import type { Observation, PendingRequest } from "../types.ts";
import type { DeploymentPart, PlacementTrial } from "./parts.ts";

/**
 * Deadline-aware deployment: the most accurate variant that meets the request's deadline on the
 * hosts it would get now (estimated: estimate.ts); if none would, the one estimated to finish
 * first, so the request is as little late as can be.
 */
export class DeadlineVariant implements DeploymentPart {
  readonly name = "deadline";

  choose(obs: Observation, req: PendingRequest, trial: (kind: VariantKind) => PlacementTrial | null): VariantKind {
    const byAccuracy = offered(obs, req.app).sort((a, b) => b.accuracy - a.accuracy);
    let fastest: VariantKind | null = null;
    let fastestS = Infinity;
    for (const v of byAccuracy) {
      const t = trial(v.kind);
      if (!t) continue;
      if (t.responseS <= req.deadline) return v.kind;
      if (t.responseS < fastestS) {
        fastestS = t.responseS;
        fastest = v.kind;
      }
    }
    return fastest ?? byAccuracy[0].kind;
  }

  /** for capacity planning: the least work among the most accurate variants (within 1 point) */
  usual(obs: Observation, app: number): VariantKind {
    const vs = offered(obs, app);
    const best = Math.max(...vs.map((v) => v.accuracy));
    const good = vs.filter((v) => v.accuracy >= best - 0.01);
    good.sort((a, b) => work(a) - work(b));
    return good[0].kind;
  }

  clone(): DeadlineVariant {
    return this;
  }
}

function offered(obs: Observation, app: number) {
  return obs.apps[app].variants.filter((v) => obs.variants.includes(v.kind));
}

function work(v: { fragments: readonly { mi: number }[] }): number {
  return v.fragments.reduce((s, f) => s + f.mi, 0);
}
