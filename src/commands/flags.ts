/**
 * Flag checks shared by every parser (the main one in src/cli.ts and the sub-command families'):
 * a flag given twice, a number that does not parse, named with the text the user typed.
 */
import type { Argv } from "yargs";
import { UsageError } from "../usage-error.ts";

/** camelCase key -> --kebab-case flag */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The text given to `flag` on a command line (`--flag value` or `--flag=value`; the last one), or undefined. */
export function rawFlagValue(argv: readonly string[], flag: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    if (t === "--") break;
    if (t === flag) found = argv[i + 1] ?? "";
    else if (t.startsWith(`${flag}=`)) found = t.slice(flag.length + 1);
  }
  return found;
}

/** Keys yargs sets that are not flags: positionals list, script name, and its camelCase copies of kebab flags. */
function isFlagKey(key: string): boolean {
  return key !== "_" && key !== "$0" && key !== "--" && !/[A-Z]/.test(key);
}

/**
 * Refuses a flag given more than once (yargs would hand the command an array, which reaches the
 * code as a path or a number and fails far from the cause); `arrays` are the flags meant to repeat.
 */
export function checkRepeatedFlags(a: Record<string, unknown>, arrays: readonly string[] = [], make: (m: string) => Error = (m) => new UsageError(m)): void {
  for (const [k, v] of Object.entries(a)) {
    if (!isFlagKey(k) || !Array.isArray(v) || arrays.includes(k)) continue;
    throw make(`--${k} was given ${v.length} times (${v.map((x) => JSON.stringify(String(x))).join(", ")}); give it once`);
  }
}

/** A numeric flag (yargs type "number") that did not parse arrives as NaN: refuse it, quoting what was typed. */
export function checkNumericFlags(a: Record<string, unknown>, argv: readonly string[], make: (m: string) => Error = (m) => new UsageError(m)): void {
  for (const [k, v] of Object.entries(a)) {
    if (!isFlagKey(k) || typeof v !== "number" || !Number.isNaN(v)) continue;
    const flag = `--${k}`;
    throw make(`${flag} must be a number, got "${rawFlagValue(argv, flag) ?? ""}"`);
  }
}

/** Both checks as a yargs middleware that runs before validation. */
export function flagChecks<T>(y: Argv<T>, argv: readonly string[], options: { arrays?: readonly string[]; make?: (m: string) => Error } = {}): Argv<T> {
  return y.middleware((a) => {
    checkRepeatedFlags(a as Record<string, unknown>, options.arrays, options.make);
    checkNumericFlags(a as Record<string, unknown>, argv, options.make);
  }, true);
}

/**
 * An integer flag within [min, max], the message quoting what was typed. `raw` is the flag's
 * value as yargs gave it (a string, or a number for type "number" flags).
 */
export function intFlag(raw: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER, argv?: readonly string[]): number {
  const text = typeof raw === "string" ? raw : argv ? (rawFlagValue(argv, flag) ?? String(raw)) : String(raw);
  const n = typeof raw === "number" ? raw : Number(text);
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  if (!/^\s*[+-]?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer ${range}, got "${text}"`);
  return n;
}
