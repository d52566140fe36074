/** entries per chunk (a power of two) */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** values per entry: time, power, used MIPS, MIPS of hosts on, hosts on */
const STRIDE = 5;

/**
 * The datacenter's totals as a step function of time: entry k holds the state from time(k)
 * until time(k + 1) (the last one until the end of the run). One entry per distinct event time,
 * written after all events at that time ran, so per-interval energy and utilisation are exact
 * integrals.
 *
 * A long run records millions of entries (cloudsim-months: one per time frame), so they are kept
 * in fixed-size chunks, each entry's five values side by side: growing never copies what is
 * written, and one entry is one write burst.
 */
export class Timeline {
  private chunks: Float64Array[] = [];
  private cur: Float64Array = new Float64Array(0);
  private lastT = NaN;
  length = 0;

  record(t: number, powerW: number, usedMips: number, onMips: number, hostsOn: number): void {
    let k = this.length - 1;
    if (k < 0 || this.lastT !== t) {
      k = this.length++;
      if ((k & MASK) === 0) {
        this.cur = new Float64Array(CHUNK * STRIDE);
        this.chunks.push(this.cur);
      }
      this.lastT = t;
    }
    const c = this.cur;
    const o = (k & MASK) * STRIDE;
    c[o] = t;
    c[o + 1] = powerW;
    c[o + 2] = usedMips;
    c[o + 3] = onMips;
    c[o + 4] = hostsOn;
  }

  /** start time of entry k */
  time(k: number): number {
    return this.chunks[k >> CHUNK_BITS][(k & MASK) * STRIDE];
  }
  powerW(k: number): number {
    return this.chunks[k >> CHUNK_BITS][(k & MASK) * STRIDE + 1];
  }
  usedMips(k: number): number {
    return this.chunks[k >> CHUNK_BITS][(k & MASK) * STRIDE + 2];
  }
  onMips(k: number): number {
    return this.chunks[k >> CHUNK_BITS][(k & MASK) * STRIDE + 3];
  }
  hostsOn(k: number): number {
    return this.chunks[k >> CHUNK_BITS][(k & MASK) * STRIDE + 4];
  }
}
