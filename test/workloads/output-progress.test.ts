import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createProgress } from "../../workloads/output/progress.ts";

/** A stream that claims to be a terminal and records what is drawn. */
function fakeTerminal(): { stream: NodeJS.WriteStream; output: () => string; writes: () => number } {
  const pass = new PassThrough();
  let text = "";
  let writes = 0;
  pass.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    writes++;
  });
  Object.assign(pass, { isTTY: true, columns: 100 });
  return { stream: pass as unknown as NodeJS.WriteStream, output: () => text, writes: () => writes };
}

test("disabled or not on a terminal: a no-op that never writes", () => {
  const tty = fakeTerminal();
  const off = createProgress({ total: 10, label: "run", enabled: false, stream: tty.stream });
  off.update(5);
  off.increment();
  off.stop();
  const notTty = new PassThrough();
  let wrote = false;
  notTty.on("data", () => (wrote = true));
  const p = createProgress({ total: 10, label: "run", stream: notTty as unknown as NodeJS.WriteStream });
  p.update(3);
  p.stop();
  assert.equal(tty.output(), "");
  assert.equal(wrote, false);
});

test("on a terminal: draws the label and the final value, throttled in a hot loop", async () => {
  const tty = fakeTerminal();
  const p = createProgress({ total: 1_000_000, label: "simulate {x}", stream: tty.stream, intervalMs: 100 });
  for (let i = 1; i <= 1_000_000; i++) p.increment();
  p.stop();
  p.stop(); // idempotent
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(tty.output(), /simulate \{x\}/);
  assert.match(tty.output(), /100% \| 1000000\/1000000/);
  // a million increments in well under a second: a handful of redraws, not one per call
  assert.ok(tty.writes() < 200, `writes: ${tty.writes()}`);
});
