/**
 * A sorted set of 64-bit keys on disk, each carrying a small tag: the file a pass writes once
 * (benchmark n-grams for decontamination, blocklisted domains and URLs) and every worker then
 * loads and probes without building a JavaScript object per entry.
 *
 * An entry is one little-endian uint64: the top 56 bits of a 64-bit hash (core/hash64.ts) and an
 * 8-bit tag in the low byte (which benchmark, which blocklist category: up to 256). The same key
 * may appear with several tags. Entries are sorted, so lookups binary-search a range found from
 * the key's top 16 bits (a 256 KiB table), about 8 probes for ten million entries.
 *
 * File: `CMHIDX01` (8 bytes), uint32 count, uint32 0, then count × uint64 entries, sorted, unique.
 * Memory: the builder holds 8 bytes per added entry (up to twice that while its buffer grows); a
 * loaded index 8 bytes per entry plus the 256 KiB prefix table.
 * False positives: a key matches another string's key with probability about entries / 2^56 per
 * lookup (1.4e-10 for ten million entries).
 */
import { CorpusError } from '../core/errors.js';

const MAGIC = 'CMHIDX01';
const HEADER = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  // Sorting reads the [lo, hi] word pairs as uint64 in platform order; the file format is little endian.
  if (!LITTLE_ENDIAN) throw new CorpusError('hashed indexes need a little-endian machine');
}

/** Collects (hash, tag) entries and writes them as a sorted, deduplicated index file. */
export class HashIndexBuilder {
  private words = new Uint32Array(2048);
  private n = 0;

  get size(): number {
    return this.n;
  }

  add(hi: number, lo: number, tag: number): void {
    if (tag < 0 || tag > 255) throw new RangeError(`tag ${tag} outside 0..255`);
    if (2 * this.n + 2 > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[2 * this.n] = ((lo & ~0xff) | tag) >>> 0;
    this.words[2 * this.n + 1] = hi >>> 0;
    this.n++;
  }

  /** The index file's bytes (sorted, duplicates removed). */
  bytes(): Uint8Array {
    requireLittleEndian();
    const keys = new BigUint64Array(this.words.buffer, 0, this.n).sort();
    let m = 0;
    for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[m - 1]) keys[m++] = keys[i]!;
    const out = new Uint8Array(HEADER + 8 * m);
    out.set(Buffer.from(MAGIC, 'latin1'), 0);
    new DataView(out.buffer).setUint32(8, m, true);
    out.set(new Uint8Array(keys.buffer, 0, 8 * m), HEADER);
    return out;
  }
}

/** A loaded index: membership and tags of 56-bit keys. */
export class HashIndex {
  /** [lo, hi] word pairs, sorted. */
  private readonly words: Uint32Array;
  /** starts[p] = first entry whose hi >>> 16 is p (p = 0..65536). */
  private readonly starts: Uint32Array;
  readonly size: number;

  private constructor(words: Uint32Array) {
    this.words = words;
    this.size = words.length / 2;
    this.starts = new Uint32Array(65537);
    let e = 0;
    for (let p = 0; p <= 65536; p++) {
      while (e < this.size && this.words[2 * e + 1]! >>> 16 < p) e++;
      this.starts[p] = e;
    }
  }

  static fromBytes(buf: Uint8Array, label = 'hash index'): HashIndex {
    requireLittleEndian();
    if (buf.length < HEADER || Buffer.from(buf.subarray(0, 8)).toString('latin1') !== MAGIC) throw new CorpusError('not a corpusmill hash index', { file: label });
    const count = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(8, true);
    if (buf.length !== HEADER + 8 * count) throw new CorpusError(`truncated hash index: ${count} entries announced, ${(buf.length - HEADER) / 8} present`, { file: label });
    // Copy into an aligned buffer of our own (a file buffer's offset need not be a multiple of 4).
    const words = new Uint32Array(2 * count);
    new Uint8Array(words.buffer).set(buf.subarray(HEADER));
    return new HashIndex(words);
  }

  /** The first entry whose key is the 56 high bits of (hi, lo), or -1. */
  find(hi: number, lo: number): number {
    const key = (lo & ~0xff) >>> 0;
    let a = this.starts[hi >>> 16]!;
    let b = this.starts[(hi >>> 16) + 1]!;
    while (a < b) {
      const m = (a + b) >>> 1;
      const mh = this.words[2 * m + 1]!;
      const ml = (this.words[2 * m]! & ~0xff) >>> 0;
      if (mh < hi || (mh === hi && ml < key)) a = m + 1;
      else b = m;
    }
    return a < this.size && this.words[2 * a + 1] === hi >>> 0 && (this.words[2 * a]! & ~0xff) >>> 0 === key ? a : -1;
  }

  has(hi: number, lo: number): boolean {
    return this.find(hi, lo) !== -1;
  }

  /** Tags of every entry with the key of (hi, lo), in increasing order (empty when absent). */
  tags(hi: number, lo: number): number[] {
    const out: number[] = [];
    const key = (lo & ~0xff) >>> 0;
    for (let i = this.find(hi, lo); i !== -1 && i < this.size && this.words[2 * i + 1] === hi >>> 0 && (this.words[2 * i]! & ~0xff) >>> 0 === key; i++)
      out.push(this.words[2 * i]! & 0xff);
    return out;
  }
}
