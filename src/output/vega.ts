/**
 * Charts as vega-lite specs, rendered on the server: vega-lite compiles the spec to vega, vega
 * draws it to SVG without a browser (renderer "none": no canvas, no DOM), and resvg turns the SVG
 * into a PNG. Each chart is written as <name>.vl.json (the spec with its data inline, so a user can
 * restyle it in any vega-lite editor), <name>.svg and <name>.png. The modules load on first use.
 */
import path from "node:path";
import { writeFileAtomic } from "../../workloads/output/atomic.ts";

export type VegaLiteSpec = Record<string, unknown>;

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
}

type Renderers = {
  vega: typeof import("vega");
  compile: typeof import("vega-lite").compile;
  Resvg: typeof import("@resvg/resvg-js").Resvg;
};
let renderers: Promise<Renderers> | undefined;

function load(): Promise<Renderers> {
  renderers ??= (async () => {
    const [vega, vl, resvg] = await Promise.all([import("vega"), import("vega-lite"), import("@resvg/resvg-js")]);
    return { vega, compile: vl.compile, Resvg: resvg.Resvg };
  })();
  return renderers;
}

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export async function renderChart(spec: VegaLiteSpec): Promise<RenderedChart> {
  const { vega, compile, Resvg } = await load();
  const compiled = compile(spec as unknown as Parameters<typeof compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" }, fitTo: { mode: "zoom", value: 2 } }).render().asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}

/** Renders and writes <dir>/<name>.vl.json, .svg and .png; returns the SVG for inlining. */
export async function writeChart(dir: string, name: string, spec: VegaLiteSpec): Promise<string> {
  const { svg, png } = await renderChart(spec);
  await writeFileAtomic(path.join(dir, `${name}.vl.json`), JSON.stringify(spec, null, 2) + "\n");
  await writeFileAtomic(path.join(dir, `${name}.svg`), svg);
  await writeFileAtomic(path.join(dir, `${name}.png`), png);
  return svg;
}
