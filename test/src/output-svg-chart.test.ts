import assert from "node:assert/strict";
import { test } from "node:test";
import { barChart, decimate, domainScale, formatTick, lineChart, niceTicks, standaloneSvg } from "../../src/output/svg-chart.ts";

// Expected ticks worked out by hand: step = 1, 2 or 5 x 10^k nearest (in ratio) to span / 5,
// axis widened to the enclosing multiples of the step.
test("niceTicks: round steps and an axis widened to multiples of the step", () => {
  // span 0.87 / 5 = 0.174 -> 1.74 x 0.1, rounds to 2 x 0.1
  assert.deepEqual(niceTicks(0, 0.87), { lo: 0, hi: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
  // 100 / 5 = 20 exactly
  assert.deepEqual(niceTicks(0, 100).ticks, [0, 20, 40, 60, 80, 100]);
  // 14 / 5 = 2.8 -> step 2, axis 2..18
  assert.deepEqual(niceTicks(3, 17).ticks, [2, 4, 6, 8, 10, 12, 14, 16, 18]);
  // 11.1 / 5 = 2.22 -> step 2, axis -4..8
  assert.deepEqual(niceTicks(-3.2, 7.9).ticks, [-4, -2, 0, 2, 4, 6, 8]);
  // 65 / 5 = 13 -> 1.3 x 10 -> step 10, axis 1230..1300
  assert.deepEqual(niceTicks(1234, 1299).ticks, [1230, 1240, 1250, 1260, 1270, 1280, 1290, 1300]);
  // 0.003 / 5 = 0.0006 -> 6 x 10^-4 -> step 5 x 10^-4
  assert.deepEqual(niceTicks(0, 0.003).ticks, [0, 0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003]);
  // 0.6 is a tick exactly, not an extra one below it
  assert.deepEqual(niceTicks(0.6, 1.4).ticks, [0.6, 0.8, 1, 1.2, 1.4]);
});

test("niceTicks: flat, reversed and non-finite ranges still give an axis", () => {
  assert.deepEqual(niceTicks(0, 0).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  // padded to 5..15: 10 / 5 = 2 -> step 2, axis 4..16
  assert.deepEqual(niceTicks(10, 10).ticks, [4, 6, 8, 10, 12, 14, 16]);
  assert.deepEqual(niceTicks(100, 0).ticks, [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(NaN, 5).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test("formatTick: decimals from the step, suffixes for large values", () => {
  assert.equal(formatTick(0.4, 0.2), "0.4");
  assert.equal(formatTick(1, 0.2), "1.0");
  assert.equal(formatTick(0.0015, 0.0005), "0.0015");
  assert.equal(formatTick(40, 20), "40");
  assert.equal(formatTick(25000, 5000), "25k");
  assert.equal(formatTick(2500000, 500000), "2.5M");
  assert.equal(formatTick(-0, 1), "0");
  assert.equal(formatTick(9000, 1000), "9000");
  assert.equal(formatTick(12500, 2500), "12.5k");
});

test("lineChart: a NaN leaves a gap (two path segments), never the text NaN", () => {
  const svg = lineChart({ title: "t", x: [0, 1, 2, 3, 4], series: [{ name: "s", values: [1, 2, NaN, 4, 5] }] });
  const d = /<path d="([^"]+)"/.exec(svg)?.[1];
  assert.ok(d);
  assert.equal(d.match(/M/g)?.length, 2);
  assert.equal(d.match(/L/g)?.length, 2);
  assert.ok(!svg.includes("NaN"));
});

test("lineChart: an isolated point between gaps is drawn as a dot", () => {
  const svg = lineChart({ title: "t", x: [0, 1, 2], series: [{ name: "s", values: [NaN, 3, NaN] }] });
  assert.equal(svg.match(/<circle/g)?.length, 1);
});

test("lineChart: empty and all-NaN data draw a frame with a note", () => {
  for (const spec of [
    { title: "empty", x: [], series: [{ name: "s", values: [] }] },
    { title: "nan", x: [0, 1], series: [{ name: "s", values: [NaN, Infinity] }] },
  ]) {
    const svg = lineChart(spec);
    assert.match(svg, /^<svg [^>]*>.*<\/svg>$/s);
    assert.match(svg, /no data/);
    assert.ok(!svg.includes("NaN"));
  }
});

test("lineChart: multiple series get a legend with their escaped names", () => {
  const svg = lineChart({
    title: "a<b",
    x: [0, 1],
    series: [
      { name: "x & y", values: [1, 2] },
      { name: "z", values: [2, 1], kind: "bars" },
    ],
  });
  assert.match(svg, />x &amp; y</);
  assert.match(svg, /aria-label="a&lt;b"/);
  assert.ok(!svg.includes("a<b"));
});

test("decimate keeps each bucket's min and max in order and turns empty buckets into gaps", () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7];
  const y = [5, 1, 9, 3, NaN, NaN, NaN, NaN];
  const points = decimate(x, y, 2);
  assert.deepEqual(points.slice(0, 2), [
    { x: 1, y: 1 },
    { x: 2, y: 9 },
  ]);
  assert.equal(points.length, 3);
  assert.ok(Number.isNaN(points[2]!.y));
});

test("barChart: one rect per finite value, value labels, no data note when empty", () => {
  const svg = barChart({ title: "b", categories: ["a", "b", "c"], series: [{ name: "s", values: [3, NaN, 1200] }] });
  assert.equal(svg.match(/<rect x=/g)?.length, 2);
  assert.match(svg, />1200</);
  assert.match(barChart({ title: "b", categories: [], series: [] }), /no data/);
});

test("a standalone chart is valid SVG for a renderer", async () => {
  const { Resvg } = await import("@resvg/resvg-js");
  const svg = lineChart({ title: "t", x: [0, 1, 2], series: [{ name: "s", values: [1, 3, 2] }] });
  const png = new Resvg(standaloneSvg(svg)).render();
  assert.equal(png.width, 560);
  assert.equal(png.height, 300);
});

test("domainScale: ticks inside a fixed range, from allowed steps when given", () => {
  // 24 h over ~6 ticks: 24 / 6 = 4, first allowed step >= 4 is 6
  assert.deepEqual(domainScale([0, 24], 6, [1, 2, 3, 6, 12, 24]).ticks, [0, 6, 12, 18, 24]);
  // 90 min over 5: 18 -> 30
  assert.deepEqual(domainScale([0, 90], 5, [1, 2, 5, 10, 15, 30, 60]).ticks, [0, 30, 60, 90]);
  // no steps given: 1-2-5 ticks, the range kept as is
  assert.deepEqual(domainScale([0, 13.9], 6), { lo: 0, hi: 13.9, step: 2, ticks: [0, 2, 4, 6, 8, 10, 12] });
});
