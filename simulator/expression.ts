/**
 * Arithmetic expressions for objectives: numbers, variables, + - * / ^, parentheses, unary minus
 * and a short list of functions (min, max, abs, sqrt, log, log10, exp, pow, floor, ceil). The
 * syntax is mathjs's for these (so objectives written for mathjs read the same), but nothing
 * else exists: no assignment, no ranges or matrices, no units, no configuration - an objective is
 * an expression, not a program, and evaluating one costs a few closure calls.
 *
 * Parse errors give the character position (1-based) as mathjs does: `Unexpected end of
 * expression (char 9)`.
 */

export type Env = Readonly<Record<string, number>>;

/** A compiled expression: evaluate it on variable values. */
export type Compiled = (env: Env) => number;

interface FunctionSpec {
  min: number;
  max: number;
  fn: (...xs: number[]) => number;
}

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  min: { min: 1, max: Infinity, fn: Math.min },
  max: { min: 1, max: Infinity, fn: Math.max },
  abs: { min: 1, max: 1, fn: Math.abs },
  sqrt: { min: 1, max: 1, fn: Math.sqrt },
  // log(x) natural, log(x, base) as mathjs
  log: { min: 1, max: 2, fn: (x, b) => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b)) },
  log10: { min: 1, max: 1, fn: Math.log10 },
  exp: { min: 1, max: 1, fn: Math.exp },
  pow: { min: 2, max: 2, fn: Math.pow },
  floor: { min: 1, max: 1, fn: Math.floor },
  ceil: { min: 1, max: 1, fn: Math.ceil },
};

export class ExpressionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionSyntaxError";
  }
}

export interface ParsedExpression {
  evaluate: Compiled;
  /** variable names in order of first appearance */
  variables: string[];
  /** function names used that are not in FUNCTIONS, in order of first appearance */
  unknownFunctions: string[];
}

type Tok = { kind: "num"; value: number; pos: number } | { kind: "name"; value: string; pos: number } | { kind: "op"; value: string; pos: number } | { kind: "end"; pos: number };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ kind: "num", value: Number(num[0]), pos: i + 1 });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      out.push({ kind: "name", value: name[0], pos: i + 1 });
      i += name[0].length;
      continue;
    }
    if ("+-*/^(),".includes(c)) {
      out.push({ kind: "op", value: c, pos: i + 1 });
      i++;
      continue;
    }
    throw new ExpressionSyntaxError(`Syntax error in part "${text.slice(i)}" (char ${i + 1})`);
  }
  out.push({ kind: "end", pos: text.length + 1 });
  return out;
}

/** Parses `text`; throws ExpressionSyntaxError with the position on malformed input. */
export function parseExpression(text: string): ParsedExpression {
  const toks = tokenize(text);
  let k = 0;
  const variables: string[] = [];
  const unknownFunctions: string[] = [];
  const peek = (): Tok => toks[k];
  const isOp = (v: string): boolean => {
    const t = toks[k];
    return t.kind === "op" && t.value === v;
  };
  const fail = (t: Tok): never => {
    if (t.kind === "end") throw new ExpressionSyntaxError(`Unexpected end of expression (char ${t.pos})`);
    throw new ExpressionSyntaxError(`Unexpected ${t.kind === "op" ? "operator" : "token"} ${String(t.value)} (char ${t.pos})`);
  };

  const expr = (): Compiled => {
    let left = term();
    while (isOp("+") || isOp("-")) {
      const op = (toks[k++] as { value: string }).value;
      const l = left;
      const r = term();
      left = op === "+" ? (e) => l(e) + r(e) : (e) => l(e) - r(e);
    }
    return left;
  };
  const term = (): Compiled => {
    let left = unary();
    while (isOp("*") || isOp("/")) {
      const op = (toks[k++] as { value: string }).value;
      const l = left;
      const r = unary();
      left = op === "*" ? (e) => l(e) * r(e) : (e) => l(e) / r(e);
    }
    return left;
  };
  // unary minus binds looser than ^ (-2^2 = -4), as in mathjs
  const unary = (): Compiled => {
    if (isOp("-")) {
      k++;
      const x = unary();
      return (e) => -x(e);
    }
    if (isOp("+")) {
      k++;
      return unary();
    }
    return power();
  };
  const power = (): Compiled => {
    const base = primary();
    if (isOp("^")) {
      k++;
      const ex = unary(); // right-associative
      return (e) => Math.pow(base(e), ex(e));
    }
    return base;
  };
  const primary = (): Compiled => {
    const t = peek();
    if (t.kind === "num") {
      k++;
      const v = t.value;
      return () => v;
    }
    if (t.kind === "name") {
      k++;
      const name = t.value;
      if (isOp("(")) {
        k++;
        const args: Compiled[] = [];
        if (!isOp(")")) {
          args.push(expr());
          while (isOp(",")) {
            k++;
            args.push(expr());
          }
        }
        if (!isOp(")")) {
          if (peek().kind === "end") throw new ExpressionSyntaxError(`Parenthesis ) expected (char ${peek().pos})`);
          fail(peek());
        }
        k++;
        const spec = FUNCTIONS[name];
        if (!spec) {
          if (!unknownFunctions.includes(name)) unknownFunctions.push(name);
          return () => NaN;
        }
        if (args.length < spec.min || args.length > spec.max) {
          const want = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} or ${spec.max}`;
          throw new ExpressionSyntaxError(`function ${name} takes ${want} argument(s), got ${args.length} (char ${t.pos})`);
        }
        const f = spec.fn;
        if (args.length === 1) {
          const a = args[0];
          return (e) => f(a(e));
        }
        return (e) => f(...args.map((a) => a(e)));
      }
      if (!variables.includes(name)) variables.push(name);
      return (e) => e[name];
    }
    if (t.kind === "op" && t.value === "(") {
      k++;
      const inner = expr();
      if (!isOp(")")) throw new ExpressionSyntaxError(`Parenthesis ) expected (char ${peek().pos})`);
      k++;
      return inner;
    }
    return fail(t);
  };

  const evaluate = expr();
  if (peek().kind !== "end") fail(peek());
  return { evaluate, variables, unknownFunctions };
}
