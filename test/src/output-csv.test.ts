import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { csvField, formatCsvNumber, openCsvWriter, toCsv, writeCsvAtomic } from "../../src/output/csv.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cotwin-csv-"));
}

test("fields are quoted per RFC 4180 only when they hold a comma, quote, CR or LF", () => {
  const rows = [
    { a: "plain", b: "has,comma", c: 'say "hi"' },
    { a: "line\nbreak", b: "", c: "cr\rx" },
    { a: " spaced ", b: '"', c: "a;b" },
  ];
  const expected =
    "a,b,c\n" +
    'plain,"has,comma","say ""hi"""\n' +
    '"line\nbreak",,"cr\rx"\n' +
    ' spaced ,"""",a;b\n';
  assert.equal(toCsv(rows, ["a", "b", "c"]), expected);
});

test("columns come out in the given order, not the object's", () => {
  const rows = [{ z: 1, a: "x", m: true }];
  assert.equal(toCsv(rows, ["a", "m", "z"]), "a,m,z\nx,true,1\n");
});

test("numbers: integers exact, others at most 12 significant digits without float noise", () => {
  const cases: [number, string][] = [
    [0.1 + 0.2, "0.3"],
    [1 / 3, "0.333333333333"],
    [2 / 3, "0.666666666667"],
    [1234567.891234567, "1234567.89123"],
    [123456789012345, "123456789012345"],
    [-0, "0"],
    [-2.5, "-2.5"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [1.00000000000001, "1"],
    [NaN, ""],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ];
  for (const [x, want] of cases) assert.equal(formatCsvNumber(x), want, `formatCsvNumber(${x})`);
});

test("other values: booleans as words, null and undefined empty, objects refused", () => {
  assert.equal(csvField(true), "true");
  assert.equal(csvField(false), "false");
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(12n), "12");
  assert.throws(() => csvField({} as never), /cannot write a value of type object/);
});

test("the streaming writer flushes in chunks and produces the same text as toCsv", () => {
  const dir = tempDir();
  const target = path.join(dir, "t.csv");
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? `n,${i}` : `n${i}`, v: i / 8 }));
  const writer = openCsvWriter(target, ["id", "name", "v"], { chunkChars: 100 });
  for (const row of rows) writer.write(row);
  assert.equal(writer.rows, 1000);
  writer.close();
  assert.equal(fs.readFileSync(target, "utf8"), toCsv(rows, ["id", "name", "v"]));
  assert.deepEqual(fs.readdirSync(dir), ["t.csv"]);
});

test("an empty table is just the header", () => {
  const dir = tempDir();
  const target = path.join(dir, "e.csv");
  writeCsvAtomic<{ a: number; b: number }>(target, [], ["a", "b"]);
  assert.equal(fs.readFileSync(target, "utf8"), "a,b\n");
});
