import path from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { writeFileAtomic } from "./io.ts";
import { pearson } from "./select.ts";

/**
 * Small self-made SVG charts (line, histogram, scatter, heatmap) and their PNG rendering with
 * resvg. Plain SVG strings: no browser, no chart library.
 */
const W = 800;
const H = 420;
const M = { left: 70, right: 20, top: 40, bottom: 50 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const FONT = `font-family="DejaVu Sans, Arial, sans-serif"`;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** About n round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of values) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) {
    lo = Math.min(lo, a[i]);
    hi = Math.max(hi, a[i]);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** A UTC date (and hour when the range is short) for a time axis in seconds. */
function fmtTime(v: number, spanS: number): string {
  // traces that count from their own start (Google 2019) get days since the start, not 1970 dates
  if (v < 1e8) {
    const d = Math.floor(v / 86400);
    const h = String(Math.floor((v % 86400) / 3600)).padStart(2, "0");
    return spanS > 20 * 86400 ? `day ${d}` : `day ${d} ${h}h`;
  }
  const iso = new Date(v * 1000).toISOString();
  return spanS > 20 * 86400 ? iso.slice(0, 10) : spanS > 2 * 86400 ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(11, 16);
}

/** Round time ticks: whole days, or hours, covering [lo, hi] seconds. */
function timeTicks(lo: number, hi: number, n: number): number[] {
  const steps = [300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400];
  const step = steps.find((s) => (hi - lo) / s <= n) ?? 365 * 86400;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return out;
}

function frame(title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number], body: string, legend: string[] = [], time = false): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * pw;
  const sy = (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0])) * ph;
  const parts: string[] = [];
  for (const t of ticks(yr[0], yr[1])) {
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${M.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${fmt(t)}</text>`);
  }
  for (const t of time ? timeTicks(xr[0], xr[1], 7) : ticks(xr[0], xr[1], 8)) {
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11" ${FONT}>${time ? fmtTime(t, xr[1] - xr[0]) : fmt(t)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(title)}</text>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle" font-size="12" ${FONT}>${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(yLabel)}</text>`);
  legend.forEach((name, i) => {
    const y = M.top + 14 + i * 16;
    parts.push(`<rect x="${M.left + pw - 150}" y="${y - 9}" width="12" height="3" fill="${COLOURS[i % COLOURS.length]}"/>`);
    parts.push(`<text x="${M.left + pw - 132}" y="${y - 4}" font-size="11" ${FONT}>${esc(name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="100%" height="100%" fill="white"/>${parts.join("")}${body}</svg>`;
}

function scaler(xr: [number, number], yr: [number, number]) {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  return {
    sx: (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * pw,
    sy: (v: number) => M.top + ph - ((v - yr[0]) / (yr[1] - yr[0])) * ph,
  };
}

export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  /** x values (default 0, 1, 2, ...) */
  x?: ArrayLike<number>;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** x is seconds since 1970: date labels */
  time?: boolean;
  /** a line breaks where x jumps by more than this (a gap in the data), as it does at NaN values */
  maxStep?: number;
  /** vertical marks, e.g. the train/test boundary */
  marks?: { x: number; label: string }[];
}

/** Runs of consecutive drawable points: a NaN value or an x jump over maxStep ends a run. */
export function lineRuns(x: ArrayLike<number>, y: ArrayLike<number>, maxStep = Infinity): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= y.length; i++) {
    const ok = i < y.length && Number.isFinite(y[i]) && Number.isFinite(x[i]);
    const jump = ok && start >= 0 && x[i] - x[i - 1] > maxStep;
    if (start >= 0 && (!ok || jump)) {
      runs.push([start, i]);
      start = -1;
    }
    if (ok && start < 0) start = i;
  }
  return runs;
}

export function lineChart(o: LineChart): string {
  const xs = o.series.map((s) => s.x ?? Float64Array.from({ length: s.y.length }, (_, i) => i));
  const xr = extent(xs);
  const yr = extent(o.series.map((s) => s.y));
  const { sx, sy } = scaler(xr, yr);
  const body = o.series
    .map((s, k) => {
      const x = xs[k];
      // long series: keep at most ~2 points per pixel column
      const stride = Math.max(1, Math.floor(s.y.length / 1500));
      const paths: string[] = [];
      for (const [a, b] of lineRuns(x, s.y, o.maxStep)) {
        const pts: string[] = [];
        for (let i = a; i < b; i += stride) pts.push(`${sx(x[i]).toFixed(1)},${sy(s.y[i]).toFixed(1)}`);
        if (b - 1 > a && (b - 1 - a) % stride !== 0) pts.push(`${sx(x[b - 1]).toFixed(1)},${sy(s.y[b - 1]).toFixed(1)}`);
        // a single observed point between two gaps is a dot
        if (pts.length === 1) paths.push(`<circle cx="${pts[0].split(",")[0]}" cy="${pts[0].split(",")[1]}" r="1.5" fill="${COLOURS[k % COLOURS.length]}"/>`);
        else paths.push(`<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.3" points="${pts.join(" ")}"/>`);
      }
      return paths.join("");
    })
    .join("");
  const marks = (o.marks ?? [])
    .map((m) => {
      const x = sx(m.x).toFixed(1);
      return `<line x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}" stroke="#444" stroke-dasharray="5 4"/><text x="${Number(x) + 4}" y="${H - M.bottom - 6}" font-size="11" ${FONT}>${esc(m.label)}</text>`;
    })
    .join("");
  return frame(o.title, o.xLabel, o.yLabel, xr, yr, body + marks, o.series.map((s) => s.name), o.time);
}

export function histogram(o: { title: string; xLabel: string; values: ArrayLike<number>; bins?: number }): string {
  const vals = Array.from(o.values).filter(Number.isFinite);
  const bins = o.bins ?? 30;
  const [lo, hi] = extent([vals]);
  const counts = new Array<number>(bins).fill(0);
  for (const v of vals) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  const yr: [number, number] = [0, Math.max(1, ...counts) * 1.05];
  const { sx, sy } = scaler([lo, hi], yr);
  const bw = (hi - lo) / bins;
  const body = counts
    .map((c, i) => {
      const x0 = sx(lo + i * bw);
      const x1 = sx(lo + (i + 1) * bw);
      return `<rect x="${x0.toFixed(1)}" y="${sy(c).toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(sy(0) - sy(c)).toFixed(1)}" fill="${COLOURS[0]}"/>`;
    })
    .join("");
  return frame(o.title, o.xLabel, "count", [lo, hi], yr, body);
}

export function scatter(o: { title: string; xLabel: string; yLabel: string; x: ArrayLike<number>; y: ArrayLike<number> }): string {
  const xr = extent([o.x]);
  const yr = extent([o.y]);
  const { sx, sy } = scaler(xr, yr);
  const stride = Math.max(1, Math.floor(o.x.length / 4000));
  const dots: string[] = [];
  for (let i = 0; i < o.x.length; i += stride) {
    if (Number.isFinite(o.x[i]) && Number.isFinite(o.y[i])) dots.push(`<circle cx="${sx(o.x[i]).toFixed(1)}" cy="${sy(o.y[i]).toFixed(1)}" r="1.6" fill="${COLOURS[0]}" fill-opacity="0.5"/>`);
  }
  return frame(o.title, o.xLabel, o.yLabel, xr, yr, dots.join(""));
}

/** Pearson correlation of every pair of columns. */
export function correlationMatrix(columns: ArrayLike<number>[]): number[][] {
  return columns.map((a) => columns.map((b) => pearson(a, b)));
}

/** Heatmap of a square matrix in [-1, 1] (blue negative, red positive), values printed in cells. */
export function heatmap(o: { title: string; labels: string[]; matrix: number[][] }): string {
  const n = o.labels.length;
  const cell = Math.max(14, Math.min(48, Math.floor(560 / Math.max(1, n))));
  const left = 170;
  const top = 50;
  const width = left + n * cell + 120;
  const height = Math.max(top + n * cell + 150, top + 140);
  const colour = (v: number) => {
    const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
    const c = (x: number) => Math.round(255 - Math.abs(t) * x);
    return t >= 0 ? `rgb(255,${c(200)},${c(200)})` : `rgb(${c(200)},${c(200)},255)`;
  };
  const parts: string[] = [`<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(o.title)}</text>`);
  for (let i = 0; i < n; i++) {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="10" ${FONT}>${esc(o.labels[i])}</text>`);
    const x = left + i * cell + cell / 2;
    const y = top + n * cell + 6;
    parts.push(`<text transform="translate(${x + 3} ${y}) rotate(60)" font-size="10" ${FONT}>${esc(o.labels[i])}</text>`);
    for (let j = 0; j < n; j++) {
      const v = o.matrix[i][j];
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${colour(v)}" stroke="white"/>`);
      if (cell >= 28) parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="9" ${FONT}>${Number.isFinite(v) ? v.toFixed(2) : "-"}</text>`);
    }
  }
  // colour scale: -1 (blue) .. 0 (white) .. +1 (red)
  const barX = left + n * cell + 30;
  const barH = Math.max(120, n * cell);
  for (let k = 0; k < 40; k++) {
    const v = 1 - (2 * k) / 39;
    parts.push(`<rect x="${barX}" y="${(top + (k * barH) / 40).toFixed(1)}" width="16" height="${(barH / 40 + 0.5).toFixed(1)}" fill="${colour(v)}"/>`);
  }
  parts.push(`<rect x="${barX}" y="${top}" width="16" height="${barH}" fill="none" stroke="#333"/>`);
  for (const v of [1, 0.5, 0, -0.5, -1]) {
    parts.push(`<text x="${barX + 22}" y="${(top + ((1 - v) / 2) * barH + 4).toFixed(1)}" font-size="10" ${FONT}>${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${barX}" y="${top - 8}" font-size="10" ${FONT}>Pearson r</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}

export function svgToPng(svg: string): Uint8Array {
  const r = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" }, background: "white" });
  return r.render().asPng();
}

/** Writes name.svg and name.png into dir (atomically); returns both paths. */
export function writeChart(dir: string, name: string, svg: string): string[] {
  const svgFile = path.join(dir, `${name}.svg`);
  const pngFile = path.join(dir, `${name}.png`);
  writeFileAtomic(svgFile, svg);
  writeFileAtomic(pngFile, svgToPng(svg));
  return [svgFile, pngFile];
}
