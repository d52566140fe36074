/** Plain-text table with right-aligned numbers (for terminal output and README snippets). */
export function formatTable(headers: string[], rows: (string | number)[][], digits = 4): string {
  // a column of whole numbers prints as integers, any other number column with fixed decimals
  const whole = headers.map((_, i) => rows.every((r) => typeof r[i] !== "number" || Number.isInteger(r[i])));
  // small-valued columns get more decimals, so about four significant digits always show
  const decimals = headers.map((_, i) => {
    const maxAbs = Math.max(0, ...rows.map((r) => (typeof r[i] === "number" && Number.isFinite(r[i]) ? Math.abs(r[i] as number) : 0)));
    return maxAbs > 0 ? Math.min(8, Math.max(digits, 3 - Math.floor(Math.log10(maxAbs)))) : digits;
  });
  const cell = (v: string | number, i: number): string =>
    typeof v === "number" ? (Number.isFinite(v) ? (whole[i] ? String(v) : v.toFixed(decimals[i])) : String(v)) : v;
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}
