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
  ) {
    this.f = new Float64Array(capacity * fStride);
    this.i = new Int32Array(capacity * iStride);
    this.free = new Int32Array(capacity);
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
    const p = Object.create(Pool.prototype) as Pool;
    const cap = this.capacity;
    (p as { fStride: number }).fStride = this.fStride;
    (p as { iStride: number }).iStride = this.iStride;
    p.f = new Float64Array(cap * this.fStride);
    p.f.set(this.f.subarray(0, this.high * this.fStride));
    p.i = new Int32Array(cap * this.iStride);
    p.i.set(this.i.subarray(0, this.high * this.iStride));
    p.free = new Int32Array(cap);
    p.free.set(this.free.subarray(0, this.freeCount));
    p.freeCount = this.freeCount;
    p.high = this.high;
    p.live = this.live;
    return p;
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
