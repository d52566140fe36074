/**
 * Training examples: every labelled state is walked through the learner's own decoding passes
 * (decode/walk.ts) with the expert's decision making each choice (teacher forcing), and each pass
 * becomes one example - its inputs, and the targets and feasibility masks of the heads it
 * decides (the next provisioning action or "done" in provisioning passes, a request's variant and
 * its first fragment's host in the next, a host in each pass after that). The teacher takes the
 * expert's provisioning actions in host order. States are walked in step order within an episode,
 * so the boot-time estimate sees the same history as the live policy would.
 *
 * A label the masks do not allow (the expert chose something the twin would have rejected) is
 * dropped and counted; the walk then goes on as the twin would have: the host left as it is, the
 * request left waiting.
 */
import seedrandom from "seedrandom";
import type { LabelledState } from "../../oracle/labels.ts";
import { BootTracker } from "../encoding/boot.ts";
import { allocInputs, copyRow, type PassInputs } from "../encoding/encode.ts";
import { KINDS, PROVISION_KEEP, PROVISION_START, PROVISION_STOP, provisionChoice, provisionOptions, V, type ModelSizes } from "../encoding/layout.ts";
import type { DecisionDraft } from "../decode/draft.ts";
import { maskedArgmax } from "../decode/pick.ts";
import { walkDecision, type Chooser, type Pass } from "../decode/walk.ts";
import { sameDecision } from "../decode/compare.ts";
import { kindTargets, provisionPassTarget, type KindTargets, type TieRule } from "./targets.ts";

export interface ExampleSet {
  sizes: ModelSizes;
  n: number;
  inputs: PassInputs;
  /** [n, 1 + 2H] label of a provisioning pass (done, start / stop per host), zero where not taught */
  provisionTarget: Float32Array;
  /** [n, 1 + 2H] 1 = allowed */
  provisionMask: Float32Array;
  /** [n] 1 = a provisioning pass */
  provisionWeight: Float32Array;
  /** [n, V + 1] */
  variantTarget: Float32Array;
  variantMask: Float32Array;
  /** [n] */
  variantWeight: Float32Array;
  /** [n, H] */
  hostTarget: Float32Array;
  hostMask: Float32Array;
  /** [n, V] one-hot of the variant kind the fragment belongs to */
  hostKind: Float32Array;
  /** [n] */
  hostWeight: Float32Array;
  /** [n] index into `episodes` */
  episode: Int32Array;
  /** [n] index of the labelled state (in the order given) */
  state: Int32Array;
  episodes: string[];
}

export interface ExampleStats {
  states: number;
  examples: number;
  provisionExamples: number;
  variantExamples: number;
  hostExamples: number;
  /** expert labels outside the feasibility masks (dropped), among the choices that were open */
  dropped: { provision: number; variant: number; host: number };
  /** states where the teacher-forced walk rebuilt the expert's decision exactly */
  statesReproduced: number;
}

interface Row {
  inputs: PassInputs;
  provisionTarget?: Float32Array;
  provisionMask?: Float32Array;
  variantTarget?: Float32Array;
  variantMask?: Float32Array;
  hostTarget?: Float32Array;
  hostMask?: Float32Array;
  hostKind?: number;
  episode: number;
  state: number;
}

/** Keeps a target's mass on allowed entries, renormalised; falls back to one-hot on `fallback`. */
function maskedTarget(target: ArrayLike<number>, offset: number, n: number, mask: ArrayLike<number>, maskOffset: number, fallback: number, out: Float32Array, outOffset: number): void {
  let sum = 0;
  for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1) sum += target[offset + i];
  for (let i = 0; i < n; i++) out[outOffset + i] = sum > 0 && mask[maskOffset + i] === 1 ? target[offset + i] / sum : 0;
  if (sum <= 0 && fallback >= 0) out[outOffset + fallback] = 1;
}

class TeacherChooser implements Chooser {
  rows: Row[] = [];
  dropped = { provision: 0, variant: 0, host: 0 };
  private last: { pass: Pass; row: Row } | null = null;
  private readonly action: Int8Array;
  private readonly chosen = new Map<number, { kind: number; hosts: number[] }>();
  private readonly droppedHosts = new Set<number>();

  constructor(
    private readonly sizes: ModelSizes,
    private readonly state: LabelledState,
    private readonly targets: KindTargets,
    private readonly episode: number,
    private readonly index: number,
  ) {
    const H = state.observation.hosts.count;
    this.action = new Int8Array(H);
    for (const p of state.decision.provision ?? []) {
      if (Number.isInteger(p.host) && p.host >= 0 && p.host < H) this.action[p.host] = p.action === "start" ? PROVISION_START : PROVISION_STOP;
    }
    for (const d of state.decision.deploy ?? []) {
      const k = KINDS.indexOf(d.variant);
      if (k >= 0 && !this.chosen.has(d.request)) this.chosen.set(d.request, { kind: k, hosts: d.hosts });
    }
  }

  private row(pass: Pass): Row {
    if (this.last?.pass === pass) return this.last.row;
    const row: Row = { inputs: pass.inputs, episode: this.episode, state: this.index };
    this.rows.push(row);
    this.last = { pass, row };
    return row;
  }

  provision(pass: Pass, mask: Uint8Array, draft: DecisionDraft): number {
    const n = this.state.observation.hosts.count;
    const O = provisionOptions(this.sizes.hosts);
    const row = this.row(pass);
    // the expert's next action: its lowest-numbered host not yet acted on (done when none is left)
    let choice = 0;
    for (let h = 0; h < n && choice === 0; h++) {
      const a = this.action[h];
      if (a === PROVISION_KEEP || draft.acted[h] === 1) continue;
      const c = provisionChoice(h, a as typeof PROVISION_START | typeof PROVISION_STOP);
      if (mask[c] === 1) choice = c;
      else if (!this.droppedHosts.has(h)) {
        this.droppedHosts.add(h);
        this.dropped.provision++;
      }
    }
    row.provisionMask = new Float32Array(O);
    row.provisionMask.set(mask.subarray(0, 1 + 2 * n));
    row.provisionTarget = new Float32Array(O);
    maskedTarget(provisionPassTarget(this.targets, draft.acted, n), 0, 1 + 2 * n, mask, 0, choice, row.provisionTarget, 0);
    return choice;
  }

  variant(pass: Pass, mask: Uint8Array): number {
    const req = this.state.observation.pending[pass.request];
    const row = this.row(pass);
    const c = this.chosen.get(req.id);
    let choice = c ? 1 + c.kind : 0;
    if (mask[choice] !== 1) {
      this.dropped.variant++;
      choice = 0;
    }
    row.variantMask = Float32Array.from(mask);
    row.variantTarget = new Float32Array(V + 1);
    maskedTarget(this.targets.variant.get(req.id) ?? new Float64Array(V + 1), 0, V + 1, mask, 0, choice, row.variantTarget, 0);
    return choice;
  }

  host(pass: Pass, kind: number, mask: Uint8Array): number {
    const H = this.sizes.hosts;
    const n = this.state.observation.hosts.count;
    const req = this.state.observation.pending[pass.request];
    const j = pass.ctx.current!.fragment;
    const row = this.row(pass);
    const dist = this.targets.host.get(req.id)?.[j];
    const c = this.chosen.get(req.id);
    let h = c && c.kind === kind ? c.hosts[j] : -1;
    if (!(h >= 0 && h < n && mask[h] === 1)) {
      this.dropped.host++;
      h = dist ? maskedArgmax(dist, 0, n, mask) : -1;
      if (h < 0) h = maskedArgmax(new Float64Array(n), 0, n, mask);
    }
    row.hostMask = new Float32Array(H);
    row.hostMask.set(mask.subarray(0, n));
    row.hostTarget = new Float32Array(H);
    maskedTarget(dist ?? new Float64Array(n), 0, n, mask, 0, h, row.hostTarget, 0);
    row.hostKind = kind;
    return h;
  }
}

/** The provisioning rows and at most `max` of the others, drawn without replacement (kept in order). */
function keepSome(rows: Row[], max: number | undefined, seed: string): Row[] {
  const deploy = rows.map((r, i) => (r.provisionTarget ? -1 : i)).filter((i) => i >= 0);
  if (max === undefined || deploy.length <= max) return rows;
  const rng = seedrandom.alea(seed);
  for (let i = deploy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [deploy[i], deploy[j]] = [deploy[j], deploy[i]];
  }
  const keep = new Set(deploy.slice(0, max));
  return rows.filter((r, i) => r.provisionTarget || keep.has(i));
}

/** Groups states by episode, each in step order (the order the boot estimate needs). */
export function byEpisode(states: readonly LabelledState[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  states.forEach((s, i) => {
    let g = groups.get(s.episode);
    if (!g) groups.set(s.episode, (g = []));
    g.push(i);
  });
  for (const g of groups.values()) g.sort((a, b) => states[a].step - states[b].step);
  return groups;
}

export interface ExampleOptions {
  tieTemperature?: number;
  /** how alternatives the search scored better than the decision are weighed (targets.ts) */
  tieRule?: TieRule;
  /**
   * deployment passes kept per state at most, drawn at random (seeded by state) when a state has
   * more: under heavy load one interval holds dozens of requests, so the heaviest states would
   * outweigh the rest and slow training; every provisioning pass is kept (default: all)
   */
  deploymentPassesPerState?: number;
  seed?: number;
  /** walk the passes of a chunk-decoded model (layout 5, decode/walk.ts) */
  chunked?: boolean;
}

export function buildExamples(states: readonly LabelledState[], sizes: ModelSizes, opts: ExampleOptions = {}): { set: ExampleSet; stats: ExampleStats } {
  const rows: Row[] = [];
  const dropped = { provision: 0, variant: 0, host: 0 };
  let clean = 0;
  const episodes: string[] = [];
  for (const [name, idx] of byEpisode(states)) {
    const e = episodes.length;
    episodes.push(name);
    const boot = new BootTracker();
    for (const i of idx) {
      const s = states[i];
      const teacher = new TeacherChooser(sizes, s, kindTargets(s, opts.tieTemperature, opts.tieRule), e, i);
      const rebuilt = walkDecision(s.observation, boot.observe(s.observation), sizes, teacher, s.workMI, s.prior ?? null, opts.chunked ?? false);
      rows.push(...keepSome(teacher.rows, opts.deploymentPassesPerState, `${opts.seed ?? 0}:${name}:${s.step}`));
      const d = teacher.dropped;
      if (sameDecision(rebuilt, s.decision)) clean++;
      dropped.provision += d.provision;
      dropped.variant += d.variant;
      dropped.host += d.host;
    }
  }
  const set = packRows(rows, sizes, episodes);
  let pe = 0;
  let ve = 0;
  let he = 0;
  for (const r of rows) {
    if (r.provisionTarget) pe++;
    if (r.variantTarget) ve++;
    if (r.hostTarget) he++;
  }
  return {
    set,
    stats: { states: states.length, examples: rows.length, provisionExamples: pe, variantExamples: ve, hostExamples: he, dropped, statesReproduced: clean },
  };
}

type LabelField = Exclude<keyof ExampleSet, "sizes" | "n" | "inputs" | "episodes">;

/** Row width of each label array. */
function labelWidths(sizes: ModelSizes): Record<LabelField, number> {
  const H = sizes.hosts;
  return {
    provisionTarget: 1 + 2 * H,
    provisionMask: 1 + 2 * H,
    provisionWeight: 1,
    variantTarget: V + 1,
    variantMask: V + 1,
    variantWeight: 1,
    hostTarget: H,
    hostMask: H,
    hostKind: V,
    hostWeight: 1,
    episode: 1,
    state: 1,
  };
}

function emptySet(sizes: ModelSizes, n: number, episodes: string[]): ExampleSet {
  const w = labelWidths(sizes);
  const labels = {} as Record<LabelField, Float32Array | Int32Array>;
  for (const k of Object.keys(w) as LabelField[]) labels[k] = k === "episode" || k === "state" ? new Int32Array(n * w[k]) : new Float32Array(n * w[k]);
  return { sizes, n, inputs: allocInputs(sizes, n), episodes, ...(labels as Pick<ExampleSet, LabelField>) };
}

function packRows(rows: Row[], sizes: ModelSizes, episodes: string[]): ExampleSet {
  const H = sizes.hosts;
  const set = emptySet(sizes, rows.length, episodes);
  rows.forEach((r, i) => {
    copyRow(sizes, r.inputs, 0, set.inputs, i);
    if (r.provisionTarget) {
      set.provisionTarget.set(r.provisionTarget, i * (1 + 2 * H));
      set.provisionMask.set(r.provisionMask!, i * (1 + 2 * H));
      set.provisionWeight[i] = 1;
    }
    if (r.variantTarget) {
      set.variantTarget.set(r.variantTarget, i * (V + 1));
      set.variantMask.set(r.variantMask!, i * (V + 1));
      set.variantWeight[i] = 1;
    }
    if (r.hostTarget) {
      set.hostTarget.set(r.hostTarget, i * H);
      set.hostMask.set(r.hostMask!, i * H);
      set.hostKind[i * V + r.hostKind!] = 1;
      set.hostWeight[i] = 1;
    }
    set.episode[i] = r.episode;
    set.state[i] = r.state;
  });
  return set;
}

/** The examples whose episode passes `keep` (e.g. the training or the validation episodes). */
export function subset(set: ExampleSet, keep: (episode: string) => boolean): ExampleSet {
  const idx: number[] = [];
  for (let i = 0; i < set.n; i++) if (keep(set.episodes[set.episode[i]])) idx.push(i);
  return take(set, idx);
}

/** The examples at the given indices (in that order). */
export function take(set: ExampleSet, idx: readonly number[]): ExampleSet {
  const out = emptySet(set.sizes, idx.length, set.episodes);
  const w = labelWidths(set.sizes);
  idx.forEach((from, to) => {
    copyRow(set.sizes, set.inputs, from, out.inputs, to);
    for (const k of Object.keys(w) as LabelField[]) out[k].set(set[k].subarray(from * w[k], (from + 1) * w[k]), to * w[k]);
  });
  return out;
}

/** Two sets one after the other (episode lists merged by name). */
export function concat(a: ExampleSet, b: ExampleSet): ExampleSet {
  const episodes = [...a.episodes];
  const map = b.episodes.map((e) => {
    const i = episodes.indexOf(e);
    if (i >= 0) return i;
    episodes.push(e);
    return episodes.length - 1;
  });
  const out = emptySet(a.sizes, a.n + b.n, episodes);
  for (const k of Object.keys(out.inputs) as Array<keyof PassInputs>) {
    out.inputs[k].set(a.inputs[k], 0);
    out.inputs[k].set(b.inputs[k], a.inputs[k].length);
  }
  for (const k of Object.keys(labelWidths(a.sizes)) as LabelField[]) {
    out[k].set(a[k], 0);
    out[k].set(b[k], a[k].length);
  }
  b.episode.forEach((e, i) => (out.episode[a.n + i] = map[e]));
  return out;
}
