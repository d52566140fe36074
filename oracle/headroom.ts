/**
 * Headroom deployment, one of the oracle's starting points and the variant rule of its default
 * continuation: serve every request with its application's least-work variant, then spend the
 * capacity the fleet has left this interval on better variants, the most accuracy per unit of
 * extra work first.
 *
 * Capacity left = the work the hosts that are on can run in one interval (vCPUs x MIPS, at the
 * base rate while a B-series host is held there) minus the work they still hold (the policy's own
 * account, work-tracker.ts) minus the pending requests' least-work variants. Upgrades are taken
 * in order of accuracy points per extra MI (a compressed mobilenet_v2 served in full gains 0.22
 * points for 1,600 MI more; a resnext50 0.17 points for 22,560 MI more) while they fit, so under a
 * burst nothing is upgraded and on a quiet interval everything that pays is. An upgrade that
 * would miss its deadline on the host it would get is not taken.
 *
 * It is not one of the baselines `compare` runs: it is the oracle's own heuristic (a knapsack
 * over this interval's capacity), whose decisions the search starts from and the validation
 * forks must confirm.
 */
import type { AppSpec, VariantKind, VariantSpec } from "../simulator/catalogue/applications.ts";
import type { DeploymentPart, PlacementState, PlacementTrial } from "../simulator/policies/parts.ts";
import { HOST_ON, type Observation, type PendingRequest } from "../simulator/types.ts";

/** Per application: its least-work variant and the upgrade with the most accuracy per extra MI (null: none). */
interface AppPlan {
  cheap: VariantKind;
  cheapMI: number;
  up: VariantKind | null;
  /** extra MI of the upgrade at request size 1 */
  extraMI: number;
  /** accuracy gained per extra MI */
  perMI: number;
}

export class HeadroomVariant implements DeploymentPart {
  readonly name = "headroom";
  private chosen = new Map<number, VariantKind>();
  private plans: AppPlan[] = [];
  private plansFor: { apps: readonly AppSpec[]; variants: readonly VariantKind[] } | null = null;

  /**
   * @param margin share of the interval's capacity kept free (0 = spend it all; negative: spend
   *   that much more, the backlog running into the next interval)
   * @param share when given, the share of the interval's capacity it may fill at a decision (0:
   *   upgrade nothing then), in place of 1 - margin (the continuation's rule: continuation.ts
   *   headroomShare)
   */
  constructor(
    readonly margin = 0,
    readonly share?: (obs: Observation) => number,
  ) {}

  private plan(obs: Observation): AppPlan[] {
    const f = this.plansFor;
    if (f && f.apps === obs.apps && f.variants === obs.variants) return this.plans;
    this.plans = obs.apps.map((app) => appPlan(app, obs.variants));
    this.plansFor = { apps: obs.apps, variants: obs.variants };
    return this.plans;
  }

  prepare(obs: Observation, state: PlacementState): void {
    this.chosen.clear();
    if (obs.pending.length === 0) return;
    const fill = this.share ? this.share(obs) : 1 - this.margin;
    if (fill <= 0) return;
    const plans = this.plan(obs);
    const h = obs.hosts;
    let spare = 0;
    for (let i = 0; i < h.count; i++) {
      if (h.state[i] !== HOST_ON || state.usable[i] !== 1) continue;
      const rate = h.vcpus[i] * h.mipsPerVcpu[i] * (h.throttled[i] ? h.baseUtilisation[i] : 1);
      spare += rate * obs.intervalS * fill - (state.remainingMI?.[i] ?? 0);
    }
    const ups: PendingRequest[] = [];
    for (const req of obs.pending) {
      const p = plans[req.app];
      spare -= p.cheapMI * req.size;
      if (p.up !== null) ups.push(req);
    }
    if (spare <= 0 || ups.length === 0) return;
    ups.sort((a, b) => plans[b.app].perMI / b.size - plans[a.app].perMI / a.size || a.id - b.id);
    for (const req of ups) {
      const p = plans[req.app];
      const extra = p.extraMI * req.size;
      if (extra > spare) continue;
      spare -= extra;
      this.chosen.set(req.id, p.up!);
    }
  }

  choose(obs: Observation, req: PendingRequest, trial: (kind: VariantKind) => PlacementTrial | null): VariantKind {
    const p = this.plan(obs)[req.app];
    const kind = this.chosen.get(req.id);
    if (kind === undefined || kind === p.cheap) return p.cheap;
    const t = trial(kind);
    return t && t.responseS <= req.deadline ? kind : p.cheap;
  }

  usual(obs: Observation, app: number): VariantKind {
    return this.plan(obs)[app].cheap;
  }

  clone(): HeadroomVariant {
    return new HeadroomVariant(this.margin, this.share);
  }
}

function work(v: VariantSpec): number {
  let mi = 0;
  for (const f of v.fragments) mi += f.mi;
  return mi;
}

function appPlan(app: AppSpec, offered: readonly VariantKind[]): AppPlan {
  const some = app.variants.filter((v) => offered.includes(v.kind));
  const vs = some.length > 0 ? some : app.variants;
  // the least work (ties: the more accurate, then fewer fragments)
  let cheap = vs[0];
  for (const v of vs) {
    const d = work(v) - work(cheap);
    if (d < 0 || (d === 0 && (v.accuracy > cheap.accuracy || (v.accuracy === cheap.accuracy && v.fragments.length < cheap.fragments.length)))) cheap = v;
  }
  let up: VariantSpec | null = null;
  let perMI = 0;
  for (const v of vs) {
    const extra = work(v) - work(cheap);
    if (v.accuracy <= cheap.accuracy || extra <= 0) continue;
    const r = (v.accuracy - cheap.accuracy) / extra;
    if (r > perMI || (r === perMI && up && v.fragments.length < up.fragments.length)) {
      up = v;
      perMI = r;
    }
  }
  return { cheap: cheap.kind, cheapMI: work(cheap), up: up?.kind ?? null, extraMI: up ? work(up) - work(cheap) : 0, perMI };
}
