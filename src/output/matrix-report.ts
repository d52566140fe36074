/**
 * The matrix report: one self-contained HTML page (inline CSS and SVG charts, no scripts, a
 * content security policy that forbids every external load, so it opens offline). Per metric a
 * table of means with 95 % intervals, paired differences and relative changes against the
 * reference, and a chart; SciNet's table; breakdowns; per-interval series; the provenance of
 * every number. A chart that failed to render is shown as such (and fails the browser test).
 */
import type { Analysis } from "../matrix/analyse.ts";
import { BREAKDOWNS, metricTitle, SCINET_TERMS } from "../matrix/metrics.ts";
import type { ChartSpec } from "./matrix-charts.ts";
import { escapeHtml } from "./escape.ts";
import { formatNumber } from "./report.ts";
import { seedList } from "./matrix-tables.ts";

export interface RenderedChartEntry extends ChartSpec {
  svg?: string;
  error?: string;
}

export interface ReportProvenance {
  command?: string[];
  intervals?: number;
  policyOptions?: Record<string, unknown>;
  /** resolved config of each scenario, by name */
  configs: Record<string, unknown>;
  /** files next to report.html, for the footer */
  files: string[];
}

const e = escapeHtml;

function pm(mean: number, ci: number): string {
  return Number.isFinite(ci) ? `${formatNumber(mean)} ± ${formatNumber(ci, 2)}` : formatNumber(mean);
}

function signed(x: number): string {
  const s = formatNumber(x);
  return x > 0 ? `+${s}` : s;
}

function pmSigned(v: number, ci: number): string {
  return Number.isFinite(ci) ? `${signed(v)} ± ${formatNumber(ci, 2)}` : signed(v);
}

/** A fraction as a signed percentage with its interval, e.g. "+3.21 % ± 0.45". */
export function pct(v: number, ci: number): string {
  const p = formatNumber(100 * v, 3);
  const a = `${100 * v > 0 ? "+" : ""}${p} %`;
  return Number.isFinite(ci) ? `${a} ± ${formatNumber(100 * ci, 2)}` : a;
}

/** Makes the ids of an inlined SVG unique in the page (vega numbers its clip paths from 1 in every chart). */
function scopeIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function figure(c: RenderedChartEntry | undefined, index: number): string {
  if (!c) return "";
  const links = `<figcaption>${e(c.title)} · <a href="charts/${e(c.name)}.vl.json">spec</a> · <a href="charts/${e(c.name)}.svg">SVG</a> · <a href="charts/${e(c.name)}.png">PNG</a></figcaption>`;
  if (!c.svg) return `<figure class="chart failed" data-chart="${e(c.name)}"><p class="bad">chart not rendered: ${e(c.error ?? "unknown error")}</p>${links}</figure>`;
  return `<figure class="chart" data-chart="${e(c.name)}">${scopeIds(c.svg, `c${index}`)}${links}</figure>`;
}

export function renderMatrixReport(a: Analysis, charts: readonly RenderedChartEntry[], prov: ReportProvenance): string {
  const chartIndex = new Map(charts.map((c, i) => [c.name, i]));
  const fig = (name: string) => {
    const i = chartIndex.get(name);
    return i === undefined ? "" : figure(charts[i], i);
  };
  const hashOf = new Map(a.scenarios.map((s) => [s.name, s.configHash]));
  const prov1 = (scenario: string) => `config ${hashOf.get(scenario)?.slice(0, 12) ?? "?"} · seeds ${seedList(a.seeds)} · cotwin ${a.version}`;

  const overview = a.scenarios
    .map((s) => {
      const shown = a.metrics.filter((m) => m.headline);
      const head = `<tr><th class="t">policy</th>${shown.map((m) => `<th>${e(metricTitle(m))}</th>`).join("")}</tr>`;
      const rows = a.policies
        .map((p) => {
          const cells = shown.map((m) => {
            const c = a.cells.find((x) => x.scenario === s.name && x.policy === p && x.metric === m.key);
            return `<td>${c ? e(pm(c.mean, c.ci95)) : "–"}</td>`;
          });
          return `<tr><td class="t">${e(p)}${p === a.reference ? " (reference)" : ""}</td>${cells.join("")}</tr>`;
        })
        .join("");
      return `<div class="scroll"><table class="grid"><caption>${e(s.name)} <span class="prov">${e(prov1(s.name))}</span></caption><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
    })
    .join("");

  const metricSections = a.metrics
    .map((m) => {
      const tables = a.scenarios
        .map((s) => {
          const rows = a.policies
            .map((p) => {
              const c = a.cells.find((x) => x.scenario === s.name && x.policy === p && x.metric === m.key);
              const v = a.versus.find((x) => x.scenario === s.name && x.policy === p && x.metric === m.key);
              const diff = p === a.reference ? "reference" : v ? pmSigned(v.difference.value, v.difference.ci95) : "–";
              const rel = p === a.reference ? "" : v?.relative ? pct(v.relative.value, v.relative.ci95) : (v?.relativeNote ?? "");
              return `<tr><td class="t">${e(p)}</td><td>${c?.n ?? 0}</td><td>${c ? e(pm(c.mean, c.ci95)) : "–"}</td><td>${e(diff)}</td><td class="${v?.relative ? "" : "t note"}">${e(rel)}</td></tr>`;
            })
            .join("");
          return `<div class="scroll"><table class="grid"><caption>${e(s.name)} <span class="prov">${e(prov1(s.name))}</span></caption><thead><tr><th class="t">policy</th><th>seeds</th><th>mean ± 95 % CI</th><th>− ${e(a.reference)} (paired) ± 95 % CI</th><th>relative change ± 95 % CI</th></tr></thead><tbody>${rows}</tbody></table></div>`;
        })
        .join("");
      const measured = m.measured ? `<p class="note">A measured wall-clock time: it differs between repeated runs of the same seed.</p>` : "";
      const chart = fig(`metric-${m.key}`) || `<p class="note">No chart: every value is 0.</p>`;
      return `<section id="metric-${e(m.key)}"><h3>${e(metricTitle(m))} <span class="dir">${m.lowerIsBetter ? "lower is better" : "higher is better"}</span></h3>${measured}<div class="pair"><div>${tables}</div>${chart}</div></section>`;
    })
    .join("");

  const scinetHead = `<tr><th class="t">policy</th><th class="t">against baseline</th>${SCINET_TERMS.map((t) => `<th>${e(t.direction)} ${e(t.term)}</th>`).join("")}</tr>`;
  const scinetBody = a.scenarios
    .map((s) => {
      const rows = a.scinet
        .filter((r) => r.scenario === s.name)
        .map((r) => `<tr><td class="t">${e(r.policy)}</td><td class="t">${e(r.baseline)}</td>${r.cells.map((c) => (c.percent ? `<td>${e(pct(c.percent.value / 100, c.percent.ci95 / 100))}</td>` : `<td class="note">${e(c.note ?? "–")}</td>`)).join("")}</tr>`)
        .join("");
      return `<tr class="group"><td class="t" colspan="${2 + SCINET_TERMS.length}">${e(s.name)} <span class="prov">${e(prov1(s.name))}</span></td></tr>${rows}`;
    })
    .join("");
  const claims = `<tr class="claim"><td class="t">SciNet (published)</td><td class="t">its baselines</td>${SCINET_TERMS.map((t) => `<td>up to ${t.claimPercent} %</td>`).join("")}</tr>`;
  const scinet = `<section id="scinet"><h2>In SciNet's terms</h2><p class="note">Improvement of each policy over each baseline in percent, in SciNet's phrasing (a positive number is lower cost, higher accuracy, lower energy, lower response time; negative is worse), with 95 % intervals over the paired seeds. SciNet's published claims are its best cases against its own baselines on its own testbed.</p><div class="scroll"><table class="grid"><thead>${scinetHead}</thead><tbody>${scinetBody}${claims}</tbody></table></div></section>`;

  const breakdownTables = BREAKDOWNS.map((bd) => {
    const rows = a.breakdowns
      .filter((b) => b.breakdown === bd.key)
      .map((b) => `<tr><td class="t">${e(b.scenario)}</td><td class="t">${e(b.policy)}</td><td class="t">${e(b.size)}</td><td>${e(pm(b.mean, b.ci95))}</td></tr>`)
      .join("");
    return rows ? `<div class="scroll"><table class="grid"><caption>${e(bd.label)} (${e(bd.unit)})</caption><thead><tr><th class="t">scenario</th><th class="t">policy</th><th class="t">host size</th><th>mean ± 95 % CI</th></tr></thead><tbody>${rows}</tbody></table></div>${fig(`breakdown-${bd.key}`)}` : "";
  }).join("");

  const series = charts
    .map((c, i) => (c.section === "series" ? figure(c, i) : ""))
    .join("");

  const scenarioRows = a.scenarios
    .map((s) => `<tr><td class="t">${e(s.name)}</td><td class="t">${e(s.view)}</td><td class="t mono">${e(s.configHash)}</td><td class="t mono">${e(s.objective ?? "–")}</td><td class="t">${s.objectiveNonNegative ? "non-negative: relative changes given" : "may be negative: absolute differences only"}</td></tr>`)
    .join("");
  const runRows = a.runs
    .map((r) => `<tr><td class="t mono">${e(r.key)}</td><td class="t">${e(r.scenario)}</td><td class="t">${e(r.policy)}</td><td>${r.seed}</td><td class="t mono">${e(r.configHash.slice(0, 12))}</td><td class="t">${e(r.version)}</td></tr>`)
    .join("");
  const configs = Object.entries(prov.configs)
    .map(([name, cfg]) => `<details><summary>resolved config of ${e(name)}</summary><pre>${e(JSON.stringify(cfg, null, 2))}</pre></details>`)
    .join("");
  const provenance = `<section id="provenance"><h2>Provenance</h2>
<table class="kv"><tbody><tr><th>cotwin version</th><td>${e(a.version)}</td></tr><tr><th>seeds</th><td>${e(seedList(a.seeds))} (${a.seeds.length}; the same seeds under every policy)</td></tr><tr><th>reference policy</th><td>${e(a.reference)}</td></tr><tr><th>intervals per run</th><td>${prov.intervals ?? "each scenario's own"}</td></tr>${prov.policyOptions ? `<tr><th>policy options</th><td class="mono">${e(JSON.stringify(prov.policyOptions))}</td></tr>` : ""}${prov.command ? `<tr><th>command</th><td class="mono">cotwin ${e(prov.command.join(" "))}</td></tr>` : ""}<tr><th>statistics</th><td>mean ± half-width of the 95 % Student-t interval over seeds; differences paired by seed; relative change = ratio of means − 1 (delta-method interval), given only for non-negative quantities whose reference is above 0 in every seed</td></tr></tbody></table>
<div class="scroll"><table class="grid"><caption>Scenarios</caption><thead><tr><th class="t">scenario</th><th class="t">view</th><th class="t">config hash (sha256 of the resolved config and its input files)</th><th class="t">objective</th><th class="t">sign</th></tr></thead><tbody>${scenarioRows}</tbody></table></div>
<details><summary>${a.runs.length} runs (files runs/&lt;key&gt;.json)</summary><div class="scroll"><table class="grid"><thead><tr><th class="t">key</th><th class="t">scenario</th><th class="t">policy</th><th>seed</th><th class="t">config</th><th class="t">version</th></tr></thead><tbody>${runRows}</tbody></table></div></details>
${configs}</section>`;

  const title = `cotwin bench: ${a.scenarios.map((s) => s.name).join(", ")}`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<header><h1>${e(title)}</h1><p class="sub">${a.policies.length} policies × ${a.scenarios.length} scenario(s) × ${a.seeds.length} seeds (${e(seedList(a.seeds))}) · reference <b>${e(a.reference)}</b> · cotwin <b>${e(a.version)}</b></p></header>`,
    "<main>",
    `<section><h2>Overview</h2><p class="note">Mean ± 95 % confidence interval over seeds. Details, paired differences and charts per metric below.</p>${overview}</section>`,
    `<section><h2>Metrics</h2>${metricSections}</section>`,
    fig("versus-objective") ? `<section id="versus"><h2>Objective against ${e(a.reference)}</h2>${fig("versus-objective")}</section>` : "",
    scinet,
    breakdownTables ? `<section id="breakdowns"><h2>Energy and cost by host size</h2>${breakdownTables}</section>` : "",
    series ? `<section id="series"><h2>Per interval</h2><div class="charts">${series}</div></section>` : "",
    provenance,
    "</main>",
    `<footer>Generated by cotwin ${e(a.version)}. Next to this file: ${e(prov.files.join(", "))}. Each chart's vega-lite spec is in charts/ beside its SVG and PNG.</footer>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2937;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header{background:#1f2937;color:#f9fafb;padding:20px 32px}
header h1{margin:0;font-size:22px;font-weight:600;overflow-wrap:anywhere}
header .sub{margin:4px 0 0;color:#d1d5db}
header b{color:#fff}
main{max-width:1200px;margin:0 auto;padding:8px 24px 24px}
h2{font-size:18px;font-weight:600;margin:28px 0 10px}
h3{font-size:15px;font-weight:600;margin:22px 0 8px}
.dir{font-weight:normal;color:#6b7280;font-size:12px;margin-left:6px}
table{border-collapse:collapse;background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08);font-variant-numeric:tabular-nums;margin:6px 0}
caption{text-align:left;font-weight:600;padding:4px 2px}
.prov{font-weight:normal;color:#6b7280;font-size:12px;margin-left:6px}
.grid th,.grid td{padding:4px 10px;text-align:right;white-space:nowrap}
.grid th{background:#f9fafb;border-bottom:1px solid #e5e7eb;font-weight:600}
.grid .t{text-align:left}
.grid tbody tr:nth-child(even){background:#fafafb}
.grid tr.group td{background:#eef2f7;font-weight:600}
.grid tr.claim td{border-top:2px solid #9ca3af;font-style:italic}
.kv th{text-align:left;font-weight:normal;color:#4b5563;padding:5px 12px;vertical-align:top}
.kv td{padding:5px 12px}
.note{color:#6b7280}
td.note{font-size:12px}
.bad{color:#b91c1c;font-weight:600}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere;white-space:normal}
.scroll{overflow-x:auto}
.pair{display:flex;flex-wrap:wrap;gap:0 16px;align-items:flex-start}
.pair>div{flex:1 1 520px;min-width:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
figure{margin:10px 0;background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08);padding:6px;overflow-x:auto}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:#6b7280;font-size:12px;padding:4px}
details{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08);padding:10px 14px;margin:8px 0}
summary{cursor:pointer;font-weight:600}
pre{overflow:auto;max-height:480px;font-size:12px;background:#f9fafb;padding:10px;border-radius:6px}
footer{max-width:1200px;margin:0 auto;padding:12px 24px 32px;color:#6b7280;font-size:12px}
`;
