/**
 * Resuming an oracle data set never damages it: what cannot be a torn last line is refused before
 * the file is touched, a torn line is cut at its byte offset, an --intervals below what is recorded
 * is refused (instead of a manifest that contradicts itself), and leftovers of interrupted writes
 * neither block a run nor pile up.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { buildDataset, readDatasetLines, type DatasetManifest } from "../../oracle/dataset.ts";
import { parseOracleSettings } from "../../oracle/settings.ts";
import { tinyScenario } from "../../oracle/tiny.ts";

const SETTINGS = parseOracleSettings({ budgetMs: null, budgetEvals: 20, patience: 10 });

const made: string[] = [];
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-resume-"));
  made.push(d);
  return d;
}

function build(out: string, intervals: number, extra: { resume?: boolean; force?: boolean } = {}) {
  return buildDataset({ scenario: tinyScenario(), source: "tiny.yaml", seed: 3, intervals, out, oracle: SETTINGS, resume: extra.resume ?? false, force: extra.force, progress: false });
}

const dataOf = (dir: string) => fs.readFileSync(path.join(dir, "data.jsonl"));

test("binary data after the last line is refused before the file is touched; a torn line is cut at its byte offset", async () => {
  const dir = tempDir();
  await build(dir, 3);
  const clean = dataOf(dir);
  // 2,317 NUL bytes, as a crashed file system can leave
  fs.appendFileSync(path.join(dir, "data.jsonl"), Buffer.alloc(2317));
  const garbled = dataOf(dir);
  await assert.rejects(build(dir, 4, { resume: true }), (e: Error) => {
    assert.equal(e.name, "DatasetError");
    assert.match(e.message, new RegExp(`data\\.jsonl: 2317 byte\\(s\\) after the last complete line \\(from byte ${clean.length}\\) are not the start of a data set line; nothing was changed`));
    assert.match(e.message, new RegExp(`truncate -s ${clean.length} `));
    return true;
  });
  assert.ok(dataOf(dir).equals(garbled), "the refused file was changed");

  // A torn line with a multi-byte character: the cut is at the byte after the last newline,
  // not at a length counted in decoded characters.
  fs.writeFileSync(path.join(dir, "data.jsonl"), Buffer.concat([clean, Buffer.from('{"step":3,"note":"é€')]));
  assert.equal(readDatasetLines(dir).length, 3);
  assert.ok(dataOf(dir).equals(clean), "the torn line was not cut exactly");
});

test("a line that is not JSON is refused without changing the file", async () => {
  const dir = tempDir();
  await build(dir, 2);
  const file = path.join(dir, "data.jsonl");
  fs.appendFileSync(file, 'not json\n{"step":2');
  const before = dataOf(dir);
  assert.throws(() => readDatasetLines(dir), /data\.jsonl:3: not a JSON line .*; nothing was changed/);
  assert.ok(dataOf(dir).equals(before));
});

test("--intervals below what a data set holds is refused; the manifest keeps agreeing with the data", async () => {
  const dir = tempDir();
  await build(dir, 4);
  const manifest = () => JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as DatasetManifest;
  const before = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
  await assert.rejects(build(dir, 2, { resume: true }), /--intervals 2: .* already holds 4 intervals; resuming continues a data set to --intervals in total, so give more than 4/);
  assert.equal(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"), before);
  // the same target is nothing to do; a larger one extends it, and the manifest says so
  await build(dir, 4, { resume: true });
  await build(dir, 5, { resume: true });
  const m = manifest();
  assert.deepEqual([m.intervalsTarget, m.intervalsDone, m.decisions], [5, 5, readDatasetLines(dir).length]);
});

test("leftover temporary manifests of dead writers are removed, live ones kept; an empty data.jsonl without manifest starts fresh", async () => {
  const dir = tempDir();
  fs.mkdirSync(dir, { recursive: true });
  // what an interrupt before the first manifest left (older versions): nothing to lose
  fs.writeFileSync(path.join(dir, "data.jsonl"), "");
  // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it; our own pid is alive
  const dead = `.manifest.json.${2 ** 22 + 1}.0123456789ab.tmp`;
  const live = `.manifest.json.${process.pid}.ba9876543210.tmp`;
  fs.writeFileSync(path.join(dir, dead), "{");
  fs.writeFileSync(path.join(dir, live), "{");
  const r = await build(dir, 2);
  assert.equal(r.intervalsDone, 2);
  const names = fs.readdirSync(dir).sort();
  assert.deepEqual(names, [live, "data.jsonl", "manifest.json"].sort());
});

test("force starts a data set over; without it an existing one is kept", async () => {
  const dir = tempDir();
  await build(dir, 3);
  await assert.rejects(build(dir, 2), /already holds a data set; pass --resume to continue it, --force to start it over/);
  assert.equal(readDatasetLines(dir).length, 3);
  const r = await build(dir, 2, { force: true });
  assert.equal(r.resumedFrom, 0);
  assert.equal(readDatasetLines(dir).length, 2);
});
