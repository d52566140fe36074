/**
 * A user's own policy from a file: `--policy ./my-policy.ts` (also .js, .mjs, .mts). The module's
 * default export is a function that builds a Policy from the PolicyContext, the same contract the
 * baselines implement:
 *
 *   export default function (ctx: PolicyContext): Policy { ... }
 *
 * The file is loaded once (TypeScript through tsx, registered on first use), checked, and
 * registered in the policy registry under its name as given, so everything that creates policies
 * by name (simulate, compare, bench, the oracle's continuation, worker threads) can use it.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Policy } from "../types.ts";
import { PolicyError, registerPolicy, isRegistered, type PolicyContext } from "./registry.ts";

/** Does a policy name denote a file (rather than a registered name)? */
export function isPolicyFile(name: string): boolean {
  return /\.(ts|mts|js|mjs)$/.test(name) || name.includes("/") || name.includes("\\");
}

let tsxRegistered = false;

async function importModule(file: string): Promise<Record<string, unknown>> {
  if (/\.m?ts$/.test(file) && !tsxRegistered && !process.execArgv.some((a) => a.includes("tsx"))) {
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** The policy a user's factory built, checked for the Policy shape; errors name the file. */
export function checkPolicyShape(p: unknown, file: string): Policy {
  if (p === null || typeof p !== "object") throw new PolicyError(`policy file ${file}: the default export must return a Policy object, got ${p === null ? "null" : typeof p}`);
  const o = p as Record<string, unknown>;
  const missing = ["decide", "clone"].filter((k) => typeof o[k] !== "function");
  if (missing.length > 0) throw new PolicyError(`policy file ${file}: the Policy it builds has no ${missing.map((m) => `${m}()`).join(" or ")} method`);
  if (typeof o.name !== "string" || o.name.length === 0) throw new PolicyError(`policy file ${file}: the Policy it builds needs a non-empty "name" string`);
  return p as Policy;
}

/**
 * Loads a policy file and registers it under `name` (the name as the user gave it). Idempotent.
 * Bad files are PolicyErrors naming the file: missing, failing to load, no default export, a
 * default export that is not a function.
 */
export async function loadPolicyFile(name: string): Promise<void> {
  if (isRegistered(name)) return;
  const file = path.resolve(name);
  if (!existsSync(file) || !statSync(file).isFile()) throw new PolicyError(`policy file ${name}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (e) {
    throw new PolicyError(`policy file ${name}: cannot load it: ${(e as Error).message.split("\n")[0]}`);
  }
  const factory = mod.default;
  if (factory === undefined) throw new PolicyError(`policy file ${name}: no default export (export default a function (ctx) => Policy)`);
  if (typeof factory !== "function") throw new PolicyError(`policy file ${name}: the default export must be a function (ctx) => Policy, got ${typeof factory}`);
  registerPolicy(name, `user policy from ${name}`, (ctx: PolicyContext) => {
    let built: unknown;
    try {
      built = (factory as (c: PolicyContext) => unknown)(ctx);
    } catch (e) {
      throw new PolicyError(`policy file ${name}: building the policy failed: ${(e as Error).message}`);
    }
    return new FilePolicy(checkPolicyShape(built, name), name);
  });
}

/** Thrown when a policy's decide() throws: names the policy and the decision point. */
export class PolicyRunError extends Error {
  constructor(
    message: string,
    readonly interval: number,
    readonly time: number,
  ) {
    super(message);
    this.name = "PolicyRunError";
  }
}

/** Wraps a user's policy so an exception in decide() says where it happened. */
class FilePolicy implements Policy {
  readonly name: string;
  constructor(
    private readonly inner: Policy,
    readonly file: string,
  ) {
    this.name = inner.name;
  }
  decide(obs: Parameters<Policy["decide"]>[0]): ReturnType<Policy["decide"]> {
    try {
      return this.inner.decide(obs);
    } catch (e) {
      throw new PolicyRunError(`policy file ${this.file} (${this.inner.name}) threw at interval ${obs.interval} (t=${obs.time} s): ${(e as Error)?.message ?? String(e)}`, obs.interval, obs.time);
    }
  }
  clone(): Policy {
    return new FilePolicy(checkPolicyShape(this.inner.clone(), this.file), this.file);
  }
}
