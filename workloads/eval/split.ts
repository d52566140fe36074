import type { ForecastData } from "../forecast/data.ts";

/**
 * A chronological train/test split made on observed points, never across a gap.
 *
 * The reader fills gaps by interpolation so models see a regular series. If the split fell
 * inside a gap, the training part would end in a line drawn to the first test observation (the
 * test data would leak into training). So the split is placed at an observed point (the first
 * point after `fraction` of the observed points), the training part keeps its observed points
 * only (gaps closed up, no synthetic values), and the test part starts at that observed point:
 * every interpolated value of the test part lies between two test observations.
 */
export interface ObservedSplit {
  /** training points (closed up) followed by the test part as read */
  series: Float64Array[];
  /** 1 = observed: all training points, then the reader's mask of the test part */
  mask: Uint8Array;
  times: Float64Array;
  /** index of the first test point in `series` (= number of observed training points) */
  trainEnd: number;
  /** time stamp of the first test point, seconds */
  splitTime: number;
  /** training points that were gaps in the trace and are closed up */
  trainGapsClosed: number;
}

/** Index (into the full series) of the first test point: the observed point after `fraction` of them. */
export function observedSplitIndex(mask: Uint8Array, fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`split: fraction must be in (0, 1), got ${fraction}`);
  let observed = 0;
  for (let i = 0; i < mask.length; i++) observed += mask[i];
  const nTrain = Math.floor(fraction * observed);
  if (nTrain < 2 || nTrain >= observed) throw new Error(`split: too few observed points (${observed}) for a ${Math.round(fraction * 100)} % split`);
  let seen = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    if (seen === nTrain) return i;
    seen++;
  }
  throw new Error("split: unreachable");
}

export function splitObserved(d: ForecastData, fraction = 0.8): ObservedSplit {
  const at = observedSplitIndex(d.mask, fraction);
  let nTrain = 0;
  for (let i = 0; i < at; i++) nTrain += d.mask[i];
  const nTest = d.mask.length - at;
  const series = d.series.map((s) => {
    const out = new Float64Array(nTrain + nTest);
    let k = 0;
    for (let i = 0; i < at; i++) if (d.mask[i]) out[k++] = s[i];
    out.set(s.subarray(at), nTrain);
    return out;
  });
  const mask = new Uint8Array(nTrain + nTest);
  mask.fill(1, 0, nTrain);
  mask.set(d.mask.subarray(at), nTrain);
  const times = new Float64Array(nTrain + nTest);
  let k = 0;
  for (let i = 0; i < at; i++) if (d.mask[i]) times[k++] = d.times[i];
  times.set(d.times.subarray(at), nTrain);
  return { series, mask, times, trainEnd: nTrain, splitTime: d.times[at], trainGapsClosed: at - nTrain };
}

/**
 * A validation split carved from the END of a training part (for tuning and model choice): the
 * first `1 - fraction` of it fits, the rest scores. The test part is never touched.
 */
export function validationEnd(trainPoints: number, fraction = 0.2): number {
  const end = Math.floor(trainPoints * (1 - fraction));
  if (end < 2 || end >= trainPoints) throw new Error(`validation: too few training points (${trainPoints}) to carve a ${Math.round(fraction * 100)} % validation part`);
  return end;
}

/** Points usable as forecast origins: the window before and the horizon after were all observed. */
export function observedOrigins(mask: Uint8Array, window: number, horizon: number, from: number): Int32Array {
  const n = mask.length;
  const missing = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) missing[i + 1] = missing[i] + (mask[i] ? 0 : 1);
  const out: number[] = [];
  for (let t = Math.max(from, window); t + horizon <= n; t++) {
    if (missing[t + horizon] - missing[t - window] === 0) out.push(t);
  }
  return Int32Array.from(out);
}

