/**
 * A flat open-addressing set of 64-bit line hashes with one "seen more than once" flag each: the
 * structure cc_net's `FlatHashSet` (getpy) gives the line dedup, without a per-entry object.
 *
 * Layout: one Uint32Array of 2 × capacity (the low and high halves of each key, interleaved) and
 * a bitset of capacity flags. Capacity is a power of two kept at a load factor of at most 3/4;
 * a caller that knows how many keys are coming (the main pass sums its hash files) sizes it once,
 * else it doubles. Memory is 8 bytes + 1 bit per slot, i.e. between 10.9 and 21.8 bytes per
 * distinct hash (a fuller table would make linear probes long). Probing starts from the key's low
 * bits (SHA-1 bits are uniform). The key 0 marks an empty slot; like cc_net (`h != 0` in
 * dedup.finalize_doc) a line whose hash is 0 (probability 2^-64) counts as a duplicate.
 */

export class LineHashSet {
  private keys: Uint32Array;
  private flags: Uint8Array;
  private mask: number;
  private count = 0;

  /** A set sized for `expectedKeys` distinct keys without growing. */
  constructor(expectedKeys = 0) {
    let cap = 16;
    while (cap * 0.75 < expectedKeys) cap *= 2;
    this.keys = new Uint32Array(cap * 2);
    this.flags = new Uint8Array(Math.ceil(cap / 8));
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.keys.byteLength + this.flags.byteLength;
  }

  /** Slot of the key, or of the empty slot where it would go. */
  private slot(lo: number, hi: number): number {
    let i = (lo ^ (hi >>> 7)) & this.mask;
    for (;;) {
      const klo = this.keys[i * 2]!;
      const khi = this.keys[i * 2 + 1]!;
      if ((klo === lo && khi === hi) || (klo === 0 && khi === 0)) return i;
      i = (i + 1) & this.mask;
    }
  }

  private isEmpty(i: number): boolean {
    return this.keys[i * 2] === 0 && this.keys[i * 2 + 1] === 0;
  }

  private flag(i: number): boolean {
    return (this.flags[i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  private setFlag(i: number): void {
    this.flags[i >>> 3]! |= 1 << (i & 7);
  }

  /** True when the key is in the set (the key 0 always is). */
  has(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) return true;
    return !this.isEmpty(this.slot(lo, hi));
  }

  /** True when the key is flagged as seen more than once (the key 0 always is). */
  isDuplicate(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) return true;
    const i = this.slot(lo, hi);
    return !this.isEmpty(i) && this.flag(i);
  }

  /**
   * cc_net's `__setitem__` as `add` uses it: inserts the key with flag `dup`, or ORs `dup` into the
   * flag of a key already there.
   */
  put(lo: number, hi: number, dup: boolean): void {
    if (lo === 0 && hi === 0) return;
    const i = this.insertSlot(lo, hi);
    if (dup) this.setFlag(i);
  }

  /**
   * cc_net's `merge` (how `load` combines hash files): a key already present becomes a duplicate,
   * a new key is inserted with flag `dup`.
   */
  merge(lo: number, hi: number, dup: boolean): void {
    if (lo === 0 && hi === 0) return;
    const before = this.count;
    const i = this.insertSlot(lo, hi);
    if (dup || this.count === before) this.setFlag(i);
  }

  /** Every key with its flag, in slot order. */
  *entries(): Generator<[lo: number, hi: number, dup: boolean]> {
    for (let i = 0; i <= this.mask; i++) {
      if (!this.isEmpty(i)) yield [this.keys[i * 2]!, this.keys[i * 2 + 1]!, this.flag(i)];
    }
  }

  /** Slot of the key, inserting it (flag clear) when absent. */
  private insertSlot(lo: number, hi: number): number {
    if (this.count + 1 > this.capacity * 0.75) this.grow();
    const i = this.slot(lo, hi);
    if (this.isEmpty(i)) {
      this.keys[i * 2] = lo;
      this.keys[i * 2 + 1] = hi;
      this.count++;
    }
    return i;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldFlags = this.flags;
    const cap = this.capacity * 2;
    this.keys = new Uint32Array(cap * 2);
    this.flags = new Uint8Array(Math.ceil(cap / 8));
    this.mask = cap - 1;
    for (let j = 0; j < oldKeys.length / 2; j++) {
      const lo = oldKeys[j * 2]!;
      const hi = oldKeys[j * 2 + 1]!;
      if (lo === 0 && hi === 0) continue;
      const i = this.slot(lo, hi);
      this.keys[i * 2] = lo;
      this.keys[i * 2 + 1] = hi;
      if (oldFlags[j >>> 3]! & (1 << (j & 7))) this.setFlag(i);
    }
  }
}
