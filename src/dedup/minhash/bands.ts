/**
 * LSH band buckets on disk. Each band of a signature (rows consecutive uint32 values) becomes a 64-bit
 * key (two independent 32-bit hashes of the rows); a scan task buffers (key, document) records per band
 * and spills them as sorted runs `band-r<task>-b<band>-<run>.bin` (12-byte records: key hi, key lo,
 * document index within the task, little-endian). A band's reduce task streams all runs of its band
 * through a k-way merge, so equal keys arrive together whatever the number of tasks and runs, with
 * memory of one read buffer per run.
 */
import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { rankName } from '../state.js';

/** Two 32-bit hashes of sig[off, off+rows): murmur3-style mixing with different seeds. */
export function bandKey(sig: Uint32Array, off: number, rows: number): [number, number] {
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
  return [fmix(h1 ^ rows) >>> 0, fmix(h2 ^ (rows << 8)) >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Sorts n records (hi[i], lo[i], doc[i]) by (hi, lo, doc) with an LSD radix sort on 16-bit digits
 * (doc ascending first, so equal keys list documents in order). Returns the sorted arrays.
 */
export function sortRecords(hi: Uint32Array, lo: Uint32Array, doc: Uint32Array): [Uint32Array, Uint32Array, Uint32Array] {
  const n = hi.length;
  let a: [Uint32Array, Uint32Array, Uint32Array] = [hi, lo, doc];
  let b: [Uint32Array, Uint32Array, Uint32Array] = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const counts = new Uint32Array(65537);
  // Digits from least to most significant: doc lo16, doc hi16, lo lo16, lo hi16, hi lo16, hi hi16.
  for (const [arr, shift] of [[2, 0], [2, 16], [1, 0], [1, 16], [0, 0], [0, 16]] as const) {
    const keys = a[arr];
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[i]! >>> shift) & 0xffff) + 1]!++;
    if (counts[1 + ((keys[0]! >>> shift) & 0xffff)] === n) continue; // one digit value: already in order
    for (let d = 0; d < 65536; d++) counts[d + 1]! += counts[d]!;
    for (let i = 0; i < n; i++) {
      const pos = counts[(keys[i]! >>> shift) & 0xffff]!++;
      b[0][pos] = a[0][i]!;
      b[1][pos] = a[1][i]!;
      b[2][pos] = a[2][i]!;
    }
    [a, b] = [b, a];
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
      const buf = Buffer.allocUnsafe(this.used * 12);
      for (let i = 0; i < this.used; i++) {
        buf.writeUInt32LE(h[i]!, i * 12);
        buf.writeUInt32LE(l[i]!, i * 12 + 4);
        buf.writeUInt32LE(d[i]!, i * 12 + 8);
      }
      const name = `band-r${rankName(this.rank)}-b${rankName(b)}-${rankName(this.runs)}.bin`;
      const tmp = join(this.dir, `${name}.tmp-${process.pid}`);
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, buf);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.dir, name));
    }
    this.runs++;
    this.used = 0;
  }
}

/** Sequential reader of one sorted run, with the document index already made global. */
class RunReader {
  private readonly fd: number;
  private buf = Buffer.alloc(12 * 8192);
  private len = 0;
  private pos = 0;
  hi = 0;
  lo = 0;
  doc = 0;

  constructor(
    path: string,
    private readonly base: number,
  ) {
    this.fd = openSync(path, 'r');
  }

  next(): boolean {
    if (this.pos >= this.len) {
      this.len = readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.pos = 0;
      if (this.len < 12) {
        closeSync(this.fd);
        return false;
      }
    }
    this.hi = this.buf.readUInt32LE(this.pos);
    this.lo = this.buf.readUInt32LE(this.pos + 4);
    this.doc = this.base + this.buf.readUInt32LE(this.pos + 8);
    this.pos += 12;
    return true;
  }
}

function less(a: RunReader, b: RunReader): boolean {
  return a.hi !== b.hi ? a.hi < b.hi : a.lo !== b.lo ? a.lo < b.lo : a.doc < b.doc;
}

/**
 * Streams the groups of equal band keys (only groups with at least two documents) across all runs,
 * each group's documents as global indices in ascending order. The yielded array is reused.
 */
export function* mergeBandRuns(runs: Array<{ path: string; base: number }>): Generator<number[]> {
  const heap: RunReader[] = [];
  const push = (r: RunReader) => {
    heap.push(r);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const siftDown = () => {
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const run of runs) {
    const r = new RunReader(run.path, run.base);
    if (r.next()) push(r);
  }
  const group: number[] = [];
  let gHi = -1;
  let gLo = -1;
  while (heap.length > 0) {
    const top = heap[0]!;
    if (top.hi !== gHi || top.lo !== gLo) {
      if (group.length > 1) yield group;
      group.length = 0; // reused: a yielded group is valid until the consumer asks for the next one
      gHi = top.hi;
      gLo = top.lo;
    }
    group.push(top.doc);
    if (top.next()) siftDown();
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown();
      }
    }
  }
  if (group.length > 1) yield group;
}
