/**
 * How every command ends on an error: the message alone on stderr, never a stack trace; exit code
 * 2 for bad input (a file, a key, a flag, a size), 1 for anything else. COTWIN_DEBUG=1 adds the
 * stack of an error that is not about the input, for a bug report.
 */
import { InputError } from "../simulator/errors.ts";

/** Bad-input errors matched by name: classes that do not extend InputError, or load lazily. */
const INPUT_ERROR_NAMES = new Set([
  "YError",
  "PolicyError",
  "QueueError",
  "DeployUsageError",
  "OracleUsageError",
  "ForecastUsageError",
  "DataUsageError",
  "ExpressionSyntaxError",
  "LimitError",
]);

/** File-system errors about a path the user gave. */
const PATH_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR", "EACCES", "EPERM", "EROFS", "EEXIST", "ENAMETOOLONG", "ELOOP"]);

interface ZodLike {
  issues: Array<{ path: PropertyKey[]; message: string }>;
}

function isZodError(e: unknown): e is Error & ZodLike {
  return e instanceof Error && e.name === "ZodError" && Array.isArray((e as Partial<ZodLike>).issues);
}

export function isInputError(e: unknown): boolean {
  if (e instanceof InputError) return true;
  if (!(e instanceof Error)) return false;
  if (INPUT_ERROR_NAMES.has(e.name) || isZodError(e)) return true;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === "string" && PATH_CODES.has(code);
}

/** The message to print: a schema error as `key.path: message` phrases, never its raw JSON. */
export function errorMessage(e: unknown): string {
  if (isZodError(e)) {
    return e.issues.map((i) => `${i.path.map(String).join(".") || "(top level)"}: ${i.message.replace(/^Invalid input: /, "")}`).join("; ");
  }
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/**
 * Prints `prefix: message` through `err` and returns the exit code (2 bad input, 1 otherwise).
 * A programming fault (TypeError, ReferenceError) says so, so it gets reported rather than
 * taken for a mistake in the input.
 */
export function reportError(e: unknown, prefix: string, err: (text: string) => void, env: NodeJS.ProcessEnv = process.env): number {
  const input = isInputError(e);
  let text = `${prefix}: ${errorMessage(e)}`;
  if (!input && e instanceof Error && (e.name === "TypeError" || e.name === "ReferenceError")) {
    text += ` (a fault in cotwin, not in the input: please report it; COTWIN_DEBUG=1 prints where it happened)`;
  }
  err(text.endsWith("\n") ? text : `${text}\n`);
  if (!input && env.COTWIN_DEBUG && e instanceof Error && e.stack) err(`${e.stack}\n`);
  return input ? 2 : 1;
}
