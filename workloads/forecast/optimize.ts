/**
 * Small deterministic minimisers for the smoothing models' constants (all boxed in [lo, hi]):
 * a grid to find the right basin, then Nelder-Mead (or golden section in 1-D) to polish it.
 */

export interface Box {
  lo: number[];
  hi: number[];
}

function clampTo(x: number[], box: Box): number[] {
  return x.map((v, i) => Math.min(box.hi[i], Math.max(box.lo[i], v)));
}

/** Golden-section search of a unimodal-ish function on [lo, hi]. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-7): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Nelder-Mead with box clamping; returns the best point found. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  box: Box,
  opts: { step?: number; maxEvals?: number; tol?: number } = {},
): { x: number[]; fx: number; evals: number } {
  const n = x0.length;
  const step = opts.step ?? 0.05;
  const maxEvals = opts.maxEvals ?? 400;
  const tol = opts.tol ?? 1e-10;
  let evals = 0;
  const fe = (x: number[]): number => {
    evals++;
    const v = f(clampTo(x, box));
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  const simplex: number[][] = [clampTo(x0, box)];
  for (let i = 0; i < n; i++) {
    const p = simplex[0].slice();
    // step inwards when at the upper bound so the simplex is not degenerate
    p[i] = p[i] + step <= box.hi[i] ? p[i] + step : p[i] - step;
    simplex.push(p);
  }
  let values = simplex.map(fe);
  while (evals < maxEvals) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const s = order.map((i) => simplex[i]);
    const v = order.map((i) => values[i]);
    simplex.splice(0, simplex.length, ...s);
    values = v;
    if (Math.abs(values[n] - values[0]) <= tol * (Math.abs(values[0]) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const along = (t: number): number[] => clampTo(centroid.map((c, j) => c + t * (simplex[n][j] - c)), box);
    const xr = along(-1);
    const fr = fe(xr);
    if (fr < values[0]) {
      const xe = along(-2);
      const fexp = fe(xe);
      if (fexp < fr) {
        simplex[n] = xe;
        values[n] = fexp;
      } else {
        simplex[n] = xr;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]) {
      simplex[n] = xr;
      values[n] = fr;
    } else {
      const xc = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = fe(xc);
      if (fc < Math.min(fr, values[n])) {
        simplex[n] = xc;
        values[n] = fc;
      } else {
        // shrink towards the best point
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((x, j) => simplex[0][j] + 0.5 * (x - simplex[0][j]));
          values[i] = fe(simplex[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[best]) best = i;
  return { x: clampTo(simplex[best], box), fx: values[best], evals };
}

/** Grid over the box (points per axis), then Nelder-Mead from the best grid point. */
export function gridThenNelderMead(
  f: (x: number[]) => number,
  box: Box,
  pointsPerAxis: number,
): { x: number[]; fx: number } {
  const n = box.lo.length;
  if (n === 0) return { x: [], fx: f([]) };
  if (n === 1) {
    let bestX = box.lo[0];
    let bestF = Infinity;
    const k = Math.max(pointsPerAxis, 2);
    for (let i = 0; i < k; i++) {
      const x = box.lo[0] + ((box.hi[0] - box.lo[0]) * i) / (k - 1);
      const v = f([x]);
      if (v < bestF) {
        bestF = v;
        bestX = x;
      }
    }
    const w = (box.hi[0] - box.lo[0]) / (k - 1);
    const x = goldenSection((a) => f([a]), Math.max(box.lo[0], bestX - w), Math.min(box.hi[0], bestX + w));
    const fx = f([x]);
    return fx <= bestF ? { x: [x], fx } : { x: [bestX], fx: bestF };
  }
  let bestX: number[] = box.lo.slice();
  let bestF = Infinity;
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    const x = idx.map((k, i) => box.lo[i] + ((box.hi[i] - box.lo[i]) * (k + 0.5)) / pointsPerAxis);
    const v = f(x);
    if (v < bestF) {
      bestF = v;
      bestX = x;
    }
    let d = 0;
    while (d < n && ++idx[d] === pointsPerAxis) idx[d++] = 0;
    if (d === n) break;
  }
  const r = nelderMead(f, bestX, box, { step: 0.5 / pointsPerAxis, maxEvals: 300 * n });
  return r.fx <= bestF ? { x: r.x, fx: r.fx } : { x: bestX, fx: bestF };
}
