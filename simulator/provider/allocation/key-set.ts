/**
 * A set of integer keys in [0, universe) with O(log32 universe) insert, delete and successor:
 * a hierarchy of bitsets where a bit on level k+1 says "word i of level k is non-empty".
 * Best-fit and worst-fit keep their hosts in it ordered by (free PEs, host index).
 */
export class KeySet {
  private readonly levels: Uint32Array[] = [];

  constructor(readonly universe: number) {
    if (!(universe >= 0 && universe <= 2 ** 31)) throw new RangeError(`key universe out of range: ${universe}`);
    let bits = Math.max(1, universe);
    do {
      const words = Math.ceil(bits / 32);
      this.levels.push(new Uint32Array(words));
      bits = words;
    } while (bits > 1);
  }

  add(key: number): void {
    for (let l = 0; l < this.levels.length; l++) {
      const w = key >>> 5;
      const words = this.levels[l];
      const was = words[w];
      words[w] = was | (1 << (key & 31));
      if (was !== 0) return; // the levels above already know this word is non-empty
      key = w;
    }
  }

  delete(key: number): void {
    for (let l = 0; l < this.levels.length; l++) {
      const w = key >>> 5;
      const words = this.levels[l];
      const now = words[w] & ~(1 << (key & 31));
      words[w] = now;
      if (now !== 0) return;
      key = w;
    }
  }

  has(key: number): boolean {
    return (this.levels[0][key >>> 5] & (1 << (key & 31))) !== 0;
  }

  /** Smallest key >= from, or -1. */
  next(from: number): number {
    if (from >= this.universe) return -1;
    const levels = this.levels;
    let l = 0;
    let i = from;
    for (;;) {
      const words = levels[l];
      const w = i >>> 5;
      if (w >= words.length) return -1;
      const bits = words[w] & (0xffffffff << (i & 31));
      if (bits !== 0) {
        i = (w << 5) + lowestBit(bits);
        while (l > 0) {
          l--;
          i = (i << 5) + lowestBit(levels[l][i]);
        }
        return i;
      }
      if (l === levels.length - 1) return -1;
      l++;
      i = w + 1;
    }
  }
}

function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}
