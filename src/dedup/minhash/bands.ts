/**
 * LSH band buckets on disk. Each band of a signature (rows consecutive uint32 values) becomes a 64-bit
 * key (two independent 32-bit hashes of the rows); a scan task buffers (key, document) records per band
 * and spills them as sorted runs `band-r<task>-b<band>-<run>.bin` (12-byte records: key hi, key lo,
 * document index within the task, little-endian). A band's reduce task streams all runs of its band
 * through a k-way merge (io/external-sort.ts), so equal keys arrive together whatever the number of
 * tasks and runs, with memory of one read buffer per run. The in-memory sort stays here: a radix sort
 * over typed arrays, several times faster than sorting record objects.
 */
import { join } from 'node:path';
import { fmix32 } from '../../core/hash64.js';
import { KWayMerge, RunReader, RunWriter, type RecordDecoder } from '../../io/external-sort.js';
import { rankName } from '../survivor.js';

/** Two 32-bit hashes of sig[off, off+rows): murmur3-style mixing with different seeds. */
function bandKey(sig: Uint32Array, off: number, rows: number): [number, number] {
  let h1 = 0x9747b28c;
  let h2 = 0x2f6b9a1d;
  for (let i = 0; i < rows; i++) {
    const v = sig[off + i]!;
    let k = Math.imul(v, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let m = Math.imul(v ^ 0x85ebca6b, 0xc2b2ae35);
    m ^= m >>> 16;
    h2 = (Math.imul(h2 ^ m, 0x27d4eb2f) + i) | 0;
    h2 ^= h2 >>> 15;
  }
  return [fmix32(h1 ^ rows), fmix32(h2 ^ (rows << 8))];
}

/**
 * Sorts n records (hi[i], lo[i], doc[i]) by (hi, lo, doc) with an LSD radix sort (doc ascending first,
 * so equal keys list documents in order). Digits are 16 bits for large runs and 8 bits below 65,536
 * records, where clearing and summing 65,536 counters per digit would cost more than the records (a
 * small task's spill). Returns the sorted arrays.
 */
function sortRecords(hi: Uint32Array, lo: Uint32Array, doc: Uint32Array): [Uint32Array, Uint32Array, Uint32Array] {
  const n = hi.length;
  let a: [Uint32Array, Uint32Array, Uint32Array] = [hi, lo, doc];
  if (n < 2) return a;
  let b: [Uint32Array, Uint32Array, Uint32Array] = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const bits = n >= 1 << 16 ? 16 : 8;
  const radix = 1 << bits;
  const mask = radix - 1;
  const counts = new Uint32Array(radix + 1);
  // Digits from least to most significant: doc, then lo, then hi, each from its low bits up.
  for (const arr of [2, 1, 0] as const) {
    for (let shift = 0; shift < 32; shift += bits) {
      const keys = a[arr];
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[((keys[i]! >>> shift) & mask) + 1]!++;
      if (counts[1 + ((keys[0]! >>> shift) & mask)] === n) continue; // one digit value: already in order
      for (let d = 0; d < radix; d++) counts[d + 1]! += counts[d]!;
      for (let i = 0; i < n; i++) {
        const pos = counts[(keys[i]! >>> shift) & mask]!++;
        b[0][pos] = a[0][i]!;
        b[1][pos] = a[1][i]!;
        b[2][pos] = a[2][i]!;
      }
      [a, b] = [b, a];
    }
  }
  return a;
}

/** Buffers one scan task's band records and spills sorted runs. */
export class BandRunWriter {
  private hi: Uint32Array[];
  private lo: Uint32Array[];
  private doc: Uint32Array[];
  private size = 4096;
  private used = 0;
  private runs = 0;

  constructor(
    private readonly dir: string,
    private readonly rank: number,
    private readonly bands: number,
    /** Records per band held before a spill (12 bytes each); buffers grow to it as needed. */
    private readonly capacity = 1 << 20,
  ) {
    this.size = Math.min(this.size, capacity);
    this.hi = Array.from({ length: bands }, () => new Uint32Array(this.size));
    this.lo = Array.from({ length: bands }, () => new Uint32Array(this.size));
    this.doc = Array.from({ length: bands }, () => new Uint32Array(this.size));
  }

  add(sig: Uint32Array, sigOffset: number, rows: number, docIndex: number): void {
    if (this.used === this.size) this.grow();
    for (let b = 0; b < this.bands; b++) {
      const [h, l] = bandKey(sig, sigOffset + b * rows, rows);
      this.hi[b]![this.used] = h;
      this.lo[b]![this.used] = l;
      this.doc[b]![this.used] = docIndex;
    }
    if (++this.used === this.capacity) this.spill();
  }

  private grow(): void {
    this.size = Math.min(this.size * 2, this.capacity);
    const more = (a: Uint32Array) => {
      const b = new Uint32Array(this.size);
      b.set(a);
      return b;
    };
    this.hi = this.hi.map(more);
    this.lo = this.lo.map(more);
    this.doc = this.doc.map(more);
  }

  /** Writes the buffered records of every band as one sorted run each (tmp then rename). */
  spill(): void {
    if (this.used === 0) return;
    for (let b = 0; b < this.bands; b++) {
      const [h, l, d] = sortRecords(this.hi[b]!.slice(0, this.used), this.lo[b]!.slice(0, this.used), this.doc[b]!.slice(0, this.used));
      const buf = Buffer.allocUnsafe(this.used * RECORD);
      for (let i = 0; i < this.used; i++) {
        buf.writeUInt32LE(h[i]!, i * RECORD);
        buf.writeUInt32LE(l[i]!, i * RECORD + 4);
        buf.writeUInt32LE(d[i]!, i * RECORD + 8);
      }
      const w = new RunWriter(join(this.dir, `band-r${rankName(this.rank)}-b${rankName(b)}-${rankName(this.runs)}.bin`));
      try {
        w.write(buf);
        w.close();
      } catch (e) {
        w.abort();
        throw e;
      }
    }
    this.runs++;
    this.used = 0;
  }
}

/** A band record read back: the band key and the document as a global index. */
interface BandRecord {
  hi: number;
  lo: number;
  doc: number;
}

const RECORD = 12;

/** Decodes one run's 12-byte records, making the document index global by adding the task's `base`. */
function bandDecoder(base: number): RecordDecoder<BandRecord> {
  return {
    size: RECORD,
    frame: (_buf, start, end) => (end - start >= RECORD ? start + RECORD : -1),
    decode(buf, start, _stop, prev) {
      const r = prev ?? { hi: 0, lo: 0, doc: 0 };
      r.hi = buf.readUInt32LE(start);
      r.lo = buf.readUInt32LE(start + 4);
      r.doc = base + buf.readUInt32LE(start + 8);
      return r;
    },
  };
}

function compareBand(a: BandRecord, b: BandRecord): number {
  return a.hi !== b.hi ? a.hi - b.hi : a.lo !== b.lo ? a.lo - b.lo : a.doc - b.doc;
}

/**
 * Streams the groups of equal band keys (only groups with at least two documents) across all runs,
 * each group's documents as global indices in ascending order. The yielded array is reused.
 */
export function* mergeBandRuns(runs: Array<{ path: string; base: number }>): Generator<number[]> {
  const merge = new KWayMerge(
    runs.map((r) => new RunReader(r.path, bandDecoder(r.base), RECORD * 8192)),
    compareBand,
  );
  // Most keys occur once: a key's first document waits in `first` and the group array is only
  // touched when a second one arrives (resetting an array's length is a runtime call).
  const group: number[] = [];
  let first = -1;
  let gHi = -1;
  let gLo = -1;
  while (merge.next()) {
    const top = merge.value!;
    if (top.hi === gHi && top.lo === gLo) {
      if (group.length === 0) group.push(first);
      group.push(top.doc);
      continue;
    }
    if (group.length > 0) {
      yield group;
      group.length = 0; // reused: a yielded group is valid until the consumer asks for the next one
    }
    first = top.doc;
    gHi = top.hi;
    gLo = top.lo;
  }
  if (group.length > 0) yield group;
}
