/**
 * Choosing from a model's scores under a feasibility mask. Scores within TIE_TOLERANCE of the
 * best count as a tie, broken towards the lowest index (keep before start or stop, wait before a
 * variant, the lowest-numbered host): identical hosts get identical scores from an order-free
 * model, up to float rounding, and a fixed rule keeps the choice deterministic.
 */
export const TIE_TOLERANCE = 1e-4;

/** Index in 0..n-1 of the best allowed score (scores[offset + i], mask[maskOffset + i]); -1 if none is allowed. */
export function maskedArgmax(scores: ArrayLike<number>, offset: number, n: number, mask: ArrayLike<number>, maskOffset = 0): number {
  let best = -Infinity;
  for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1 && scores[offset + i] > best) best = scores[offset + i];
  if (best === -Infinity) {
    // all allowed scores are -Infinity (or NaN): the lowest allowed index
    for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1) return i;
    return -1;
  }
  for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1 && scores[offset + i] >= best - TIE_TOLERANCE) return i;
  return -1;
}
