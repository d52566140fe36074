/**
 * The matrix report: written next to its charts (spec, SVG, PNG for each), self-contained, and
 * checked in a real browser: headless Chromium (Debian's package) loads report.html from disk,
 * and the test fails on any console error, page error or failed request, and on any chart that
 * is missing, marked as not rendered, or drawn without marks. Skips, saying why, without Chromium.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { before, test } from "node:test";
import { runSweep, type SweepOutcome } from "../../src/matrix/sweep.ts";
import { renderMatrixReport } from "../../src/output/matrix-report.ts";

let out = "";
let outcome: SweepOutcome;

before(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), "cotwin-report-"));
  outcome = await runSweep({ scenarios: ["scinet-testbed"], policies: ["first-fit", "threshold+compressed+least-loaded"], seeds: [1, 2, 3], intervals: 30, workers: 2, out, progress: false });
});

/** Chromium from $CHROMIUM_PATH / $PUPPETEER_EXECUTABLE_PATH, or Debian's package. */
function chromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, process.env.PUPPETEER_EXECUTABLE_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

test("every chart is written as its vega-lite spec, an SVG and a PNG", () => {
  const files = readdirSync(path.join(out, "charts"));
  const specs = files.filter((f) => f.endsWith(".vl.json"));
  assert.ok(specs.length >= 10, `only ${specs.length} charts`);
  for (const s of specs) {
    const stem = s.slice(0, -".vl.json".length);
    const spec = JSON.parse(readFileSync(path.join(out, "charts", s), "utf8"));
    assert.match(spec.$schema, /vega-lite/);
    assert.ok(readFileSync(path.join(out, "charts", `${stem}.svg`), "utf8").startsWith("<svg"), `${stem}.svg`);
    const png = readFileSync(path.join(out, "charts", `${stem}.png`));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${stem}.png is a PNG`);
  }
  assert.deepEqual(outcome.files!.chartErrors, []);
});

test("the report needs no network: no external source, a policy that forbids loads", () => {
  const html = readFileSync(path.join(out, "report.html"), "utf8");
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.equal(/<script|\b(?:src|href)="https?:/i.test(html), false);
  // one inline chart per spec file, with ids made unique in the page
  const figures = html.match(/<figure class="chart" data-chart=/g) ?? [];
  assert.equal(figures.length, readdirSync(path.join(out, "charts")).filter((f) => f.endsWith(".vl.json")).length);
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, "duplicate ids");
});

test("a chart that failed to render is shown as failed", () => {
  const a = outcome.analysis!;
  const html = renderMatrixReport(a, [{ name: "metric-cost", title: "cost", section: "metric", subject: "cost", spec: {}, error: "boom" }], { configs: {}, files: [] });
  assert.match(html, /<figure class="chart failed" data-chart="metric-cost"><p class="bad">chart not rendered: boom/);
});

test("charts inlined in one page keep their own ids (vega numbers clip paths from 1 in every chart)", () => {
  const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
  const chart = (name: string) => ({ name, title: name, section: "series" as const, subject: "x", spec: {}, svg });
  const html = renderMatrixReport(outcome.analysis!, [chart("a"), chart("b")], { configs: {}, files: [] });
  const ids = [...html.matchAll(/\bid="(c\d+-clip1)"/g)].map((m) => m[1]);
  assert.deepEqual(ids, ["c0-clip1", "c1-clip1"]);
  assert.ok(html.includes('clip-path="url(#c0-clip1)"') && html.includes('clip-path="url(#c1-clip1)"'));
  assert.ok(html.includes('href="#c1-clip1"'));
});

test("headless Chromium renders the report without errors and draws every chart", { timeout: 60_000 }, async (t) => {
  const exe = chromium();
  if (!exe) {
    t.skip("Chromium is absent: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH");
    return;
  }
  const puppeteer = (await import("puppeteer-core")).default;
  const browser = await puppeteer.launch({ executablePath: exe, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`);
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(path.join(out, "report.html")).href, { waitUntil: "load" });
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll("figure.chart")].map((f) => {
        const svg = f.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        // vega draws each mark as a group with role-mark; a drawn bar, line or band is a path or rect with geometry
        const marks = svg ? [...svg.querySelectorAll(".role-mark path, .role-mark rect, .role-mark line")] : [];
        const drawn = marks.filter((m) => {
          const b = (m as SVGGraphicsElement).getBBox();
          return b.width > 0 || b.height > 0;
        });
        return { name: f.getAttribute("data-chart"), failed: f.classList.contains("failed"), width: box?.width ?? 0, height: box?.height ?? 0, drawn: drawn.length };
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(charts.length >= 10, `${charts.length} charts`);
    for (const c of charts) {
      assert.equal(c.failed, false, `${c.name} not rendered`);
      assert.ok(c.width > 100 && c.height > 100, `${c.name} has size ${c.width} x ${c.height}`);
      assert.ok(c.drawn > 0, `${c.name} has no drawn marks`);
    }
    const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
    for (const h of ["Overview", "Metrics", "In SciNet's terms", "Energy and cost by host size", "Per interval", "Provenance"]) assert.ok(headings.includes(h), `section ${h}`);
  } finally {
    await browser.close();
  }
});
