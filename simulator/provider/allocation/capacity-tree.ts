import type { HostTable, VmTable } from "../entities.ts";

/** Hosts per leaf: a leaf is scanned linearly (contiguous memory), the tree above it is not. */
const BLOCK_SHIFT = 4;
const BLOCK = 1 << BLOCK_SHIFT;

/**
 * A tournament (segment) tree over blocks of 16 consecutive hosts. Each node holds the maximum
 * CPU capacity (capPes, capMips: see HostTable), free RAM, free bandwidth and free storage found below it, so a search
 * skips any subtree in which no single dimension could cover a VM. That test is necessary, not
 * sufficient (the maxima may come from different hosts), so a block that passes it is scanned
 * host by host with the exact test, and the search moves on to the next block on failure.
 * The result is therefore exactly the lowest-numbered host >= from that can take the VM.
 *
 * Updates are O(16 + log n); a search is O(16 + log n) when the first candidate block holds a
 * fit. Blocks keep the tree about 1/16 of the host count, so it stays small next to the hosts.
 */
export class CapacityTree {
  /** number of leaves (blocks), a power of two */
  private readonly size: number;
  private readonly pes: Int32Array;
  private readonly mips: Float64Array;
  private readonly ram: Float64Array;
  private readonly bw: Float64Array;
  private readonly storage: Float64Array;

  constructor(private readonly hosts: HostTable) {
    const blocks = Math.ceil(hosts.count / BLOCK);
    let size = 1;
    while (size < blocks) size *= 2;
    this.size = size;
    // Padding leaves hold -1 everywhere, so they never cover a VM (demands are >= 0).
    this.pes = new Int32Array(2 * size).fill(-1);
    this.mips = new Float64Array(2 * size).fill(-1);
    this.ram = new Float64Array(2 * size).fill(-1);
    this.bw = new Float64Array(2 * size).fill(-1);
    this.storage = new Float64Array(2 * size).fill(-1);
    for (let b = 0; b < blocks; b++) this.readBlock(b);
    for (let i = size - 1; i >= 1; i--) this.pull(i);
  }

  /** Re-reads host h's free capacity; stops climbing as soon as a node's maxima are unchanged. */
  update(h: number): void {
    const b = h >> BLOCK_SHIFT;
    if (!this.readBlock(b)) return;
    for (let i = (b + this.size) >> 1; i >= 1; i >>= 1) if (!this.pull(i)) return;
  }

  /** Lowest host index >= from whose free capacity covers VM v in every dimension, or -1. */
  firstFrom(from: number, vms: VmTable, v: number): number {
    const n = this.hosts.count;
    if (from >= n) return -1;
    const p = vms.pes[v];
    const m = vms.demMips[v];
    const r = vms.ramMB[v];
    const b = vms.bwMbps[v];
    const s = vms.storageMB[v];
    const first = from >> BLOCK_SHIFT;
    let h = this.scan(from, Math.min(n, (first + 1) << BLOCK_SHIFT), p, m, r, b, s);
    if (h >= 0) return h;
    const size = this.size;
    if (first + 1 >= size) return -1;
    const pes = this.pes;
    const mips = this.mips;
    const ram = this.ram;
    const bw = this.bw;
    const storage = this.storage;
    let i = first + 1 + size;
    for (;;) {
      if (pes[i] >= p && mips[i] >= m && ram[i] >= r && bw[i] >= b && storage[i] >= s) {
        if (i < size) {
          i = 2 * i; // descend into the left child first: lowest index wins
          continue;
        }
        const start = (i - size) << BLOCK_SHIFT;
        h = this.scan(start, Math.min(n, start + BLOCK), p, m, r, b, s);
        if (h >= 0) return h;
      }
      // Move to the next subtree to the right: climb while we are a right child.
      while (i & 1) i >>= 1;
      if (i === 0) return -1;
      i += 1;
    }
  }

  private scan(from: number, to: number, p: number, m: number, r: number, b: number, s: number): number {
    const hosts = this.hosts;
    for (let h = from; h < to; h++) {
      if (
        hosts.capPes[h] >= p &&
        hosts.capMips[h] >= m &&
        hosts.freeRamMB[h] >= r &&
        hosts.freeBwMbps[h] >= b &&
        hosts.freeStorageMB[h] >= s
      ) {
        return h;
      }
    }
    return -1;
  }

  /** Sets block b's leaf from its hosts; true if any maximum changed. */
  private readBlock(b: number): boolean {
    const hosts = this.hosts;
    const start = b << BLOCK_SHIFT;
    const end = Math.min(hosts.count, start + BLOCK);
    let pes = -1;
    let mips = -1;
    let ram = -1;
    let bw = -1;
    let storage = -1;
    for (let h = start; h < end; h++) {
      if (hosts.capPes[h] > pes) pes = hosts.capPes[h];
      if (hosts.capMips[h] > mips) mips = hosts.capMips[h];
      if (hosts.freeRamMB[h] > ram) ram = hosts.freeRamMB[h];
      if (hosts.freeBwMbps[h] > bw) bw = hosts.freeBwMbps[h];
      if (hosts.freeStorageMB[h] > storage) storage = hosts.freeStorageMB[h];
    }
    return this.set(b + this.size, pes, mips, ram, bw, storage);
  }

  /** Sets node i to the maxima of its children; true if any maximum changed. */
  private pull(i: number): boolean {
    const l = 2 * i;
    const r = l + 1;
    return this.set(
      i,
      this.pes[l] > this.pes[r] ? this.pes[l] : this.pes[r],
      this.mips[l] > this.mips[r] ? this.mips[l] : this.mips[r],
      this.ram[l] > this.ram[r] ? this.ram[l] : this.ram[r],
      this.bw[l] > this.bw[r] ? this.bw[l] : this.bw[r],
      this.storage[l] > this.storage[r] ? this.storage[l] : this.storage[r],
    );
  }

  private set(i: number, pes: number, mips: number, ram: number, bw: number, storage: number): boolean {
    if (this.pes[i] === pes && this.mips[i] === mips && this.ram[i] === ram && this.bw[i] === bw && this.storage[i] === storage) {
      return false;
    }
    this.pes[i] = pes;
    this.mips[i] = mips;
    this.ram[i] = ram;
    this.bw[i] = bw;
    this.storage[i] = storage;
    return true;
  }
}
