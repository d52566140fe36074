/**
 * Indexed binary min-heap of events over typed arrays.
 *
 * An event lives in a slot (an integer handle). A slot holds the event's time, priority,
 * insertion sequence, kind and two integer payloads. The heap orders slots by
 * (time, priority, sequence), so events at the same time and priority run in the order they were
 * scheduled: runs are deterministic. Slots can be rescheduled or cancelled in O(log n), which the
 * cloud model uses for processor-sharing completions whose time moves whenever a host's load
 * changes (no stale events pile up).
 *
 * Nothing here allocates per event once capacity has grown; `clone()` copies the arrays.
 */
export class EventQueue {
  private time: Float64Array;
  private seqOf: Float64Array;
  private prio: Int32Array;
  private kindOf: Int32Array;
  private aOf: Int32Array;
  private bOf: Int32Array;
  /** heap[i] = slot at heap position i */
  private heap: Int32Array;
  /** pos[slot] = heap position, or -1 when the slot is not queued */
  private pos: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotHigh = 0;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    const c = Math.max(4, capacity | 0);
    this.time = new Float64Array(c);
    this.seqOf = new Float64Array(c);
    this.prio = new Int32Array(c);
    this.kindOf = new Int32Array(c);
    this.aOf = new Int32Array(c);
    this.bOf = new Int32Array(c);
    this.heap = new Int32Array(c);
    this.pos = new Int32Array(c).fill(-1);
    this.freeSlots = new Int32Array(c);
  }

  get size(): number {
    return this.n;
  }

  /** Total events ever scheduled or rescheduled (a deterministic counter). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  /** Allocates a slot and queues it. Returns the slot handle. */
  schedule(time: number, kind: number, a = 0, b = 0, priority = 0): number {
    if (!(time === time) || time === Infinity || time === -Infinity) {
      throw new RangeError(`event time must be a finite number, got ${time}`);
    }
    const slot = this.allocSlot();
    this.time[slot] = time;
    this.prio[slot] = priority;
    this.kindOf[slot] = kind;
    this.aOf[slot] = a;
    this.bOf[slot] = b;
    this.seqOf[slot] = this.nextSeq++;
    const i = this.n++;
    this.heap[i] = slot;
    this.pos[slot] = i;
    this.siftUp(i);
    return slot;
  }

  /** Allocates a slot that is not queued yet (for a handle that is rescheduled repeatedly). */
  reserve(kind: number, a = 0, b = 0, priority = 0): number {
    const slot = this.allocSlot();
    this.kindOf[slot] = kind;
    this.aOf[slot] = a;
    this.bOf[slot] = b;
    this.prio[slot] = priority;
    this.pos[slot] = -1;
    return slot;
  }

  /** Queues a slot at a new time (it may or may not be queued already). */
  reschedule(slot: number, time: number): void {
    if (!(time === time) || time === Infinity || time === -Infinity) {
      throw new RangeError(`event time must be a finite number, got ${time}`);
    }
    const old = this.time[slot];
    this.time[slot] = time;
    this.seqOf[slot] = this.nextSeq++;
    const p = this.pos[slot];
    if (p < 0) {
      const i = this.n++;
      this.heap[i] = slot;
      this.pos[slot] = i;
      this.siftUp(i);
    } else if (time < old) {
      this.siftUp(p);
    } else {
      this.siftDown(p);
    }
  }

  /** Removes a queued slot from the heap; the slot stays allocated (for reserved handles). */
  unqueue(slot: number): void {
    const p = this.pos[slot];
    if (p < 0) return;
    this.removeAt(p);
  }

  /** Removes a slot from the heap if queued and frees it. */
  cancel(slot: number): void {
    this.unqueue(slot);
    this.release(slot);
  }

  isQueued(slot: number): boolean {
    return this.pos[slot] >= 0;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[this.heap[0]] : Infinity;
  }

  /**
   * Removes the earliest event and returns its slot (or -1 when empty). The slot stays readable
   * (timeOf, kindOf, ...) until `release(slot)` or until it is rescheduled.
   */
  pop(): number {
    if (this.n === 0) return -1;
    const slot = this.heap[0];
    this.removeAt(0);
    return slot;
  }

  /** Returns a slot to the free list. Only for slots that are not queued. */
  release(slot: number): void {
    if (this.pos[slot] >= 0) throw new Error(`slot ${slot} is still queued`);
    this.pos[slot] = -2; // freed
    this.freeSlots[this.freeCount++] = slot;
  }

  timeOf(slot: number): number {
    return this.time[slot];
  }
  kindOfSlot(slot: number): number {
    return this.kindOf[slot];
  }
  aOfSlot(slot: number): number {
    return this.aOf[slot];
  }
  bOfSlot(slot: number): number {
    return this.bOf[slot];
  }

  /** An independent copy (same slots, same order, same future sequence numbers). */
  clone(): EventQueue {
    const q = Object.create(EventQueue.prototype) as EventQueue;
    const hi = this.slotHigh;
    const cap = this.time.length;
    q.time = copyF64(this.time, hi, cap);
    q.seqOf = copyF64(this.seqOf, hi, cap);
    q.prio = copyI32(this.prio, hi, cap);
    q.kindOf = copyI32(this.kindOf, hi, cap);
    q.aOf = copyI32(this.aOf, hi, cap);
    q.bOf = copyI32(this.bOf, hi, cap);
    q.heap = copyI32(this.heap, this.n, cap);
    q.pos = copyI32(this.pos, hi, cap);
    q.freeSlots = copyI32(this.freeSlots, this.freeCount, cap);
    q.freeCount = this.freeCount;
    q.slotHigh = hi;
    q.n = this.n;
    q.nextSeq = this.nextSeq;
    return q;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount];
    if (this.slotHigh === this.time.length) this.grow();
    return this.slotHigh++;
  }

  private grow(): void {
    const c = this.time.length * 2;
    this.time = growF64(this.time, c);
    this.seqOf = growF64(this.seqOf, c);
    this.prio = growI32(this.prio, c);
    this.kindOf = growI32(this.kindOf, c);
    this.aOf = growI32(this.aOf, c);
    this.bOf = growI32(this.bOf, c);
    this.heap = growI32(this.heap, c);
    const pos = new Int32Array(c).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
    this.freeSlots = growI32(this.freeSlots, c);
  }

  private removeAt(p: number): void {
    const slot = this.heap[p];
    this.pos[slot] = -1;
    const last = --this.n;
    if (p !== last) {
      const moved = this.heap[last];
      this.heap[p] = moved;
      this.pos[moved] = p;
      if (p > 0 && this.less(moved, this.heap[(p - 1) >> 1])) this.siftUp(p);
      else this.siftDown(p);
    }
  }

  private less(x: number, y: number): boolean {
    const tx = this.time[x];
    const ty = this.time[y];
    if (tx !== ty) return tx < ty;
    const px = this.prio[x];
    const py = this.prio[y];
    if (px !== py) return px < py;
    return this.seqOf[x] < this.seqOf[y];
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const slot = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent];
      if (!this.less(slot, ps)) break;
      heap[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    heap[i] = slot;
    pos[slot] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const n = this.n;
    const slot = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r], heap[l])) c = r;
      const cs = heap[c];
      if (!this.less(cs, slot)) break;
      heap[i] = cs;
      pos[cs] = i;
      i = c;
    }
    heap[i] = slot;
    pos[slot] = i;
  }
}

function growF64(a: Float64Array, c: number): Float64Array {
  const b = new Float64Array(c);
  b.set(a);
  return b;
}
function growI32(a: Int32Array, c: number): Int32Array {
  const b = new Int32Array(c);
  b.set(a);
  return b;
}
function copyF64(a: Float64Array, used: number, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a.subarray(0, used));
  return b;
}
function copyI32(a: Int32Array, used: number, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a.subarray(0, used));
  return b;
}
