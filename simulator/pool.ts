/**
 * A pool of records in structure-of-arrays form: each record has `f64` float fields and `i32`
 * integer fields, stored in two flat typed arrays with a fixed stride. Freed records are reused
 * (free list), so the arrays stay as small as the number of records alive at once, which keeps
 * `clone()` (the twin's fork) cheap: the floats, the integers and the free list share one
 * ArrayBuffer, so a clone is one allocation and one memory copy.
 */
export class Pool {
  f: Float64Array;
  i: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  /** records ever allocated (high-water mark); arrays beyond it are unused */
  high = 0;
  live = 0;

  constructor(
    readonly fStride: number,
    readonly iStride: number,
    capacity = 32,
    from?: Pool,
  ) {
    if (from) {
      const buf = (from.f.buffer as ArrayBuffer).slice(0);
      const cap = from.capacity;
      this.f = new Float64Array(buf, 0, cap * fStride);
      this.i = new Int32Array(buf, cap * fStride * 8, cap * iStride);
      this.free = new Int32Array(buf, cap * fStride * 8 + cap * iStride * 4, cap);
      this.freeCount = from.freeCount;
      this.high = from.high;
      this.live = from.live;
    } else {
      [this.f, this.i, this.free] = Pool.arrays(fStride, iStride, Math.max(1, capacity));
    }
  }

  /** The three arrays of a pool of `cap` records, in one buffer (floats first: 8-byte aligned). */
  private static arrays(fStride: number, iStride: number, cap: number): [Float64Array, Int32Array, Int32Array] {
    const fBytes = cap * fStride * 8;
    const iBytes = cap * iStride * 4;
    const buf = new ArrayBuffer(fBytes + iBytes + cap * 4);
    return [new Float64Array(buf, 0, cap * fStride), new Int32Array(buf, fBytes, cap * iStride), new Int32Array(buf, fBytes + iBytes, cap)];
  }

  get capacity(): number {
    return this.free.length;
  }

  alloc(): number {
    let r: number;
    if (this.freeCount > 0) r = this.free[--this.freeCount];
    else {
      if (this.high === this.capacity) this.grow();
      r = this.high++;
    }
    // Not zeroed: the owner sets every field (and may keep a generation counter across reuse).
    this.live++;
    return r;
  }

  release(r: number): void {
    this.free[this.freeCount++] = r;
    this.live--;
  }

  clone(): Pool {
    return new Pool(this.fStride, this.iStride, 0, this);
  }

  private grow(): void {
    const [f, i, free] = Pool.arrays(this.fStride, this.iStride, this.capacity * 2);
    f.set(this.f);
    i.set(this.i);
    free.set(this.free);
    this.f = f;
    this.i = i;
    this.free = free;
  }
}
