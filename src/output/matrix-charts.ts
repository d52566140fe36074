/**
 * The vega-lite specs of a matrix report, built from the analysis: per metric a bar per policy
 * with its 95 % interval, the objective's paired differences against the reference, the energy
 * and cost breakdowns by host size, and per-interval series (mean over seeds with its interval
 * as a band). Data is inline; nothing is fetched.
 */
import type { Analysis } from "../matrix/analyse.ts";
import { BREAKDOWNS, INTERVAL_SERIES, metricTitle } from "../matrix/metrics.ts";
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./vega.ts";

export interface ChartSpec {
  /** file name stem under charts/ */
  name: string;
  title: string;
  /** the section of the report it belongs to */
  section: "metric" | "versus" | "breakdown" | "series";
  /** metric key, breakdown key or series field */
  subject: string;
  scenario?: string;
  spec: VegaLiteSpec;
}

const lo = (mean: number, ci: number) => (Number.isFinite(ci) ? mean - ci : mean);
const hi = (mean: number, ci: number) => (Number.isFinite(ci) ? mean + ci : mean);

function base(title: string): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    config: { font: "DejaVu Sans, Liberation Sans, Arial, sans-serif", view: { stroke: null } },
  };
}

/** Wraps a layered chart in a column facet when there is more than one scenario. */
function facetOrLayer(title: string, values: unknown[], layer: unknown[], manyScenarios: boolean, width: number): VegaLiteSpec {
  if (!manyScenarios) return { ...base(title), width, height: 220, data: { values }, layer };
  return { ...base(title), data: { values }, facet: { column: { field: "scenario", type: "nominal", title: null } }, spec: { width, height: 220, layer }, resolve: { scale: { y: "independent" } } };
}

/** Points drawn per policy at most; longer series are averaged over bins of consecutive intervals (series.csv keeps them all). */
const MAX_SERIES_POINTS = 300;

type SeriesValue = { policy: string; interval: number; mean: number; lo: number; hi: number };

function binned(values: SeriesValue[]): { points: SeriesValue[]; bin: number } {
  const length = Math.max(...values.map((v) => v.interval)) + 1;
  const bin = Math.ceil(length / MAX_SERIES_POINTS);
  if (bin <= 1) return { points: values, bin: 1 };
  const acc = new Map<string, SeriesValue & { n: number }>();
  for (const v of values) {
    const start = Math.floor(v.interval / bin) * bin;
    const k = `${v.policy}\u0000${start}`;
    const a = acc.get(k);
    if (!a) acc.set(k, { ...v, interval: start, n: 1 });
    else {
      a.mean += v.mean;
      a.lo += v.lo;
      a.hi += v.hi;
      a.n++;
    }
  }
  const points = [...acc.values()].map(({ n, ...a }) => ({ ...a, mean: a.mean / n, lo: a.lo / n, hi: a.hi / n }));
  return { points, bin };
}

export function matrixCharts(a: Analysis): ChartSpec[] {
  const out: ChartSpec[] = [];
  const many = a.scenarios.length > 1;
  const policyAxis = { field: "policy", type: "nominal", sort: a.policies, title: null, axis: { labelAngle: -30, labelLimit: 180 } };
  const barWidth = Math.max(160, 34 * a.policies.length);

  for (const m of a.metrics) {
    const values = a.cells
      .filter((c) => c.metric === m.key && Number.isFinite(c.mean))
      .map((c) => ({ scenario: c.scenario, policy: c.policy, mean: c.mean, lo: lo(c.mean, c.ci95), hi: hi(c.mean, c.ci95), n: c.n }));
    if (values.length === 0 || values.every((v) => v.mean === 0 && v.lo === 0 && v.hi === 0)) continue;
    const y = { field: "mean", type: "quantitative", title: metricTitle(m) };
    const layer = [
      { mark: { type: "bar", color: "#4c78a8" }, encoding: { x: policyAxis, y, tooltip: [{ field: "policy" }, { field: "mean", format: ".4g" }, { field: "n" }] } },
      { mark: { type: "errorbar", ticks: true, color: "#222" }, encoding: { x: policyAxis, y: { field: "lo", type: "quantitative", title: metricTitle(m) }, y2: { field: "hi" } } },
    ];
    const title = `${m.label}: mean and 95 % CI over ${a.seeds.length} seed(s)${m.lowerIsBetter ? " (lower is better)" : " (higher is better)"}`;
    out.push({ name: `metric-${m.key}`, title, section: "metric", subject: m.key, spec: facetOrLayer(title, values, layer, many, barWidth) });
  }

  const objective = a.metrics.find((m) => m.key === "objective");
  if (objective) {
    const values = a.versus
      .filter((v) => v.metric === "objective" && Number.isFinite(v.difference.value))
      .map((v) => ({ scenario: v.scenario, policy: v.policy, diff: v.difference.value, lo: lo(v.difference.value, v.difference.ci95), hi: hi(v.difference.value, v.difference.ci95) }));
    if (values.length > 0) {
      const x = { field: "policy", type: "nominal", sort: a.policies.filter((p) => p !== a.reference), title: null, axis: { labelAngle: -30, labelLimit: 180 } };
      const layer = [
        { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0, type: "quantitative" } } },
        { mark: { type: "errorbar", ticks: true, color: "#222" }, encoding: { x, y: { field: "lo", type: "quantitative", title: `objective − ${a.reference}` }, y2: { field: "hi" } } },
        { mark: { type: "point", filled: true, size: 60, color: "#e45756" }, encoding: { x, y: { field: "diff", type: "quantitative" } } },
      ];
      const title = `objective: paired difference against ${a.reference} (95 % CI; below 0 is better)`;
      out.push({ name: "versus-objective", title, section: "versus", subject: "objective", spec: facetOrLayer(title, values, layer, many, barWidth) });
    }
  }

  for (const bd of BREAKDOWNS) {
    const values = a.breakdowns.filter((b) => b.breakdown === bd.key && Number.isFinite(b.mean)).map((b) => ({ scenario: b.scenario, policy: b.policy, size: b.size, mean: b.mean }));
    if (values.length === 0) continue;
    const layer = [
      {
        mark: "bar",
        encoding: {
          x: policyAxis,
          y: { field: "mean", type: "quantitative", stack: "zero", title: `${bd.field === "costUSD" ? "cost" : "energy"} (${bd.unit})` },
          color: { field: "size", type: "nominal", title: "host size" },
          tooltip: [{ field: "policy" }, { field: "size" }, { field: "mean", format: ".4g" }],
        },
      },
    ];
    const title = `${bd.label}: mean over seeds`;
    out.push({ name: `breakdown-${bd.key}`, title, section: "breakdown", subject: bd.key, spec: facetOrLayer(title, values, layer, many, barWidth) });
  }

  for (const [si, s] of a.scenarios.entries()) {
    for (const sr of INTERVAL_SERIES) {
      const values = a.series
        .filter((p) => p.scenario === s.name && p.series === sr.field)
        // every series is a non-negative quantity: the band is drawn clipped at 0
        .map((p) => ({ policy: p.policy, interval: p.interval, mean: p.mean, lo: Math.max(0, lo(p.mean, p.ci95)), hi: hi(p.mean, p.ci95) }));
      if (values.length === 0) continue;
      const { points, bin } = binned(values);
      const x = { field: "interval", type: "quantitative", title: bin > 1 ? `interval (means over bins of ${bin})` : "interval" };
      const color = { field: "policy", type: "nominal", sort: a.policies };
      const title = `${s.name}: ${sr.label} (${sr.unit}), mean over seeds, 95 % band`;
      const spec = {
        ...base(title),
        width: 440,
        height: 190,
        data: { values: points },
        layer: [
          { mark: { type: "errorband", opacity: 0.2 }, encoding: { x, y: { field: "lo", type: "quantitative", title: `${sr.label} (${sr.unit})` }, y2: { field: "hi" }, color: { ...color, legend: null } } },
          { mark: { type: "line", strokeWidth: 1.4 }, encoding: { x, y: { field: "mean", type: "quantitative" }, color } },
        ],
      };
      out.push({ name: `series-${si}-${sr.field}`, title, section: "series", subject: sr.field, scenario: s.name, spec });
    }
  }
  return out;
}
