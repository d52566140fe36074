/**
 * The floor plan (DESIGN.md): each folder imports only from folders below it.
 *   1 simulator < 2 workloads < 3 oracle < 4 learner < 5 deploy < 6 src
 * Every import of every source file is read (static, dynamic, `export ... from`, and the
 * `new URL("...", import.meta.url)` that workers and assets use); one that points up the plan,
 * or into test/, fails the test naming the file and the import.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/data.ts";

const FLOORS = ["simulator", "workloads", "oracle", "learner", "deploy", "src"] as const;

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["']([^"']+)["']/g;

/** Import specifiers of a source text (comments stripped so examples in them do not count). */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push(m[1]);
  return out;
}

function floorOf(rel: string): number {
  const top = rel.split(/[\\/]/)[0];
  if (top === "test") return 100;
  return FLOORS.indexOf(top as (typeof FLOORS)[number]);
}

/** Violations among `files` (path relative to the repository -> text). */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [rel, text] of files) {
    const own = floorOf(rel);
    for (const spec of importsOf(text)) {
      if (!spec.startsWith(".")) continue; // packages and node: builtins
      const target = path.relative(repoRoot, path.resolve(repoRoot, path.dirname(rel), spec));
      if (target.startsWith("..")) {
        out.push(`${rel}: import "${spec}" points outside the project`);
        continue;
      }
      const floor = floorOf(target);
      if (floor === 100) out.push(`${rel}: import "${spec}" reaches into test/`);
      else if (floor < 0) out.push(`${rel}: import "${spec}" points at ${target}, outside the floor plan`);
      else if (floor > own) out.push(`${rel}: import "${spec}" points up the floor plan (${FLOORS[own]} is floor ${own + 1}, ${FLOORS[floor]} is floor ${floor + 1})`);
    }
  }
  return out;
}

function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js)$/.test(e.name)) files.set(path.relative(repoRoot, p), readFileSync(p, "utf8"));
    }
  };
  for (const f of FLOORS) walk(path.join(repoRoot, f));
  return files;
}

test("no source file imports up the floor plan", () => {
  const files = sources();
  assert.ok(files.size > 100, `expected the project's sources, found ${files.size} files`);
  assert.deepEqual(violations(files), []);
});

test("the layout check catches an import up the plan, into test/ and out of the project", () => {
  const files = new Map([
    ["simulator/twin.ts", 'import { x } from "../src/runner.ts";\nimport type { Y } from "./types.ts";'],
    ["workloads/a.ts", 'const m = await import("../oracle/policy.ts");'],
    ["oracle/b.ts", 'export { z } from "../learner/model.ts";\nimport "../simulator/twin.ts";'],
    ["learner/c.ts", 'new Worker(new URL("../deploy/w.ts", import.meta.url));'],
    ["src/d.ts", 'import { h } from "../test/helpers/twin.ts";\nimport { k } from "../../elsewhere/k.ts";'],
    ["deploy/e.ts", '// import { q } from "../src/cli.ts";\n/* import "../src/x.ts" */\nimport { p } from "../learner/p.ts";'],
  ]);
  const v = violations(files);
  assert.deepEqual(v, [
    'simulator/twin.ts: import "../src/runner.ts" points up the floor plan (simulator is floor 1, src is floor 6)',
    'workloads/a.ts: import "../oracle/policy.ts" points up the floor plan (workloads is floor 2, oracle is floor 3)',
    'oracle/b.ts: import "../learner/model.ts" points up the floor plan (oracle is floor 3, learner is floor 4)',
    'learner/c.ts: import "../deploy/w.ts" points up the floor plan (learner is floor 4, deploy is floor 5)',
    'src/d.ts: import "../test/helpers/twin.ts" reaches into test/',
    'src/d.ts: import "../../elsewhere/k.ts" points outside the project',
  ]);
});
