/**
 * Per-series standardisation. Fitted on training data only and stored in a model's fitted state,
 * so forecasting new data never re-fits it (see the no-leakage test).
 */
export interface ScalerState {
  mean: number[];
  std: number[];
}

export function fitScaler(series: Float64Array[]): ScalerState {
  const mean: number[] = [];
  const std: number[] = [];
  for (const s of series) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      if (Number.isFinite(s[i])) {
        sum += s[i];
        n++;
      }
    }
    const m = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < s.length; i++) if (Number.isFinite(s[i])) ss += (s[i] - m) ** 2;
    const sd = n > 1 ? Math.sqrt(ss / n) : 0;
    mean.push(m);
    // a constant series would divide by zero: keep its scale at 1
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { mean, std };
}
