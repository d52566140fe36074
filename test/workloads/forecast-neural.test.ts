import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { initBackend } from "../../workloads/forecast/backend.ts";
import { ConvformerForecaster } from "../../workloads/forecast/convformer.ts";
import { LstmForecaster } from "../../workloads/forecast/lstm.ts";
import { loadForecaster } from "../../workloads/forecast/registry.ts";

// A sine wave with a slow second tone: 160 points, tiny models, 2 epochs each.
const y = Float64Array.from({ length: 160 }, (_, t) => 2 + Math.sin(t / 4) + 0.3 * Math.sin(t / 17));
const x2 = Float64Array.from(y, (v, t) => 0.5 * v + 0.1 * Math.cos(t / 3));

test("a backend is chosen and reported", async () => {
  const b = await initBackend();
  assert.ok(["tensorflow", "wasm", "cpu"].includes(b), b);
});

for (const [name, make] of [
  ["lstm", () => new LstmForecaster({ window: 8, units: [6, 4], epochs: 2, batchSize: 16, learningRate: 0.01, seed: 3 })],
  ["convformer", () => new ConvformerForecaster({ window: 8, filters: 4, heads: 2, keyDim: 4, ffUnits: 8, epochs: 2, batchSize: 16, learningRate: 0.01, seed: 3 })],
] as const) {
  test(`${name}: training loss falls, and a saved model predicts exactly the same after loading`, async () => {
    const m = make();
    const r = await m.fit([y, x2], { horizon: 3 });
    const h = r.history!;
    assert.equal(h.loss.length, 2);
    assert.ok(h.loss[1] < h.loss[0], `loss ${h.loss}`);
    const p = m.predict([y, x2], 3);
    assert.equal(p.length, 3);
    const dir = mkdtempSync(path.join(tmpdir(), `cotwin-${name}-`));
    try {
      await m.save(dir);
      const saved = JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8"));
      assert.equal(saved.kind, name);
      if (name === "convformer") assert.match(JSON.stringify(saved.tfjs.modelTopology), /CotwinSelfAttention/);
      const back = await loadForecaster(dir);
      assert.deepEqual(Array.from(back.predict([y, x2], 3)), Array.from(p));
      // beyond the trained horizon: recursive, still identical after loading
      assert.deepEqual(Array.from(back.predict([y, x2], 5)), Array.from(m.predict([y, x2], 5)));
      back.dispose();
    } finally {
      m.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: the same seed trains the same weights`, async () => {
    const a = make();
    const b = make();
    await a.fit(y);
    await b.fit(y);
    assert.deepEqual(Array.from(a.predict(y, 1)), Array.from(b.predict(y, 1)));
    a.dispose();
    b.dispose();
  });
}

test("early stopping keeps the best validation epoch and the rate schedule lowers the rate", async () => {
  const m = new LstmForecaster({ window: 6, units: [3], epochs: 6, patience: 2, lrPatience: 1, lrFactor: 0.5, learningRate: 0.05, minDelta: 0.5, seed: 1 });
  const r = await m.fit(y);
  const h = r.history!;
  // minDelta 0.5 makes improvements rare: patience 2 stops after 3 epochs at most once none count
  assert.ok(h.loss.length <= 6);
  assert.equal(r.bestEpoch, h.valLoss.indexOf(Math.min(...h.valLoss)) + 1);
  assert.ok(h.lr[h.lr.length - 1] < h.lr[0] || h.lr.length === 1, `lr ${h.lr}`);
  m.dispose();
});
