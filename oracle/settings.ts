/**
 * The oracle's settings: one zod schema is the type, the defaults and the error messages, for the
 * policy options (PolicyContext.options), the `cotwin oracle` flags and the data set manifest.
 */
import { z } from "zod";
import { InputError } from "../simulator/errors.ts";
import { LIMITS } from "../simulator/limits.ts";
import { SEARCH_METHODS } from "./search/index.ts";

// Upper bounds keep one decision finite (a look-ahead of 10^9 intervals never returns); they are
// far above any useful setting.
export const oracleSettingsSchema = z.strictObject({
  /** search method */
  method: z.enum(SEARCH_METHODS).default("anneal"),
  /**
   * wall-clock limit per decision, ms: opt-in, and a hard limit (no evaluation starts that the
   * measured cost of the last ones says would end after it). null: none, and decisions are
   * reproducible: the same seed gives the same decisions on any machine.
   */
  budgetMs: z.number().positive().nullable().default(null),
  /** distinct candidates scored per decision at most (null: none) */
  budgetEvals: z.number().int().positive().max(1_000_000).nullable().default(40),
  /** stop after this many evaluations without a new best (0: never) */
  patience: z.number().int().nonnegative().default(20),
  /** look-ahead intervals, the decision's own included (null: two boot times plus two intervals) */
  horizon: z.number().int().positive().max(10_000).nullable().default(null),
  /** look-ahead forks averaged per candidate (each a different sample of the future) */
  forks: z.number().int().positive().max(1_000).default(2),
  /**
   * fresh forks on which the search's best must beat the continuation's own decision, fork by
   * fork, by two standard errors, or the continuation's decision is taken (0: no check)
   */
  validationForks: z.number().int().nonnegative().max(1_000).default(6),
  /** forks see the real future arrivals (an oracle with foresight) instead of samples */
  clairvoyant: z.boolean().default(false),
  /** extra intervals at most for the tracked requests to end (null: boot time + longest wait; see score.ts) */
  drainIntervals: z.number().int().nonnegative().nullable().default(null),
  /**
   * policy assumed after the decision in the look-ahead: "default" (target tracking, each
   * application's least-work variant upgraded with the capacity left while every host is needed
   * (oracle/headroom.ts), least-work placement: it starts hosts when load grows) or any policy
   * name (a user's policy file too)
   */
  continuation: z.string().min(1).default("default"),
  /** start the search from the decisions of the strongest baselines (see policy.ts SEED_POLICIES) */
  baselineSeeds: z.boolean().default(true),
  /** worker threads scoring candidates (0: all in this thread) */
  workers: z.number().int().nonnegative().max(LIMITS.workers, `at most ${LIMITS.workers} worker threads`).default(0),
  /** neighbours the annealer scores per step (default: 1, or 4 per thread with workers) */
  batch: z.number().int().positive().optional(),
  /** GA population */
  population: z.number().int().min(4).max(100_000).default(16),
});

export type OracleSettings = z.infer<typeof oracleSettingsSchema>;

export const DEFAULT_ORACLE_SETTINGS: OracleSettings = oracleSettingsSchema.parse({});

/** The settings keys, for picking them out of a bag of options that holds other things too. */
export const ORACLE_SETTING_KEYS = Object.keys(oracleSettingsSchema.shape) as Array<keyof OracleSettings>;

export class OracleSettingsError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "OracleSettingsError";
  }
}

/** Validates settings; errors name the setting (`label` turns a key into its name, e.g. a flag). */
export function parseOracleSettings(raw: Record<string, unknown>, label: (key: string) => string = (k) => `oracle setting ${k}`): OracleSettings {
  const picked: Record<string, unknown> = {};
  for (const k of ORACLE_SETTING_KEYS) if (raw[k] !== undefined) picked[k] = raw[k];
  const r = oracleSettingsSchema.safeParse(picked);
  if (!r.success) {
    throw new OracleSettingsError(r.error.issues.map((i) => `${label(String(i.path[0] ?? ""))}: ${i.message}`).join("; "));
  }
  if (r.data.budgetMs === null && r.data.budgetEvals === null) throw new OracleSettingsError(`${label("budgetMs")}, ${label("budgetEvals")}: give at least one budget`);
  return r.data;
}

/** budgetMs -> --budget-ms */
export function flagName(key: string): string {
  return "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}
