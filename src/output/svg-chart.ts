/**
 * Small SVG charts for the run report: a line chart on a numeric x axis (series may also be drawn
 * as columns) and a grouped bar chart over categories. The output is plain SVG text with no
 * external references, so it can be inlined in an offline HTML page or rendered on its own.
 * Non-finite values leave a gap; empty input draws the frame with a "no data" note.
 */
import { escapeHtml } from "./escape.ts";

/** Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), yellow left out. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

// ---------------------------------------------------------------------------------------------
// Axis scales

export interface NiceScale {
  /** the axis runs from lo to hi, both multiples of step */
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/**
 * Round tick positions covering [min, max] with about `count` intervals: the step is 1, 2 or 5
 * times a power of ten, and the axis is widened to the enclosing multiples of the step.
 * E.g. 0..0.87 gives step 0.2 and ticks 0, 0.2, ..., 1.
 */
export function niceTicks(min: number, max: number, count = 5): NiceScale {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // a flat series still needs a readable axis around its value
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    return min === 0 ? niceTicks(0, 1, count) : niceTicks(min - pad, max + pad, count);
  }
  count = Math.max(1, Math.round(count));
  const raw = (max - min) / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / Math.pow(10, power);
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  // Ticks are integer multiples k of `factor`, scaled by a power of ten. Dividing by 10^-power
  // (rather than multiplying by 10^power) keeps 3 * 0.2 at 0.6 instead of 0.6000000000000001.
  const inverse = power < 0 ? Math.pow(10, -power) : 0;
  const scale = power >= 0 ? Math.pow(10, power) : 0;
  const at = (k: number): number => (inverse ? k / inverse : k * scale);
  const step = at(factor);
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(at(i * factor) + 0); // + 0 turns -0 into 0
  return { lo: ticks[0]!, hi: ticks[ticks.length - 1]!, step, ticks };
}

/** [from magnitude, divisor, suffix]: "k" starts at 10,000 so four-digit values stay as they are. */
const SUFFIXES = [
  [1e9, 1e9, "G"],
  [1e6, 1e6, "M"],
  [1e4, 1e3, "k"],
] as const;

/** A tick label: as many decimals as the step needs, k/M/G suffixes for large magnitudes. */
export function formatTick(value: number, step: number): string {
  const magnitude = Math.max(Math.abs(value), Math.abs(step));
  for (const [from, unit, suffix] of SUFFIXES) {
    if (magnitude >= from) return fixed(value / unit, step / unit) + suffix;
  }
  return fixed(value, step);
}

function fixed(value: number, step: number): string {
  // the fewest decimals that show the step exactly (0.2 -> 1, 2.5 -> 1, 0.0005 -> 4)
  let decimals = 0;
  while (decimals < 20 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals++;
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A value label with three significant digits (1234 -> 1.23k, 0.01234 -> 0.0123). */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "–" : value > 0 ? "∞" : "-∞";
  const abs = Math.abs(value);
  for (const [from, unit, suffix] of SUFFIXES) {
    if (abs >= from) return String(Number((value / unit).toPrecision(3))) + suffix;
  }
  if (Number.isInteger(value)) return String(value);
  if (abs < 1e-3 && abs > 0) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

// ---------------------------------------------------------------------------------------------
// Shared drawing helpers

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"`;
const TEXT = "#374151";
const MUTED = "#6b7280";
const GRID = "#e5e7eb";
const AXIS = "#9ca3af";

/** Rough width of a label in px; SVG has no layout engine, so margins are sized from this. */
function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.58;
}

function n1(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
}

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${n1(x)}" y="${n1(y)}"${attrs ? " " + attrs : ""}>${escapeHtml(content)}</text>`;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The opening of a chart: the SVG element and title, the legend when there are several series, and the plot frame. */
function chartHead(
  width: number,
  height: number,
  title: string,
  series: Parameters<typeof legend>[0],
  yLabel: string | undefined,
  yScale: NiceScale,
  topGap: number,
  bottom: number,
): { svg: string; frame: Frame } {
  const leg = series.length > 1 ? legend(series, width, 40) : { svg: "", height: 0 };
  const frame: Frame = {
    width,
    height,
    left: 12 + (yLabel ? 16 : 0) + yTickLabelWidth(yScale) + 8,
    right: 18,
    top: (leg.height > 0 ? 40 + leg.height : 36) + topGap,
    bottom,
  };
  return { svg: openSvg(width, height, title) + leg.svg, frame };
}

function openSvg(width: number, height: number, title: string): string {
  return (
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-label="${escapeHtml(title)}" ${FONT} font-size="11" class="chart">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    text(12, 20, title, `font-size="14" font-weight="600" fill="#111827"`)
  );
}

/** Legend items flowed into rows under the title; returns the SVG and the height used. */
function legend(
  items: readonly { name: string; color: string; kind: "line" | "bars"; dashed?: boolean }[],
  width: number,
  y0: number,
): { svg: string; height: number } {
  if (items.length === 0) return { svg: "", height: 0 };
  const rowHeight = 16;
  let x = 12;
  let y = y0;
  let svg = "";
  for (const item of items) {
    const w = 22 + textWidth(item.name, 11) + 14;
    if (x > 12 && x + w > width - 8) {
      x = 12;
      y += rowHeight;
    }
    const swatch =
      item.kind === "bars"
        ? `<rect x="${n1(x)}" y="${n1(y - 8)}" width="14" height="9" fill="${item.color}" opacity="0.75"/>`
        : `<line x1="${n1(x)}" y1="${n1(y - 4)}" x2="${n1(x + 16)}" y2="${n1(y - 4)}" stroke="${item.color}" ` +
          `stroke-width="2.2"${item.dashed ? ` stroke-dasharray="5 3"` : ""}/>`;
    svg += swatch + text(x + 21, y, item.name, `fill="${TEXT}"`);
    x += w;
  }
  return { svg, height: y - y0 + rowHeight };
}

function yAxis(frame: Frame, scale: NiceScale, yLabel: string | undefined, py: (v: number) => number): string {
  let svg = "";
  const x0 = frame.left;
  const x1 = frame.width - frame.right;
  for (const t of scale.ticks) {
    const y = py(t);
    svg += `<line x1="${n1(x0)}" y1="${n1(y)}" x2="${n1(x1)}" y2="${n1(y)}" stroke="${t === 0 ? AXIS : GRID}" stroke-width="1"/>`;
    svg += text(x0 - 6, y + 3.5, formatTick(t, scale.step), `text-anchor="end" fill="${MUTED}"`);
  }
  if (yLabel) {
    const cy = (frame.top + frame.height - frame.bottom) / 2;
    svg += text(0, 0, yLabel, `transform="translate(13 ${n1(cy)}) rotate(-90)" text-anchor="middle" fill="${TEXT}"`);
  }
  return svg;
}

function yTickLabelWidth(scale: NiceScale): number {
  return Math.max(...scale.ticks.map((t) => textWidth(formatTick(t, scale.step), 11)));
}

function noData(frame: Frame): string {
  const cx = (frame.left + frame.width - frame.right) / 2;
  const cy = (frame.top + frame.height - frame.bottom) / 2;
  return text(cx, cy, "no data", `text-anchor="middle" fill="${MUTED}" font-size="13"`);
}

// ---------------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  name: string;
  /** one value per x; NaN or ±Infinity leaves a gap */
  values: readonly number[];
  color?: string;
  /** "bars" draws a column per x from zero (default "line") */
  kind?: "line" | "bars";
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  x: readonly number[];
  series: readonly LineSeries[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** keep zero on the y axis (default true: most quantities here are counts, energies, costs) */
  includeZero?: boolean;
  /** fixed y range instead of one fitted to the data, e.g. [0, 100] for percentages */
  yDomain?: readonly [number, number];
  /** fixed x range, e.g. the simulated span, instead of one widened to round numbers */
  xDomain?: readonly [number, number];
  /** allowed x tick steps, smallest first (e.g. 1, 2, 3, 6, 12, 24 for hours); default 1-2-5 steps */
  xTickSteps?: readonly number[];
  /** above this many points a series is reduced to the min and max of each pixel column */
  maxPoints?: number;
}

interface Point {
  x: number;
  y: number;
}

/**
 * Reduces a long series to at most two points (its min and max, in order) per bucket of
 * consecutive indices, so the drawn envelope matches what a full-resolution line would show.
 * A bucket without finite values becomes a gap (y = NaN).
 */
export function decimate(x: readonly number[], y: readonly number[], buckets: number): Point[] {
  const n = Math.min(x.length, y.length);
  if (n <= buckets * 2) {
    const out: Point[] = [];
    for (let i = 0; i < n; i++) out.push({ x: x[i]!, y: Number.isFinite(y[i]!) ? y[i]! : NaN });
    return out;
  }
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < y[iMin]!) iMin = i;
      if (iMax < 0 || v > y[iMax]!) iMax = i;
    }
    if (iMin < 0) {
      out.push({ x: x[start]!, y: NaN });
    } else if (iMin === iMax) {
      out.push({ x: x[iMin]!, y: y[iMin]! });
    } else {
      const [a, c] = iMin < iMax ? [iMin, iMax] : [iMax, iMin];
      out.push({ x: x[a]!, y: y[a]! }, { x: x[c]!, y: y[c]! });
    }
  }
  return out;
}

function finiteExtent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 300;
  const includeZero = spec.includeZero ?? true;
  const series = spec.series.map((s, i) => ({
    ...s,
    color: s.color ?? PALETTE[i % PALETTE.length]!,
    kind: s.kind ?? ("line" as const),
  }));

  const xExtent = finiteExtent(spec.x);
  const yExtent = finiteExtent(series.flatMap((s) => s.values.slice(0, spec.x.length)));
  const hasData = xExtent !== undefined && yExtent !== undefined;

  let [yMin, yMax] = spec.yDomain ?? yExtent ?? [0, 1];
  if (includeZero && !spec.yDomain) {
    yMin = Math.min(yMin, 0);
    yMax = Math.max(yMax, 0);
  }
  const yScale = spec.yDomain ? domainScale(spec.yDomain, 5) : niceTicks(yMin, yMax, 5);
  const xCount = Math.max(2, Math.floor(width / 90));
  const xScale = spec.xDomain
    ? domainScale(spec.xDomain, xCount, spec.xTickSteps)
    : niceTicks(...(xExtent ?? [0, 1]), xCount);

  const head = chartHead(width, height, spec.title, series, spec.yLabel, yScale, 4, spec.xLabel ? 44 : 26);
  let svg = head.svg;
  const frame = head.frame;
  const plotW = width - frame.left - frame.right;
  const plotH = height - frame.top - frame.bottom;
  const px = (v: number): number => frame.left + ((v - xScale.lo) / (xScale.hi - xScale.lo)) * plotW;
  const py = (v: number): number => {
    const clamped = Math.min(yScale.hi, Math.max(yScale.lo, v));
    return frame.top + plotH - ((clamped - yScale.lo) / (yScale.hi - yScale.lo)) * plotH;
  };

  svg += yAxis(frame, yScale, spec.yLabel, py);
  const baseY = frame.top + plotH;
  svg += `<line x1="${n1(frame.left)}" y1="${n1(baseY)}" x2="${n1(frame.left + plotW)}" y2="${n1(baseY)}" stroke="${AXIS}"/>`;
  for (const t of xScale.ticks) {
    const x = px(t);
    svg += `<line x1="${n1(x)}" y1="${n1(baseY)}" x2="${n1(x)}" y2="${n1(baseY + 4)}" stroke="${AXIS}"/>`;
    svg += text(x, baseY + 16, formatTick(t, xScale.step), `text-anchor="middle" fill="${MUTED}"`);
  }
  if (spec.xLabel) svg += text(frame.left + plotW / 2, height - 10, spec.xLabel, `text-anchor="middle" fill="${TEXT}"`);

  if (!hasData) return svg + noData(frame) + "</svg>";

  const maxPoints = spec.maxPoints ?? Math.max(200, Math.round(plotW * 2));
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  // columns first so lines stay visible on top of them
  for (const s of [...series.filter((s) => s.kind === "bars"), ...series.filter((s) => s.kind === "line")]) {
    const values = s.values.slice(0, spec.x.length);
    svg += s.kind === "bars" ? columns(spec.x, values, s.color, px, py, plotW, buckets) : line(spec.x, values, s, px, py, buckets);
  }
  return svg + "</svg>";
}

/**
 * Ticks inside a fixed range: multiples of the first allowed step that gives at most `count`
 * intervals, or of a 1-2-5 step when none is given or none is large enough.
 */
export function domainScale([lo, hi]: readonly [number, number], count: number, steps?: readonly number[]): NiceScale {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) return niceTicks(lo, hi, count);
  const step = steps?.find((s) => s >= (hi - lo) / count);
  if (step === undefined) {
    const nice = niceTicks(lo, hi, count);
    const ticks = nice.ticks.filter((t) => t >= lo - 1e-9 * nice.step && t <= hi + 1e-9 * nice.step);
    return { lo, hi, step: nice.step, ticks };
  }
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k <= Math.floor(hi / step + 1e-9); k++) ticks.push(k * step + 0);
  return { lo, hi, step, ticks };
}

function line(
  x: readonly number[],
  values: readonly number[],
  s: { color: string; dashed?: boolean },
  px: (v: number) => number,
  py: (v: number) => number,
  buckets: number,
): string {
  const points = decimate(x, values, buckets);
  let d = "";
  let dots = "";
  let runStart = -1;
  const flushRun = (end: number): void => {
    // a run of a single point has no segment to draw; mark it so it does not vanish
    if (runStart >= 0 && end - runStart === 1) {
      const p = points[runStart]!;
      dots += `<circle cx="${n1(px(p.x))}" cy="${n1(py(p.y))}" r="2.2" fill="${s.color}"/>`;
    }
    runStart = -1;
  };
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) {
      flushRun(i);
      continue;
    }
    d += `${runStart < 0 ? "M" : "L"}${n1(px(p.x))} ${n1(py(p.y))}`;
    if (runStart < 0) runStart = i;
  }
  flushRun(points.length);
  const dash = s.dashed ? ` stroke-dasharray="5 3"` : "";
  const path = d ? `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"${dash}/>` : "";
  return path + dots;
}

function columns(
  x: readonly number[],
  values: readonly number[],
  color: string,
  px: (v: number) => number,
  py: (v: number) => number,
  plotW: number,
  buckets: number,
): string {
  const n = Math.min(x.length, values.length);
  // keep columns at least two pixels wide; beyond that, one column per group shows its range
  const groups = Math.min(n, buckets, Math.max(1, Math.floor(plotW / 2)));
  const y0 = py(0);
  // columns share the plot width evenly; x values are interval midpoints, so roughly uniform
  // columns are as wide as the spacing of the x values (taken as roughly uniform)
  const pitch = n > 1 ? Math.abs(px(x[n - 1]!) - px(x[0]!)) / (n - 1) : plotW / 2;
  let svg = `<g fill="${color}" opacity="0.75">`;
  for (let g = 0; g < groups; g++) {
    const start = Math.floor((g * n) / groups);
    const end = Math.floor(((g + 1) * n) / groups);
    let lo = 0;
    let hi = 0;
    let any = false;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      any = true;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (!any || !Number.isFinite(x[start]!) || !Number.isFinite(x[end - 1]!)) continue;
    const gap = end - start === 1 && pitch > 4 ? pitch * 0.15 : 0;
    const left = px(x[start]!) - pitch / 2 + gap;
    const right = px(x[end - 1]!) + pitch / 2 - gap;
    const top = py(hi);
    const bottom = py(lo);
    if (hi === lo) continue; // zero-height column
    svg += `<rect x="${n1(left)}" y="${n1(Math.min(top, y0))}" width="${n1(Math.max(0.6, right - left))}" height="${n1(Math.max(0.5, bottom - top))}"/>`;
  }
  return svg + "</g>";
}

// ---------------------------------------------------------------------------------------------
// Bar chart

export interface BarSeries {
  name: string;
  /** one value per category */
  values: readonly number[];
  color?: string;
}

export interface BarChartSpec {
  title: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  yLabel?: string;
  width?: number;
  height?: number;
  /** print each bar's value above it (default: when there are at most 24 bars) */
  valueLabels?: boolean;
  /** one colour per category instead of per series (only with a single series) */
  colorByCategory?: boolean;
}

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 300;
  const series = spec.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]!, kind: "bars" as const }));
  const nCat = spec.categories.length;
  const extent = finiteExtent(series.flatMap((s) => s.values.slice(0, nCat)));
  const yScale = niceTicks(Math.min(0, extent?.[0] ?? 0), Math.max(0, extent?.[1] ?? 1), 5);

  const head = chartHead(width, height, spec.title, series, spec.yLabel, yScale, 6, 30);
  let svg = head.svg;
  const frame = head.frame;
  const plotW = width - frame.left - frame.right;
  const plotH = height - frame.top - frame.bottom;
  const py = (v: number): number => frame.top + plotH - ((v - yScale.lo) / (yScale.hi - yScale.lo)) * plotH;
  svg += yAxis(frame, yScale, spec.yLabel, py);
  const baseY = frame.top + plotH;
  svg += `<line x1="${n1(frame.left)}" y1="${n1(baseY)}" x2="${n1(frame.left + plotW)}" y2="${n1(baseY)}" stroke="${AXIS}"/>`;
  if (nCat === 0 || extent === undefined) return svg + noData(frame) + "</svg>";

  const band = plotW / nCat;
  const groupW = band * (series.length > 1 ? 0.8 : 0.65);
  const barW = groupW / Math.max(1, series.length);
  const showValues = spec.valueLabels ?? nCat * series.length <= 24;
  // label every k-th category when the bands are too narrow for their labels
  const labelEvery = Math.max(1, Math.ceil(44 / band));
  const maxChars = Math.max(3, Math.floor((band * labelEvery - 6) / (11 * 0.58)));
  const y0 = py(0);

  for (let c = 0; c < nCat; c++) {
    const cx = frame.left + band * (c + 0.5);
    const category = spec.categories[c]!;
    if (c % labelEvery === 0) {
      const label = category.length > maxChars ? category.slice(0, maxChars - 1) + "…" : category;
      svg += `<g><title>${escapeHtml(category)}</title>${text(cx, baseY + 16, label, `text-anchor="middle" fill="${MUTED}"`)}</g>`;
    }
    series.forEach((s, i) => {
      const v = s.values[c];
      if (v === undefined || !Number.isFinite(v)) return;
      const color = spec.colorByCategory && series.length === 1 ? PALETTE[c % PALETTE.length]! : s.color;
      const x = cx - groupW / 2 + i * barW;
      const top = Math.min(py(v), y0);
      const h = Math.abs(py(v) - y0);
      svg +=
        `<rect x="${n1(x + 0.5)}" y="${n1(top)}" width="${n1(Math.max(0.6, barW - 1))}" height="${n1(h)}" fill="${color}">` +
        `<title>${escapeHtml(`${category} – ${s.name}: ${formatCompact(v)}`)}</title></rect>`;
      if (showValues) {
        const ly = v >= 0 ? py(v) - 4 : py(v) + 12;
        svg += text(x + barW / 2, ly, formatCompact(v), `text-anchor="middle" fill="${TEXT}" font-size="10"`);
      }
    });
  }
  return svg + "</svg>";
}

/**
 * A chart as a standalone SVG document (for a .svg file or an SVG renderer). Charts inlined in
 * HTML do without the namespace declaration, which keeps the report free of any URL.
 */
export function standaloneSvg(svg: string): string {
  return svg.replace(/^<svg /, `<svg xmlns="http://www.w3.org/2000/svg" `);
}
