import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { openFileAtomic, writeFileAtomic, writeJsonAtomic } from "../../workloads/output/atomic.ts";
import { openCsvWriter, writeCsvAtomic } from "../../src/output/csv.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-atomic-"));
}

test("writeFileAtomic replaces the file and leaves no temporary file", async () => {
  const dir = tempDir();
  const target = path.join(dir, "a.txt");
  await writeFileAtomic(target, "first");
  await writeFileAtomic(target, new TextEncoder().encode("second"));
  assert.equal(fs.readFileSync(target, "utf8"), "second");
  assert.deepEqual(fs.readdirSync(dir), ["a.txt"]);
});

test("writeJsonAtomic writes two-space JSON with a final newline", async () => {
  const dir = tempDir();
  const target = path.join(dir, "a.json");
  await writeJsonAtomic(target, { a: 1, b: [true] });
  assert.equal(fs.readFileSync(target, "utf8"), '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
});

test("a value whose serialisation throws leaves the old file intact and no temporary file", async () => {
  const dir = tempDir();
  const target = path.join(dir, "s.json");
  fs.writeFileSync(target, "old");
  const bad = {
    ok: 1,
    toJSON() {
      throw new Error("boom");
    },
  };
  await assert.rejects(writeJsonAtomic(target, bad), (err: Error) => {
    assert.equal(err.message, `cannot write ${target}: boom`);
    return true;
  });
  await assert.rejects(writeJsonAtomic(target, { n: 1n }), new RegExp(`cannot write ${target}:`));
  assert.equal(fs.readFileSync(target, "utf8"), "old");
  assert.deepEqual(fs.readdirSync(dir), ["s.json"]);
});

test("a failed rename (target is a directory) removes the temporary file and names the path", async () => {
  const dir = tempDir();
  const target = path.join(dir, "taken");
  fs.mkdirSync(target);
  await assert.rejects(writeFileAtomic(target, "x"), (err: Error) => {
    assert.ok(err.message.startsWith(`cannot write ${target}: `), err.message);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), ["taken"]);
});

test("a CSV row that fails after chunks went to disk leaves the old file intact", () => {
  const dir = tempDir();
  const target = path.join(dir, "r.csv");
  fs.writeFileSync(target, "old,table\n");
  function* rows(): Generator<{ a: unknown }> {
    for (let i = 0; i < 100; i++) yield { a: i };
    yield { a: { not: "a scalar" } };
  }
  assert.throws(
    () => writeCsvAtomic(target, rows(), ["a"] as const),
    (err: Error) => {
      assert.equal(err.message, `cannot write ${target}: row 101: column a: cannot write a value of type object to CSV`);
      return true;
    },
  );
  assert.equal(fs.readFileSync(target, "utf8"), "old,table\n");
  assert.deepEqual(fs.readdirSync(dir), ["r.csv"]);
});

test("a throwing row source aborts the streaming writer", () => {
  const dir = tempDir();
  const target = path.join(dir, "g.csv");
  const writer = openCsvWriter<{ a: number }>(target, ["a"], { chunkChars: 4 });
  function* rows(): Generator<{ a: number }> {
    yield { a: 1 };
    yield { a: 2 };
    throw new Error("source broke");
  }
  assert.throws(() => writer.writeAll(rows()), /cannot write .*g\.csv: row 3: source broke/);
  assert.throws(() => writer.write({ a: 3 }), /writer is closed/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("openFileAtomic publishes nothing until commit, and abort removes the temporary file", () => {
  const dir = tempDir();
  const target = path.join(dir, "f.txt");
  const w = openFileAtomic(target);
  w.write("hello ");
  w.write(new TextEncoder().encode("world"));
  assert.equal(fs.existsSync(target), false);
  w.commit();
  assert.equal(fs.readFileSync(target, "utf8"), "hello world");
  const w2 = openFileAtomic(target);
  w2.write("never");
  w2.abort();
  w2.abort();
  assert.equal(fs.readFileSync(target, "utf8"), "hello world");
  assert.deepEqual(fs.readdirSync(dir), ["f.txt"]);
});
