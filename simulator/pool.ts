/**
 * A pool of records in structure-of-arrays form: each record has `f64` float fields and `i32`
 * integer fields, stored in two flat typed arrays with a fixed stride. Freed records are reused
 * (free list), so the arrays stay as small as the number of records alive at once, which keeps
 * `clone()` (the twin's fork) cheap.
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
      // A copy (fork): whole-capacity slices are one allocation and one memcpy each.
      this.f = from.f.slice();
      this.i = from.i.slice();
      this.free = from.free.slice();
      this.freeCount = from.freeCount;
      this.high = from.high;
      this.live = from.live;
    } else {
      this.f = new Float64Array(capacity * fStride);
      this.i = new Int32Array(capacity * iStride);
      this.free = new Int32Array(capacity);
    }
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
    const cap = this.capacity * 2;
    const f = new Float64Array(cap * this.fStride);
    f.set(this.f);
    const i = new Int32Array(cap * this.iStride);
    i.set(this.i);
    const free = new Int32Array(cap);
    free.set(this.free);
    this.f = f;
    this.i = i;
    this.free = free;
  }
}
