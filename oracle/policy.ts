/**
 * The oracle as a Policy: at each decision point it searches provisioning, deployment and
 * placement jointly, scoring each candidate by running forks of the live twin ahead.
 *
 * Policy.decide only receives an Observation, so the oracle is given a twin provider: a function
 * returning the live twin (the runner passes `options.twin`). The oracle checks that the twin is
 * at the observation's time, forks it, and never changes it.
 */
import { performance } from "node:perf_hooks";
import { RandomStream } from "../simulator/engine/random.ts";
import type { VariantKind } from "../simulator/catalogue/applications.ts";
import type { TwinModel } from "../simulator/model.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import type { Twin } from "../simulator/twin.ts";
import { HOST_BOOTING, HOST_DRAINING, HOST_OFF, HOST_ON, type Decision, type Observation, type Policy } from "../simulator/types.ts";
import { compileObjective, DEFAULT_OBJECTIVE } from "../simulator/objective.ts";
import type { PolicyContext } from "../simulator/policies/registry.ts";
import { SearchSpace, type Candidate } from "./candidate.ts";
import { continuationPolicy, noteAppliedTo, SEED_TARGETS, seedPolicies, targetSeed } from "./continuation.ts";
import { TwinPool } from "./pool.ts";
import { LookAhead } from "./score.ts";
import { clearlyBetter, SearchContext, TOP_KEPT, type Evaluator } from "./search/context.ts";
import type { Expert, LabelledState, ScoredDecision } from "./labels.ts";
import { runSearch } from "./search/index.ts";
import { DEFAULT_ORACLE_SETTINGS, parseOracleSettings, type OracleSettings } from "./settings.ts";

/** What the last search found (for data sets and diagnostics). */
export interface SearchReport {
  /** decision point index (0 = the first decision of the run) */
  step: number;
  bestScore: number;
  /** score of the best distinct candidate after the best (null if only one was scored) */
  runnerUpScore: number | null;
  evaluations: number;
  /** did the search's best beat the continuation's own decision on the validation forks (null: not checked) */
  validated: boolean | null;
  ms: number;
}

/** vCPUs of the hosts on or booting after a decision's provisioning actions. */
function vcpusAfter(obs: Observation, d: Decision): number {
  const h = obs.hosts;
  const on = new Uint8Array(h.count);
  for (let i = 0; i < h.count; i++) on[i] = h.state[i] === HOST_ON || h.state[i] === HOST_BOOTING ? 1 : 0;
  for (const p of d.provision ?? []) {
    if (p.host < 0 || p.host >= h.count) continue;
    if (p.action === "start" && (h.state[p.host] === HOST_OFF || h.state[p.host] === HOST_DRAINING)) on[p.host] = 1;
    if (p.action === "stop") on[p.host] = 0;
  }
  let v = 0;
  for (let i = 0; i < h.count; i++) if (on[i]) v += h.vcpus[i];
  return v;
}


export interface OracleDeps {
  model: TwinModel;
  seed: number;
  /** returns the live twin, at the decision point being decided */
  twin: () => Twin;
  /** the scenario (needed for the objective and by worker threads to rebuild the twin) */
  scenario?: TenantScenario;
  source?: string;
  /** a PolicyContext for named continuation policies */
  ctx: PolicyContext;
}

export class OraclePolicy implements Policy {
  readonly name = "oracle";
  readonly settings: OracleSettings;
  /** decisions applied so far, in order (the replay log of worker threads) */
  readonly history: Decision[] = [];
  last: SearchReport | null = null;
  /** the last decision's scored alternatives (the decision first), as label() returned them */
  lastAlternatives: ScoredDecision[] = [];
  private lookAhead: LookAhead;
  private seedPolicies: Policy[];
  /** target tracking at the SEED_TARGETS levels, whose decisions start the search as courses */
  private targetSeeds: Policy[];
  private pool: TwinPool | null = null;
  /** measured cost of one evaluation at the last decision (a hard wall-clock limit plans with it) */
  private evalMsHint: number | undefined;
  /**
   * The standing course: per application, the variant the last decision's course kept (null: the
   * continuation's own). The next decision seeds its search with it and keeps it while it does at
   * least as well as the continuation's own decision on fresh samples, so a course once validated
   * (say, serving a cheap model in full) is followed rather than found again at every decision
   * point, and dropped once it does worse (see label()).
   */
  course: Array<VariantKind | null> | null = null;

  constructor(
    readonly deps: OracleDeps,
    settings: Partial<OracleSettings> = {},
  ) {
    this.settings = { ...DEFAULT_ORACLE_SETTINGS, ...settings };
    const s = this.settings;
    const expression = deps.scenario?.objective ?? DEFAULT_OBJECTIVE;
    const objective = compileObjective(expression, `${deps.source ?? "scenario"}: objective`, deps.scenario?.economics);
    const continuation = continuationPolicy(s.continuation, deps.ctx);
    this.lookAhead = new LookAhead(deps.model, objective, continuation, s);
    this.seedPolicies = s.baselineSeeds ? seedPolicies(deps.ctx) : [];
    this.targetSeeds = s.baselineSeeds && s.continuation === "default" ? SEED_TARGETS.map((u) => targetSeed(deps.model, u)) : [];
    if (s.workers > 0) {
      if (!deps.scenario) throw new Error("oracle: worker threads need the scenario (options.scenario) to rebuild the twin");
      this.pool = new TwinPool({
        scenario: deps.scenario,
        source: deps.source ?? deps.scenario.name,
        seed: deps.seed,
        workers: s.workers,
        lookAhead: s,
        continuation: s.continuation,
      });
    }
  }

  decide(obs: Observation): Decision {
    const twin = this.deps.twin();
    if (twin.now !== obs.time || twin.interval !== obs.interval) {
      throw new Error(`oracle: the twin provider returned a twin at t=${twin.now} s (interval ${twin.interval}), but the observation is at t=${obs.time} s (interval ${obs.interval}); it must return the live twin`);
    }
    const step = this.history.length;
    const { decision, alternatives } = this.label(twin, obs, `${this.deps.seed}:${step}`, step);
    this.lastAlternatives = alternatives;
    this.history.push(decision);
    return decision;
  }

  /**
   * Decides at the state `twin` is in (observed as `obs`), without changing it, and returns the
   * decision with the best distinct candidates scored (best first, look-ahead scores, lower is
   * better). The oracle's continuation and seed baselines keep state: call it at every decision
   * point of one run, in order (decide() does; so does a learner's DAgger expert per episode).
   * `salt` names the sampled futures (the same salt, the same samples).
   */
  label(twin: Twin, obs: Observation, salt: string, step = this.history.length): { decision: Decision; alternatives: ScoredDecision[] } {
    const t0 = performance.now();
    const space = new SearchSpace(obs, this.deps.model);
    // the continuation and the seed baselines see every live observation (they keep state)
    const base = this.lookAhead.observe(obs);
    const seedDecisions = [base, ...this.seedPolicies.map((p) => p.decide(obs))];
    const targetDecisions = this.targetSeeds.map((p) => p.decide(obs));
    space.baseVcpus = vcpusAfter(obs, base);
    space.steerable = this.settings.continuation === "default";
    if (space.changeable.length === 0 && space.requests.length === 0) {
      this.last = { step, bestScore: NaN, runnerUpScore: null, evaluations: 0, validated: null, ms: performance.now() - t0 };
      this.tellApplied(obs, {});
      return { decision: {}, alternatives: [] };
    }
    const baseCandidate = space.fromDecision(base);
    const seeds = this.settings.baselineSeeds ? seedDecisions.map((d) => space.fromDecision(d)) : [];
    const onCourse = this.alongCourse(space, baseCandidate);
    if (space.key(onCourse) !== space.key(baseCandidate)) seeds.unshift(onCourse);
    targetDecisions.forEach((d, i) => {
      const c = space.fromDecision(d);
      c.target = SEED_TARGETS[i];
      c.targetVcpus = vcpusAfter(obs, d);
      seeds.push(c);
    });
    const ctx = this.search(space, obs, twin, salt, seeds);
    let best: Candidate = ctx.best?.candidate ?? space.empty();
    let validated: boolean | null = null;
    let validatedScore = NaN;
    const V = this.settings.validationForks;
    if (V > 0 && !this.settings.clairvoyant) {
      // The standing course is kept while, on fresh samples, it does at least as well as the
      // continuation's own decision (mean), and dropped as soon as it does worse: adopting a
      // course takes clear evidence (below), leaving it takes none, so a course found at a calm
      // time does not outlive a burst.
      let reference = baseCandidate;
      let ref: number[] | null = null;
      if (space.key(onCourse) !== space.key(baseCandidate)) {
        const plain = this.lookAhead.scoreEach(twin, space.toEvaluation(baseCandidate), salt, V);
        const kept = this.lookAhead.scoreEach(twin, space.toEvaluation(onCourse), salt, V);
        if (mean(kept) <= mean(plain)) {
          reference = onCourse;
          ref = kept;
        } else ref = plain;
      }
      if (space.key(best) !== space.key(reference)) {
        // The winner of many candidates scored on the same few samples is biased in its own
        // favour; it replaces the reference only if it is better on fresh samples, fork by fork,
        // by a clear margin (mean paired gain above two standard errors).
        // A package of changes can fail on one risky part (a host stopped, a request deferred)
        // while another (a better variant for an application) is a clear gain: then the variants
        // alone (the course, on the reference decision) get their own check.
        const a = ref ?? this.lookAhead.scoreEach(twin, space.toEvaluation(reference), salt, V);
        const tried = new Set([space.key(reference)]);
        validated = false;
        for (const c of [best, space.withCourseOf(reference, best)]) {
          if (!c || tried.has(space.key(c))) continue;
          tried.add(space.key(c));
          const b = this.lookAhead.scoreEach(twin, space.toEvaluation(c), salt, V);
          if (clearlyBetter(a, b)) {
            best = c;
            validatedScore = mean(b);
            validated = true;
            break;
          }
        }
        if (!validated) {
          best = reference;
          validatedScore = mean(a);
        }
      }
    }
    const decision = space.toDecision(best);
    this.tellApplied(obs, decision);
    if (space.steerable) this.course = courseOf(space, best);
    // the alternatives: the decision taken first (with its search score), then the best others
    const bestKey = space.key(best);
    // (distinct decisions: candidates that differ only in their course give the same one; the
    // learner counts a repeated decision once anyway, so its labels are the same either way)
    const alternatives: ScoredDecision[] = [{ decision, score: ctx.cachedScore(best) ?? validatedScore }];
    const kept = new Set([JSON.stringify(decision)]);
    for (const t of ctx.top) {
      if (t.key === bestKey || alternatives.length >= TOP_KEPT) continue;
      const d = space.toDecision(t.candidate);
      const k = JSON.stringify(d);
      if (kept.has(k)) continue;
      kept.add(k);
      alternatives.push({ decision: d, score: t.score });
    }
    this.last = {
      step,
      bestScore: ctx.best?.score ?? NaN,
      runnerUpScore: ctx.runnerUp?.score ?? null,
      evaluations: ctx.evaluations,
      validated,
      ms: performance.now() - t0,
    };
    return { decision, alternatives };
  }

  /**
   * The continuation and the seeds keep an account of the hosts' work: it follows the decision
   * applied (the oracle's own, or another policy's when the oracle only labels its states).
   */
  tellApplied(obs: Observation, decision: Decision): void {
    noteAppliedTo(this.lookAhead.continuation, obs, decision);
    for (const p of this.seedPolicies) noteAppliedTo(p, obs, decision);
    for (const p of this.targetSeeds) noteAppliedTo(p, obs, decision);
  }

  /** `c` with the standing course's variants for every application it sets (c itself if none). */
  private alongCourse(space: SearchSpace, c: Candidate): Candidate {
    if (!this.course || !space.steerable) return c;
    const out = space.clone(c);
    this.course.forEach((kind, a) => {
      const o = kind === null ? -1 : space.appKinds[a].indexOf(kind);
      if (o >= 0) space.setAppOption(out, a, o, null);
    });
    return out;
  }

  /** Runs the configured search at one decision point and returns its context (best, runner-up). */
  search(space: SearchSpace, _obs: Observation, twin: Twin, salt: string, seeds: Candidate[]): SearchContext {
    const s = this.settings;
    const evaluator: Evaluator = this.pool
      ? this.pool.evaluator(twin, this.history, salt, this.lookAhead)
      : { evaluate: (items) => items.map((e) => this.lookAhead.scoreForks(twin, e.decision, salt, e.course)) };
    const ctx = new SearchContext(
      space,
      evaluator,
      new RandomStream(`oracle:${salt}`),
      { evals: s.budgetEvals ?? undefined, ms: s.budgetMs ?? undefined, patience: s.patience, evalMsHint: this.evalMsHint },
      seeds,
    );
    runSearch(s.method, ctx, { batch: s.batch ?? (s.workers > 0 ? 4 * (s.workers + 1) : 1), population: s.population });
    if (ctx.evaluations > 0) this.evalMsHint = ctx.evalMs();
    return ctx;
  }

  /**
   * Records a decision applied without asking the oracle (a resumed data set replaying its log);
   * `obs` is the observation it was applied at, which the stateful continuation and seeds see;
   * `course` the standing course the oracle had after it (recorded with the decision).
   */
  noteApplied(decision: Decision, obs?: Observation, course?: Array<VariantKind | null> | null): void {
    if (course !== undefined) this.course = course;
    if (obs) {
      this.lookAhead.observe(obs);
      for (const p of this.seedPolicies) p.decide(obs);
      for (const p of this.targetSeeds) p.decide(obs);
      this.tellApplied(obs, decision);
    }
    this.history.push(decision);
  }

  /** How it decides, for the run summary: every output says whether the look-ahead saw the real future. */
  info(): Record<string, unknown> {
    const s = this.settings;
    return {
      lookAhead: s.clairvoyant
        ? "clairvoyant: forks see the run's real future arrivals"
        : "sampled: forks draw their own future (generators reseeded; a replayed trace block-bootstrapped from its past)",
      horizonIntervals: this.lookAhead.horizon,
      drainIntervals: this.lookAhead.drainIntervals,
      forks: s.forks,
      validationForks: s.validationForks,
      method: s.method,
      budgetEvals: s.budgetEvals,
      budgetMs: s.budgetMs,
      continuation: s.continuation,
      seeds: this.seedPolicies.map((p) => p.name),
    };
  }

  /** A copy with the same settings and log, scoring in this thread (worker pools are not shared). */
  clone(): OraclePolicy {
    const c = new OraclePolicy(this.deps, { ...this.settings, workers: 0 });
    c.history.push(...this.history);
    c.lookAhead = this.lookAhead.withContinuation(this.lookAhead.continuation.clone());
    c.seedPolicies = this.seedPolicies.map((p) => p.clone());
    c.course = this.course ? this.course.slice() : null;
    c.targetSeeds = this.targetSeeds.map((p) => p.clone());
    return c;
  }

  /** Stops the worker threads, if any (they never keep the process alive, but free them early). */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }
}

/**
 * The oracle for a run: settings come from `ctx.options` (budgetMs, budgetEvals, horizon, forks,
 * method, workers, ...; see settings.ts), overridden by `settings`.
 */
export function createOracle(ctx: PolicyContext, twinRef: () => Twin, settings: Partial<OracleSettings> = {}): OraclePolicy {
  const opts = ctx.options ?? {};
  const parsed = parseOracleSettings({ ...opts, ...settings });
  return new OraclePolicy(
    {
      model: ctx.model,
      seed: ctx.seed,
      twin: twinRef,
      scenario: opts.scenario as TenantScenario | undefined,
      source: opts.source as string | undefined,
      ctx,
    },
    parsed,
  );
}

/**
 * The oracle as the learner's expert (oracle/labels.ts): it labels any state of any twin - the
 * learner's own trajectories in DAgger rounds, or a baseline's - with its decision and the best
 * alternatives it scored. One oracle per episode, called at every decision point in order (its
 * continuation keeps state); the sampled futures are named by episode and step, so the same state
 * is labelled the same way in every round.
 */
export class OracleExpert implements Expert {
  readonly name = "oracle";
  private readonly byEpisode = new Map<string, OraclePolicy>();

  constructor(
    private readonly make: (episode: string) => OraclePolicy,
  ) {}

  label(twin: Twin, obs: Observation, episode: string, step: number): LabelledState {
    let o = this.byEpisode.get(episode);
    if (!o) {
      o = this.make(episode);
      this.byEpisode.set(episode, o);
    }
    const { decision, alternatives } = o.label(twin, obs, `${episode}:${step}`, step);
    return { episode, step, observation: obs, decision, alternatives };
  }

  /** Another policy acted at this state: the episode's oracle follows what was applied. */
  applied(obs: Observation, decision: Decision, episode: string): void {
    this.byEpisode.get(episode)?.tellApplied(obs, decision);
  }

  /** Frees an episode's oracle (its continuation state) once the episode is labelled. */
  endEpisode(episode: string): void {
    this.byEpisode.get(episode)?.close();
    this.byEpisode.delete(episode);
  }
}

/** The per-application variants of a candidate's course (null if it keeps the continuation's own everywhere). */
function courseOf(space: SearchSpace, c: Candidate): Array<VariantKind | null> | null {
  let any = false;
  const out: Array<VariantKind | null> = [];
  for (let a = 0; a < space.appCount; a++) {
    const o = c.course[a];
    out.push(o < 0 ? null : space.appKinds[a][o]);
    if (o >= 0) any = true;
  }
  return any ? out : null;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
