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

/** Kind of provisioning option i (0 done, 1 + 2h start host h, 2 + 2h stop it): 0 done, 1 start, 2 stop. */
function provisionKind(i: number): number {
  return i === 0 ? 0 : 2 - (i % 2);
}

/**
 * The provisioning choice among `n` = 1 + 2H options (0 done, 1 + 2h start host h, 2 + 2h stop it)
 * from their logits: first the kind of action - done, start some host, stop some host - with the
 * most probability in total over its allowed options (ties towards done, then start), then the
 * best-scored allowed host of that kind (maskedArgmax's tie rule). Index -1 if nothing is allowed.
 *
 * Why by kind: an order-free model gives interchangeable hosts (idle copies of one size) the same
 * score, so where stopping any one of fifteen idle hosts is right, each gets a fifteenth of the
 * probability the model puts on stopping, and a plain argmax picks "done" although most of the
 * mass says "stop one". The kind is the decision; which copy is not.
 */
export function provisionChoice(logits: ArrayLike<number>, offset: number, n: number, mask: ArrayLike<number>, maskOffset = 0): number {
  let top = -Infinity;
  for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1 && logits[offset + i] > top) top = logits[offset + i];
  if (!Number.isFinite(top)) return maskedArgmax(logits, offset, n, mask, maskOffset);
  const mass = [0, 0, 0];
  for (let i = 0; i < n; i++) if (mask[maskOffset + i] === 1) mass[provisionKind(i)] += Math.exp(logits[offset + i] - top);
  const kind = mass[0] >= mass[1] && mass[0] >= mass[2] ? 0 : mass[1] >= mass[2] ? 1 : 2;
  if (kind === 0) return 0;
  let best = -Infinity;
  for (let i = 1; i < n; i++) if (mask[maskOffset + i] === 1 && provisionKind(i) === kind && logits[offset + i] > best) best = logits[offset + i];
  for (let i = 1; i < n; i++) if (mask[maskOffset + i] === 1 && provisionKind(i) === kind && logits[offset + i] >= best - TIE_TOLERANCE) return i;
  return -1;
}
