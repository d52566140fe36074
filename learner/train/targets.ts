/**
 * Per-kind labels from a labelled state: what the expert chose for the hosts (which to start or
 * stop), each pending request (a variant, or wait) and each fragment (a host), as distributions.
 *
 * With alternatives (the expert's decision first, then the best others it scored) each alternative
 * is weighted by exp(-(score - own) / T), T = tieTemperature x max(|own|, 1e-9), own = the
 * decision's score (see alternativeWeights): an alternative
 * that trails by much more than T gets no weight, a near-tie shares the label, so a 1e-4 gap in
 * the look-ahead is not taught as a firm choice (one the search scored better: see TieRule). Without alternatives the labels are one-hot on
 * the expert's decision. Host labels for a fragment come from the alternatives that gave the
 * request the same variant as the expert's decision (the placement is taught under that variant).
 * A request the expert rejected counts as left waiting (the learner does not reject). Before
 * weighting, each alternative's hosts are renamed within groups of identical hosts to agree with
 * the expert's decision (symmetry.ts): a copy that keeps host 5 rather than the identical host 4
 * is the same decision, not a rival label.
 *
 * Provisioning is chosen one action per pass (decode/walk.ts): the label of a pass, given the
 * hosts already acted on, spreads each alternative's weight evenly over its actions not yet taken
 * (any of them is a right next step), or puts it on "done" when it has none left.
 */
import type { LabelledState } from "../../oracle/labels.ts";
import type { Decision } from "../../simulator/types.ts";
import { alignAlternative, identicalHostGroups } from "./symmetry.ts";
import { decisionKey } from "../decode/compare.ts";
import { KINDS, PROVISION_KEEP, PROVISION_START, PROVISION_STOP, V } from "../encoding/layout.ts";

export interface KindTargets {
  /** per alternative: its weight and its action per host (PROVISION_KEEP where none) */
  provision: Array<{ weight: number; action: Int8Array }>;
  /** by request id: [0] wait, [1 + k] variant kind k */
  variant: Map<number, Float64Array>;
  /** by request id: per fragment a distribution over hosts (under the expert's own variant) */
  host: Map<number, Float64Array[]>;
}

export const DEFAULT_TIE_TEMPERATURE = 0.01;

/**
 * How an alternative the search scored better than the expert's decision is weighed (the oracle
 * took its decision because that alternative failed its check on fresh samples):
 * "one-sided", as a tie (weight 1, like the decision itself); "two-sided", by its distance from the
 * decision's score like any other (exp(-|score - own| / T)), so a package the oracle refused as
 * too risky (say, stop ten hosts before any load is seen) is not taught as a near-equal choice,
 * while a near-tie still shares the label.
 */
export type TieRule = "one-sided" | "two-sided";
export const TIE_RULES: readonly TieRule[] = ["one-sided", "two-sided"];
export const DEFAULT_TIE_RULE: TieRule = "one-sided";

/**
 * Weights of the alternatives (sum 1); a single 1 when there are none. Scores are taken relative
 * to the expert's own decision (the first alternative): an alternative the search scored better
 * than the decision lost the oracle's check on fresh samples, so it counts as a tie, not as
 * better. Repeated alternatives count once.
 */
export function alternativeWeights(state: LabelledState, tieTemperature: number, rule: TieRule = DEFAULT_TIE_RULE): { decisions: Decision[]; weights: number[] } {
  const seen = new Set<string>();
  const alts = state.alternatives.filter((a) => {
    if (!Number.isFinite(a.score)) return false;
    const k = decisionKey(a.decision);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (alts.length === 0) return { decisions: [state.decision], weights: [1] };
  const own = alts.find((a) => decisionKey(a.decision) === decisionKey(state.decision));
  const ref = own ? own.score : Math.min(...alts.map((a) => a.score));
  const t = tieTemperature * Math.max(Math.abs(ref), 1e-9);
  const raw = alts.map((a) => Math.exp(-(rule === "two-sided" ? Math.abs(a.score - ref) : Math.max(0, a.score - ref)) / t));
  const sum = raw.reduce((x, y) => x + y, 0);
  // an alternative that only swaps identical hosts is the expert's decision again (symmetry.ts)
  const groups = identicalHostGroups(state.observation, state.workMI);
  const decisions = alts.map((a) => (groups.length > 0 ? alignAlternative(state.observation, state.decision, a.decision, groups) : a.decision));
  return { decisions, weights: raw.map((x) => x / sum) };
}

export function kindTargets(state: LabelledState, tieTemperature = DEFAULT_TIE_TEMPERATURE, rule: TieRule = DEFAULT_TIE_RULE): KindTargets {
  const obs = state.observation;
  const H = obs.hosts.count;
  const { decisions, weights } = alternativeWeights(state, tieTemperature, rule);
  const provision: KindTargets["provision"] = [];
  const variant = new Map<number, Float64Array>();
  const pendingIds = obs.pending.map((p) => p.id);
  for (const id of pendingIds) variant.set(id, new Float64Array(V + 1));
  decisions.forEach((d, a) => {
    const w = weights[a];
    const act = new Int8Array(H);
    for (const p of d.provision ?? []) {
      if (Number.isInteger(p.host) && p.host >= 0 && p.host < H) act[p.host] = p.action === "start" ? PROVISION_START : PROVISION_STOP;
    }
    provision.push({ weight: w, action: act });
    const chosen = new Map<number, number>();
    for (const dep of d.deploy ?? []) {
      const k = KINDS.indexOf(dep.variant);
      if (k >= 0 && !chosen.has(dep.request)) chosen.set(dep.request, 1 + k);
    }
    for (const id of pendingIds) variant.get(id)![chosen.get(id) ?? 0] += w;
  });
  // placements under the expert's own variant
  const host = new Map<number, Float64Array[]>();
  for (const dep of state.decision.deploy ?? []) {
    const dists = dep.hosts.map(() => new Float64Array(H));
    let total = 0;
    decisions.forEach((d, a) => {
      const same = (d.deploy ?? []).find((x) => x.request === dep.request && x.variant === dep.variant && x.hosts.length === dep.hosts.length);
      if (!same) return;
      total += weights[a];
      same.hosts.forEach((h, j) => {
        if (Number.isInteger(h) && h >= 0 && h < H) dists[j][h] += weights[a];
      });
    });
    if (total === 0) {
      // the decision itself is not among the alternatives: one-hot on it
      dep.hosts.forEach((h, j) => {
        if (Number.isInteger(h) && h >= 0 && h < H) dists[j][h] = 1;
      });
    }
    host.set(dep.request, dists);
  }
  return { provision, variant, host };
}

/**
 * The label of a provisioning pass over its 1 + 2H options (0 done, 1 + 2h start h, 2 + 2h stop h),
 * given the hosts already acted on in this decision; not normalised, not masked.
 */
export function provisionPassTarget(t: KindTargets, acted: Uint8Array, hosts: number): Float64Array {
  const out = new Float64Array(1 + 2 * hosts);
  for (const alt of t.provision) {
    let left = 0;
    for (let h = 0; h < alt.action.length; h++) if (acted[h] === 0 && alt.action[h] !== PROVISION_KEEP) left++;
    if (left === 0) {
      out[0] += alt.weight;
      continue;
    }
    for (let h = 0; h < alt.action.length; h++) {
      if (acted[h] === 0 && alt.action[h] !== PROVISION_KEEP) out[1 + 2 * h + (alt.action[h] - 1)] += alt.weight / left;
    }
  }
  return out;
}
