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
import type { TwinModel } from "../simulator/model.ts";
import type { TenantScenario } from "../simulator/scenario.ts";
import type { Twin } from "../simulator/twin.ts";
import type { Decision, Observation, Policy } from "../simulator/types.ts";
import { compileObjective, DEFAULT_OBJECTIVE } from "../simulator/objective.ts";
import type { PolicyContext } from "../simulator/policies/registry.ts";
import { SearchSpace, type Candidate } from "./candidate.ts";
import { continuationPolicy, seedPolicies } from "./continuation.ts";
import { TwinPool } from "./pool.ts";
import { LookAhead } from "./score.ts";
import { SearchContext, type Evaluator } from "./search/context.ts";
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
  ms: number;
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
  private lookAhead: LookAhead;
  private seedPolicies: Policy[];
  private pool: TwinPool | null = null;
  /** measured cost of one evaluation at the last decision (a hard wall-clock limit plans with it) */
  private evalMsHint: number | undefined;

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
    const t0 = performance.now();
    const twin = this.deps.twin();
    if (twin.now !== obs.time || twin.interval !== obs.interval) {
      throw new Error(`oracle: the twin provider returned a twin at t=${twin.now} s (interval ${twin.interval}), but the observation is at t=${obs.time} s (interval ${obs.interval}); it must return the live twin`);
    }
    const step = this.history.length;
    const salt = `${this.deps.seed}:${step}`;
    const space = new SearchSpace(obs, this.deps.model);
    // the continuation and the seed baselines see every live observation (they keep state)
    const seedDecisions = [this.lookAhead.observe(obs), ...this.seedPolicies.map((p) => p.decide(obs))];
    let decision: Decision = {};
    if (space.changeable.length > 0 || space.requests.length > 0) {
      const ctx = this.search(space, obs, twin, salt, this.settings.baselineSeeds ? seedDecisions : []);
      const best: Candidate = ctx.best?.candidate ?? space.empty();
      decision = space.toDecision(best);
      this.last = {
        step,
        bestScore: ctx.best?.score ?? NaN,
        runnerUpScore: ctx.runnerUp?.score ?? null,
        evaluations: ctx.evaluations,
        ms: performance.now() - t0,
      };
    } else {
      this.last = { step, bestScore: NaN, runnerUpScore: null, evaluations: 0, ms: performance.now() - t0 };
    }
    this.history.push(decision);
    return decision;
  }

  /** Runs the configured search at one decision point and returns its context (best, runner-up). */
  search(space: SearchSpace, _obs: Observation, twin: Twin, salt: string, seedDecisions: Decision[]): SearchContext {
    const s = this.settings;
    const evaluator: Evaluator = this.pool
      ? this.pool.evaluator(twin, this.history, salt, this.lookAhead)
      : { evaluate: (ds) => ds.map((d) => this.lookAhead.score(twin, d, salt)) };
    const seeds = seedDecisions.map((d) => space.fromDecision(d));
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
   * `obs` is the observation it was applied at, which the stateful continuation and seeds see.
   */
  noteApplied(decision: Decision, obs?: Observation): void {
    if (obs) {
      this.lookAhead.observe(obs);
      for (const p of this.seedPolicies) p.decide(obs);
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
