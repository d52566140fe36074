/**
 * Every command that writes files refuses, before any work, to overwrite what it did not write
 * (unless --force) and to write into cotwin's own source tree (even with --force); it replaces its
 * own earlier output. What was there stays byte for byte. A run that finished is reported even
 * when its directory cannot be written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { runOracleCommand } from "../../src/commands/oracle.ts";
import { checkOutputDirectory, checkOutputFile, makeDirectories, sourceTreeRefusal } from "../../workloads/output/out-path.ts";
import { cli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/data.ts";

const TINY = "test/fixtures/tiny.yaml";
const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "cotwin-out-"));
  made.push(d);
  return d;
};

/** A directory holding someone's file; returns the directory and a check that it is untouched. */
function foreignDir(): { dir: string; untouched: () => void } {
  const dir = tmp();
  writeFileSync(path.join(dir, "thesis.tex"), "precious\n");
  return {
    dir,
    untouched: () => {
      assert.deepEqual(readdirSync(dir), ["thesis.tex"]);
      assert.equal(readFileSync(path.join(dir, "thesis.tex"), "utf8"), "precious\n");
    },
  };
}

const quiet = () => {
  let err = "";
  return { io: { out: () => undefined, err: (t: string) => (err += t), interactive: false }, err: () => err };
};

test("each command refuses a non-empty directory it did not write, naming --out and --force, and changes nothing", async () => {
  const commands: Array<(out: string) => string[]> = [
    (out) => ["simulate", "--scenario", TINY, "--out", out],
    (out) => ["compare", "--scenario", TINY, "--policies", "first-fit", "--seeds", "1", "--out", out],
    (out) => ["bench", "--scenarios", TINY, "--policies", "first-fit", "--seeds", "1", "--out", out],
    (out) => ["oracle", "--scenario", TINY, "--intervals", "1", "--out", out],
    (out) => ["learn", "--scenario", TINY, "--intervals", "1", "--out", out],
    (out) => ["forecast", "train", "--data", path.join(repoRoot, "test/fixtures/serverless-small.csv"), "--model", "naive", "--out", out],
    (out) => ["forecast", "plot", "--data", path.join(repoRoot, "test/fixtures/serverless-small.csv"), "--out", out],
  ];
  for (const command of commands) {
    const f = foreignDir();
    const r = await cli(command(f.dir));
    assert.equal(r.code, 2, `${command(f.dir).join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`--out ${f.dir}: is not empty and is not .*; refusing to overwrite it \\(choose a new or empty directory, or pass --force to write there anyway\\)\\n$`));
    f.untouched();
  }
});

test("files: data serverless refuses a file it did not write, replaces its own, and --force replaces anything", async () => {
  const dir = tmp();
  const theirs = path.join(dir, "notes.csv");
  writeFileSync(theirs, "a,b\n1,2\n");
  let r = await cli(["data", "serverless", "--out", theirs, "--duration", "60"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `cotwin data: --out ${theirs}: exists and was not written by this command; refusing to overwrite it (pass --force to replace it)\n`);
  assert.equal(readFileSync(theirs, "utf8"), "a,b\n1,2\n");
  const own = path.join(dir, "own.csv");
  assert.equal((await cli(["data", "serverless", "--out", own, "--duration", "60", "--seed", "1"])).code, 0);
  const first = readFileSync(own, "utf8");
  assert.equal((await cli(["data", "serverless", "--out", own, "--duration", "60", "--seed", "2"])).code, 0, "its own earlier output is replaced");
  assert.notEqual(readFileSync(own, "utf8"), first);
  r = await cli(["data", "serverless", "--out", theirs, "--duration", "60", "--force"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(theirs, "utf8"), /^FunctionID,Timestamp,/);
});

test("never the source tree, not even with --force; never the current directory or a parent of it", async () => {
  const victims = ["simulator/scenarios/x-run", "src/commands", "test/fixtures/tiny.yaml", "package.json", "."];
  for (const v of victims) {
    const r = await cli(["simulate", "--scenario", TINY, "--out", v, "--force"]);
    assert.equal(r.code, 2, `${v}: ${r.stderr}`);
    assert.match(r.stderr, /inside cotwin's own source tree|one of cotwin's own files|cotwin's own package folder|the current directory/, v);
  }
  assert.equal(existsSync(path.join(repoRoot, "simulator/scenarios/x-run")), false);
  assert.match(sourceTreeRefusal(path.join(repoRoot, "oracle", "new.json")) ?? "", /inside cotwin's own source tree/);
  assert.equal(sourceTreeRefusal(path.join(repoRoot, "runs", "example")), null, "runs/ beside the code is an output place");
  // a symbolic link does not lead into the source tree unseen
  const dir = tmp();
  const { symlinkSync } = await import("node:fs");
  symlinkSync(path.join(repoRoot, "workloads"), path.join(dir, "link"));
  assert.match(sourceTreeRefusal(path.join(dir, "link", "out.csv")) ?? "", /inside cotwin's own source tree/);
  // an installed package is source all through
  const installed = path.join(dir, "node_modules", "cotwin");
  mkdirSync(path.join(installed, "runs"), { recursive: true });
  assert.match(sourceTreeRefusal(path.join(installed, "runs", "x"), installed) ?? "", /inside the installed cotwin package/);
});

test("--force replaces a foreign directory as a whole; a run directory is replaced without it", async () => {
  const f = foreignDir();
  let r = await cli(["simulate", "--scenario", TINY, "--out", f.dir, "--force"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(path.join(f.dir, "thesis.tex")), false);
  assert.ok(existsSync(path.join(f.dir, "summary.json")));
  r = await cli(["simulate", "--scenario", TINY, "--seed", "2", "--out", f.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(f.dir, "config.json"), "utf8")).seed, 2);
  // an oracle --force writes into a foreign directory beside what is there
  const g = foreignDir();
  const q = quiet();
  assert.equal(await runOracleCommand(["--scenario", TINY, "--intervals", "1", "--out", g.dir, "--force"], q.io), 0, q.err());
  assert.deepEqual(readdirSync(g.dir).sort(), ["data.jsonl", "manifest.json", "thesis.tex"]);
});

test("a bad --out is refused before the run: a file, under a file, /proc, an empty name", () => {
  const dir = tmp();
  const file = path.join(dir, "plain");
  writeFileSync(file, "x");
  assert.throws(() => checkOutputDirectory(file, { what: "--out" }), { message: `--out ${file}: exists and is not a directory` });
  assert.throws(() => checkOutputDirectory(path.join(file, "sub"), { what: "--out" }), { message: `--out ${path.join(file, "sub")}: ${file} is a file, not a directory` });
  assert.throws(() => checkOutputFile(dir, { what: "--out" }), { message: `--out ${dir}: is a directory; give a file name` });
  assert.throws(() => checkOutputFile("", { what: "--out" }), { message: "--out: give a file name" });
  // Node's recursive mkdir never returns here; ours stops at the level that fails
  const t0 = Date.now();
  assert.throws(() => makeDirectories("/proc/cotwin-test/a/b"), /cannot make directory \/proc\/cotwin-test \(for \/proc\/cotwin-test\/a\/b\): ENOENT/);
  assert.throws(() => checkOutputDirectory("/proc/cotwin-test/a", { what: "--out" }), /--out \/proc\/cotwin-test\/a: cannot create anything in \/proc \(ENOENT\)/);
  assert.ok(Date.now() - t0 < 1000);
});

test("a finished run whose directory cannot be written still prints its summary, then says why (exit 2)", async () => {
  const dir = tmp();
  const out = path.join(dir, "run");
  // a policy that, at its first decision, puts a file where the run directory is to go
  const policy = path.join(dir, "blocker.mjs");
  writeFileSync(
    policy,
    `import { writeFileSync, existsSync } from "node:fs";\n` +
      `export default function build() {\n  const p = { name: "blocker", decide() { if (!existsSync(${JSON.stringify(out)})) writeFileSync(${JSON.stringify(out)}, "in the way"); return {}; }, clone: () => p };\n  return p;\n}\n`,
  );
  const r = await cli(["simulate", "--scenario", TINY, "--policy", policy, "--out", out, "--json"]);
  assert.equal(r.code, 2);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.policy, policy);
  assert.equal(summary.intervals, 20);
  assert.equal(r.stderr, `cotwin: the run finished (summary above) but its directory was not written: --out ${out}: exists and is not a directory\n`);
  assert.equal(readFileSync(out, "utf8"), "in the way");
});
