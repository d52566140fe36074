/**
 * Nearest-rank quantile (the smallest value with at least p of the values at or below it) by
 * quickselect on a scratch copy: O(n), no full sort, deterministic. 0 for an empty input.
 */
export function quantile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const k = Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
  return select(values.slice(), k);
}

function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    // median of three as pivot, then Hoare partition (handles runs of equal values in O(n))
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
