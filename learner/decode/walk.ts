/**
 * The order in which the learner builds a decision, shared by inference and by the making of
 * training examples (so the model is trained on exactly the passes it will see):
 *
 *   provisioning passes (phase 0), each choosing one host to start or stop, or "done" (each host
 *     at most once; host tokens show the actions chosen so far, so identical hosts need not all
 *     get the same action: the first is stopped, then the model sees one host fewer on);
 *   then, for each pending request in arrival order, in chunks of `sizes.requests` tokens:
 *     a pass (phase 1) with the request as current and fragment 0 -> its variant, or wait,
 *       and a host for fragment 0 under each variant kind;
 *     for fragments 1.. of the chosen variant, a pass each (the earlier fragments placed) -> a host;
 *   a choice with one option (only waiting is possible, one host fits) is made without a pass.
 *
 * Host tokens in phase 1 show the state after provisioning and the fragments placed so far, so a
 * placement sees the load the earlier ones added (least-loaded behaviour is expressible). A
 * Chooser makes each choice from the allowed set: the model's argmax (inference) or the
 * expert's label (training).
 *
 * Decoded by chunk (`chunked`, layout 5), the passes of a chunk share one encoder run: the chunk's
 * pass encodes the state at its first request (no request current, phase 1 after the first
 * chunk), and each choice in it is a step on that run (Pass.encoder), given the request's slot,
 * the fragment and the placements made since the run (encodeStep), so a model runs once per
 * chunk instead of once per choice. The last provisioning pass (the one that chose done) sees the
 * state the first chunk starts from, so it is that chunk's run too: a decision with no
 * provisioning change and at most `sizes.requests` pending requests is one model run.
 */
import type { Decision, Observation } from "../../simulator/types.ts";
import { allocInputs, encodePass, encodeStep, fleetStats, sizeMismatch, SizeError, StepBase, type PassContext, type PassInputs } from "../encoding/encode.ts";
import { inputDims, KINDS as KINDS_, PROVISION_START, PROVISION_STOP, V as V_, type ModelSizes } from "../encoding/layout.ts";
import { DecisionDraft } from "./draft.ts";

// module-local copies (read per request; see decode/step.ts)
const KINDS = KINDS_;
const V = V_;

/** One pass: its inputs (row 0 of `inputs`) and what it decides. */
export interface Pass {
  inputs: PassInputs;
  ctx: PassContext;
  /** index in obs.pending of the current request (-1 in the provisioning pass) */
  request: number;
  /**
   * decoded by chunk: the chunk's pass whose encoder run this step uses (its own inputs share
   * that pass's encoder arrays and add the step's slot, fragment, delta and progress)
   */
  encoder?: Pass;
}

export interface Chooser {
  /** one of 1 + 2H options within `mask`: 0 = done, 1 + 2h = start host h, 2 + 2h = stop it */
  provision(pass: Pass, mask: Uint8Array, draft: DecisionDraft): number;
  /** 0 = wait, 1 + k = variant kind k, within `mask` */
  variant(pass: Pass, mask: Uint8Array, draft: DecisionDraft): number;
  /** a host for fragment `pass.ctx.current.fragment` under variant kind `kind`, within `mask` (at least one allowed) */
  host(pass: Pass, kind: number, mask: Uint8Array, draft: DecisionDraft): number;
  /**
   * true when the chooser reads a pass only during the call that receives it (inference): the
   * chunk walk then writes every step into one set of step rows instead of fresh ones (a chooser
   * that keeps passes, as the making of training examples does, leaves it unset)
   */
  readonly transient?: boolean;
}

/**
 * `workMI`: the acting policy's account of the work each host holds (work-tracker.ts), before this
 * decision; `prior`: the workload model's expected arrivals in the next intervals (encodePass).
 */
export function walkDecision(obs: Observation, bootLeft: Float64Array, sizes: ModelSizes, chooser: Chooser, workMI?: ArrayLike<number>, prior: ArrayLike<number> | null = null, chunked = false): Decision {
  const why = sizeMismatch(obs, sizes);
  if (why) throw new SizeError(`the observation has ${why}`);
  const draft = new DecisionDraft(obs, workMI);
  const fleet = fleetStats(obs);
  const pass = (ctx: PassContext, request: number): Pass => {
    const inputs = allocInputs(sizes, 1);
    encodePass(draft, bootLeft, fleet, sizes, ctx, inputs, 0, prior);
    return { inputs, ctx, request };
  };

  const pmask = new Uint8Array(1 + 2 * obs.hosts.count);
  let last: Pass | null = null;
  while (draft.provisionMask(pmask) > 0) {
    const p = pass({ phase: 0, chunkStart: 0, current: null }, -1);
    const c = chooser.provision(p, pmask, draft);
    if (c <= 0) {
      last = p;
      break;
    }
    if (pmask[c] !== 1) throw new Error(`learner: provisioning option ${c} is not allowed`);
    draft.provisionHost((c - 1) >> 1, c % 2 === 1 ? PROVISION_START : PROVISION_STOP);
  }
  if (chunked) {
    walkChunks(draft, sizes, chooser, (ctx) => (ctx.chunkStart === 0 && last ? last : pass(ctx, -1)), fleet);
    return draft.toDecision();
  }

  const vmask = new Uint8Array(V + 1);
  const hmask = new Uint8Array(obs.hosts.count);
  const R = sizes.requests;
  for (let r = 0; r < obs.pending.length; r++) {
    const chunkStart = r - (r % R);
    const slot = r - chunkStart;
    deployRequest(draft, r, chooser, (fragment) => pass({ phase: 1, chunkStart, current: { slot, fragment } }, r), vmask, hmask);
  }
  return draft.toDecision();
}

/**
 * Decides pending request r: its variant (or wait), then a host per fragment. `passFor(j, hosts)`
 * encodes the pass of fragment j (`hosts`: those of the fragments before it); passes are made
 * only when a choice is open - a request that can only wait, or a fragment that fits on one host,
 * needs no model run (and teaches nothing) - and fragment 0 is placed from the variant's pass.
 */
function deployRequest(draft: DecisionDraft, r: number, chooser: Chooser, passFor: (fragment: number, hosts: readonly number[]) => Pass, vmask: Uint8Array, hmask: Uint8Array): void {
  const obs = draft.obs;
  draft.variantMask(r, vmask);
  let open = 0;
  for (let k = 1; k <= V; k++) open += vmask[k];
  const hosts: number[] = [];
  const first = open === 0 ? null : passFor(0, hosts);
  const choice = first === null ? 0 : chooser.variant(first, vmask, draft);
  if (choice <= 0 || vmask[choice] !== 1) {
    draft.waitRequest(r);
    return;
  }
  const k = choice - 1;
  const v = draft.variants[r][k]!;
  const ram = v.fragments.map((f) => f.ramMB);
  for (let j = 0; j < ram.length; j++) {
    const n = draft.hostMask(ram, j, hmask);
    if (n === 0) throw new Error(`learner: no host for fragment ${j} of request ${obs.pending[r].id} although its variant was allowed`);
    const h = n === 1 ? hmask.indexOf(1) : chooser.host(j === 0 ? first! : passFor(j, hosts), k, hmask, draft);
    if (hmask[h] !== 1) throw new Error(`learner: host ${h} chosen for fragment ${j} of request ${obs.pending[r].id} is not allowed`);
    draft.placeFragment(h, ram[j], v.parallel || j === 0, v.fragments[j].mi * obs.pending[r].size);
    hosts.push(h);
  }
  draft.finishRequest(r, KINDS[k], hosts);
}

/** The deployment passes decoded by chunk (see the header); `chunkPass` encodes a chunk's run. */
function walkChunks(draft: DecisionDraft, sizes: ModelSizes, chooser: Chooser, chunkPass: (ctx: PassContext) => Pass, fleet: ReturnType<typeof fleetStats>): void {
  const obs = draft.obs;
  const vmask = new Uint8Array(V + 1);
  const hmask = new Uint8Array(obs.hosts.count);
  const R = sizes.requests;
  const d = inputDims(sizes);
  let enc: Pass | null = null;
  let base: StepBase | null = null;
  const stepRows = (): Pick<PassInputs, "slot" | "fragment" | "delta" | "progress"> => ({
    slot: new Float32Array(d.slot),
    fragment: new Float32Array(d.fragment),
    delta: new Float32Array(d.delta),
    progress: new Float32Array(d.progress),
  });
  // encodeStep writes every value of the step rows, so a transient chooser's steps share one set
  const shared = chooser.transient ? stepRows() : null;
  let r = 0;
  let chunkStart = 0;
  // one step closure for the whole walk (one made per request would cost the loader's name helper
  // each time); the chunk's run is made on its first open choice (a chunk that can only wait needs none)
  const step = (fragment: number, sameRequest: readonly number[]): Pass => {
    if (!enc) {
      enc = chunkPass({ phase: chunkStart > 0 ? 1 : 0, chunkStart, current: null });
      base = new StepBase(draft, chunkStart);
    }
    const e = enc.inputs;
    const inputs: PassInputs = { hosts: e.hosts, hostMask: e.hostMask, requests: e.requests, requestMask: e.requestMask, global: e.global, ...(shared ?? stepRows()) };
    encodeStep(draft, base!, fleet, sizes, chunkStart, r, fragment, sameRequest, inputs, 0);
    return { inputs, ctx: { phase: enc.ctx.phase, chunkStart, current: { slot: r - chunkStart, fragment } }, request: r, encoder: enc };
  };
  for (; r < obs.pending.length; r++) {
    chunkStart = r - (r % R);
    if (r === chunkStart) {
      enc = null;
      base = null;
    }
    deployRequest(draft, r, chooser, step, vmask, hmask);
  }
}
