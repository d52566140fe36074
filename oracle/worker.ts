/**
 * A scoring worker (see pool.ts): rebuilds the twin from the scenario and the seed (reading a
 * trace workload from its files, as the run did), follows the live twin by replaying its decision
 * log, and scores batches of candidates with the look-ahead.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { RandomStreams } from "../simulator/engine/random.ts";
import { Twin } from "../simulator/twin.ts";
import { buildTwinModel, scenarioObjective } from "../simulator/scenarios.ts";
import { loadArrivals } from "../workloads/scenario-workload.ts";
import { continuationPolicy, noteAppliedTo } from "./continuation.ts";
import type { EvalReply, EvalRequest, PoolSpec } from "./pool.ts";
import { fingerprint, sameFingerprint, TwinStepper } from "./replay.ts";
import { LookAhead } from "./score.ts";
import { isPolicyFile, loadPolicyFile } from "../simulator/policies/policy-file.ts";

const { spec, ctrl, index, replies } = workerData as { spec: PoolSpec; ctrl: Int32Array; index: number; replies: MessagePort };

const model = buildTwinModel(spec.scenario, spec.source);
const streams = new RandomStreams(spec.seed);
// trace workloads are read from their files here, as the run read them (top-level await)
const twin = new Twin(model, await loadArrivals(spec.scenario, model, streams, spec.source), spec.seed);
const stepper = new TwinStepper(twin);
// a user's continuation policy file is loaded in this thread too (registries are per thread)
if (isPolicyFile(spec.continuation)) await loadPolicyFile(spec.continuation);
const objective = scenarioObjective(spec.scenario, spec.source);
const lookAhead = new LookAhead(model, objective, continuationPolicy(spec.continuation, { model, seed: spec.seed, streams: new RandomStreams(spec.seed) }), spec.lookAhead);

function reply(r: EvalReply): void {
  replies.postMessage(r);
  Atomics.add(ctrl, index, 1);
  Atomics.notify(ctrl, index);
}

let observedAt = -1;
let lastObs: ReturnType<typeof stepper.observe> | null = null;
function observeOnce(): void {
  const obs = stepper.observe();
  if (observedAt === stepper.decisions) return;
  observedAt = stepper.decisions;
  lastObs = obs;
  lookAhead.observe(obs);
}

parentPort!.on("message", (req: EvalRequest) => {
  try {
    if (req.historyFrom !== stepper.decisions) {
      throw new Error(`replay log out of step: worker at decision ${stepper.decisions}, batch continues from ${req.historyFrom}`);
    }
    // the continuation keeps state: it sees every decision point's observation once, as the live one does
    for (const d of req.history) {
      observeOnce();
      // its account of the hosts' work follows the decision the oracle applied, as the live one's does
      if (lastObs) noteAppliedTo(lookAhead.continuation, lastObs, d);
      stepper.apply(d);
    }
    observeOnce();
    const fp = fingerprint(twin);
    if (!sameFingerprint(fp, req.fingerprint)) {
      throw new Error(`replayed twin differs from the live twin at decision ${stepper.decisions}: [${fp.join(", ")}] vs [${req.fingerprint.join(", ")}]`);
    }
    reply({ seq: req.seq, scores: req.items.map((e) => lookAhead.scoreForks(twin, e.decision, req.salt, e.course)) });
  } catch (e) {
    reply({ seq: req.seq, error: e instanceof Error ? e.message : String(e) });
  }
});

Atomics.add(ctrl, ctrl.length - 1, 1);
Atomics.notify(ctrl, ctrl.length - 1);
