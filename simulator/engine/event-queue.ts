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
 * Storage is three typed arrays (times and order keys; per-slot integers; heap order and free
 * list) over one ArrayBuffer, so `clone()` is one allocation and one memory copy. Nothing
 * allocates per event once capacity has grown. The order key is priority * 2^44 + sequence,
 * exact in a double, so ties of time are settled by one comparison in the same array (large
 * heaps with many equal times, e.g. identical cloudlets, compare mostly ties).
 */

// per-slot integer fields, stride SI
const S_PRIO = 0;
const S_KIND = 1;
const S_A = 2;
const S_B = 3;
/** heap position of the slot, -1 when not queued */
const S_POS = 4;
const SI = 5;
/** order key = priority * KEY_PRIO + sequence; priorities below 2^9 and sequences below 2^44 keep it exact */
const KEY_PRIO = 2 ** 44;
const MAX_PRIORITY = 2 ** 9;

export class EventQueue {
  /** [time, order key] per slot */
  private tf: Float64Array;
  private si: Int32Array;
  /** heap order in [0, cap), free slots in [cap, 2 cap) */
  private hf: Int32Array;
  private cap: number;
  private freeCount = 0;
  private slotHigh = 0;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    const c = Math.max(4, capacity | 0);
    this.cap = c;
    [this.tf, this.si, this.hf] = views(new ArrayBuffer(bytesFor(c)), c);
  }

  get size(): number {
    return this.n;
  }

  /** Total events ever scheduled or rescheduled (a deterministic counter, below 2^44). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  /** Allocates a slot and queues it. Returns the slot handle. */
  schedule(time: number, kind: number, a = 0, b = 0, priority = 0): number {
    checkTime(time);
    const slot = this.reserve(kind, a, b, priority);
    this.tf[2 * slot] = time;
    const seq = this.nextSeq++;
    if (seq >= KEY_PRIO) tooManyEvents();
    this.tf[2 * slot + 1] = priority * KEY_PRIO + seq;
    this.insert(slot);
    return slot;
  }

  /** Allocates a slot that is not queued yet (for a handle that is rescheduled repeatedly). */
  reserve(kind: number, a = 0, b = 0, priority = 0): number {
    if (!(priority >= 0 && priority < MAX_PRIORITY && (priority | 0) === priority)) throw new RangeError(`event priority must be an integer in [0, ${MAX_PRIORITY}), got ${priority}`);
    const slot = this.allocSlot();
    const o = slot * SI;
    this.si[o + S_PRIO] = priority;
    this.si[o + S_KIND] = kind;
    this.si[o + S_A] = a;
    this.si[o + S_B] = b;
    this.si[o + S_POS] = -1;
    return slot;
  }

  /** Queues a slot at a new time (it may or may not be queued already). */
  reschedule(slot: number, time: number): void {
    checkTime(time);
    const old = this.tf[2 * slot];
    this.tf[2 * slot] = time;
    const seq = this.nextSeq++;
    if (seq >= KEY_PRIO) tooManyEvents();
    this.tf[2 * slot + 1] = this.si[slot * SI + S_PRIO] * KEY_PRIO + seq;
    const p = this.si[slot * SI + S_POS];
    if (p < 0) this.insert(slot);
    else if (time < old) this.siftUp(p);
    else this.siftDown(p);
  }

  /** Removes a queued slot from the heap; the slot stays allocated (for reserved handles). */
  unqueue(slot: number): void {
    const p = this.si[slot * SI + S_POS];
    if (p >= 0) this.removeAt(p);
  }

  /** Removes a slot from the heap if queued and frees it. */
  cancel(slot: number): void {
    this.unqueue(slot);
    this.release(slot);
  }

  isQueued(slot: number): boolean {
    return this.si[slot * SI + S_POS] >= 0;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.tf[2 * this.hf[0]] : Infinity;
  }

  /**
   * Removes the earliest event and returns its slot (or -1 when empty). The slot stays readable
   * (timeOf, kindOfSlot, ...) until `release(slot)` or until it is rescheduled.
   */
  pop(): number {
    if (this.n === 0) return -1;
    const slot = this.hf[0];
    this.removeAt(0);
    return slot;
  }

  /** Returns a slot to the free list. Only for slots that are not queued. */
  release(slot: number): void {
    if (this.si[slot * SI + S_POS] >= 0) throw new Error(`slot ${slot} is still queued`);
    this.si[slot * SI + S_POS] = -2;
    this.hf[this.cap + this.freeCount++] = slot;
  }

  timeOf(slot: number): number {
    return this.tf[2 * slot];
  }
  kindOfSlot(slot: number): number {
    return this.si[slot * SI + S_KIND];
  }
  aOfSlot(slot: number): number {
    return this.si[slot * SI + S_A];
  }
  bOfSlot(slot: number): number {
    return this.si[slot * SI + S_B];
  }

  /** An independent copy (same slots, same order, same future sequence numbers). */
  clone(): EventQueue {
    const q = Object.create(EventQueue.prototype) as EventQueue;
    [q.tf, q.si, q.hf] = views((this.tf.buffer as ArrayBuffer).slice(0), this.cap);
    q.cap = this.cap;
    q.freeCount = this.freeCount;
    q.slotHigh = this.slotHigh;
    q.n = this.n;
    q.nextSeq = this.nextSeq;
    return q;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.hf[this.cap + --this.freeCount];
    if (this.slotHigh === this.cap) this.grow();
    return this.slotHigh++;
  }

  private grow(): void {
    const old = this.cap;
    const c = old * 2;
    const [tf, si, hf] = views(new ArrayBuffer(bytesFor(c)), c);
    tf.set(this.tf);
    si.set(this.si);
    hf.set(this.hf.subarray(0, this.n));
    hf.set(this.hf.subarray(old, old + this.freeCount), c);
    this.tf = tf;
    this.si = si;
    this.hf = hf;
    this.cap = c;
  }

  private insert(slot: number): void {
    const i = this.n++;
    this.hf[i] = slot;
    this.si[slot * SI + S_POS] = i;
    this.siftUp(i);
  }

  private removeAt(p: number): void {
    const heap = this.hf;
    const slot = heap[p];
    this.si[slot * SI + S_POS] = -1;
    const last = --this.n;
    if (p !== last) {
      const moved = heap[last];
      heap[p] = moved;
      this.si[moved * SI + S_POS] = p;
      if (p > 0 && this.less(moved, heap[(p - 1) >> 1])) this.siftUp(p);
      else this.siftDown(p);
    }
  }

  private less(x: number, y: number): boolean {
    const tf = this.tf;
    const tx = tf[2 * x];
    const ty = tf[2 * y];
    if (tx !== ty) return tx < ty;
    return tf[2 * x + 1] < tf[2 * y + 1]; // priority, then sequence
  }

  private siftUp(i: number): void {
    const heap = this.hf;
    const si = this.si;
    const slot = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent];
      if (!this.less(slot, ps)) break;
      heap[i] = ps;
      si[ps * SI + S_POS] = i;
      i = parent;
    }
    heap[i] = slot;
    si[slot * SI + S_POS] = i;
  }

  private siftDown(i: number): void {
    const heap = this.hf;
    const si = this.si;
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
      si[cs * SI + S_POS] = i;
      i = c;
    }
    heap[i] = slot;
    si[slot * SI + S_POS] = i;
  }
}

function tooManyEvents(): never {
  throw new RangeError("more than 2^44 events scheduled in one queue (the order key would lose its sequence)");
}

function checkTime(time: number): void {
  if (!(time === time) || time === Infinity || time === -Infinity) {
    throw new RangeError(`event time must be a finite number, got ${time}`);
  }
}

/** Bytes of the three arrays of a queue with `cap` slots (floats first: 8-byte aligned). */
function bytesFor(cap: number): number {
  return 2 * cap * 8 + SI * cap * 4 + 2 * cap * 4;
}

function views(buf: ArrayBuffer, cap: number): [Float64Array, Int32Array, Int32Array] {
  return [new Float64Array(buf, 0, 2 * cap), new Int32Array(buf, 16 * cap, SI * cap), new Int32Array(buf, 16 * cap + 4 * SI * cap, 2 * cap)];
}
