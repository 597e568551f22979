/**
 * External sort with bounded memory, generic over the record type and its encoding on disk:
 * - RunWriter: one run file written through a 1 MiB buffer under a temporary name, renamed when
 *   complete (so a run another task lists is always whole);
 * - RunReader: a run file read back sequentially, record by record, through a RecordDecoder;
 * - KWayMerge: k sorted cursors merged with a loser tree, ties taken from the lower cursor first;
 * - ExternalSorter: records held in memory up to a byte budget, spilled as sorted runs, and given
 *   back in order (in memory when nothing was spilled, else merged from the runs).
 * The sort is stable: equal records come back in the order they were added, since each run is
 * sorted stably and the merge prefers earlier runs.
 *
 * I/O is synchronous: the callers are reduce tasks that own their process's event loop, and a
 * read per record through promises costs several times the work of the merge itself.
 */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { AtomicFile } from './atomic.js';
import { join } from 'node:path';
import { CorpusError } from '../core/errors.js';

/** How records are found and read back in a run file. */
export interface RecordDecoder<T> {
  /** Bytes of every record, when they all have the same size (frame() is then not called). */
  size?: number;
  /** End offset of the record that starts at `start` in buf[start, end), or -1 when only part of it is there. */
  frame(buf: Buffer, start: number, end: number): number;
  /**
   * The record in buf[start, stop). It may fill and return `prev` (the reader's previous record)
   * instead of allocating: then a record is valid only until its reader moves on.
   */
  decode(buf: Buffer, start: number, stop: number, prev: T | undefined): T;
}

/** A RecordDecoder with the matching encoder. */
export interface RecordCodec<T> extends RecordDecoder<T> {
  encode(rec: T): string | Uint8Array;
}

const NL = 0x0a;

/** Records as JSON, one per line (values must serialize to JSON and back unchanged). */
export function jsonLinesCodec<T>(): RecordCodec<T> {
  return {
    encode: (rec) => `${JSON.stringify(rec)}\n`,
    frame(buf, start, end) {
      const nl = buf.indexOf(NL, start);
      return nl === -1 || nl >= end ? -1 : nl + 1;
    },
    decode: (buf, start, stop) => JSON.parse(buf.toString('utf8', start, stop - 1)) as T,
  };
}

const WRITE_BLOCK = 1 << 20;

/** Writes one run file; it appears under its final name only once close() returns (io/atomic.ts). */
export class RunWriter {
  private readonly file: AtomicFile;

  constructor(readonly path: string) {
    this.file = new AtomicFile(path, { createEmpty: true, bufferBytes: WRITE_BLOCK });
  }

  write(data: string | Uint8Array): void {
    if (typeof data === 'string') this.file.writeString(data);
    else this.file.write(data);
  }

  close(): void {
    this.file.commit();
  }

  /** Removes the unfinished file. */
  abort(): void {
    this.file.abort();
  }
}

/** A sorted source of records: after next() returns true, `value` is the current record. */
export interface RecordCursor<T> {
  value: T | undefined;
  next(): boolean;
  close?(): void;
}

/** Reads the records of one run file in order. */
export class RunReader<T> implements RecordCursor<T> {
  value: T | undefined = undefined;
  private fd: number;
  private buf: Buffer;
  private pos = 0;
  private len = 0;
  private eof = false;
  private readonly size: number;

  constructor(
    readonly path: string,
    private readonly decoder: RecordDecoder<T>,
    /** Read buffer; it grows when one record is larger. */
    bufferBytes = 1 << 16,
  ) {
    this.size = decoder.size ?? 0;
    this.fd = openSync(path, 'r');
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  next(): boolean {
    // Fast path, small enough to inline: a fixed-size record already in the buffer.
    const size = this.size;
    if (size > 0 && this.len - this.pos >= size) {
      const start = this.pos;
      this.pos = start + size;
      this.value = this.decoder.decode(this.buf, start, this.pos, this.value);
      return true;
    }
    return this.nextSlow();
  }

  private nextSlow(): boolean {
    for (;;) {
      if (this.pos < this.len) {
        const stop = this.size > 0 ? (this.len - this.pos >= this.size ? this.pos + this.size : -1) : this.decoder.frame(this.buf, this.pos, this.len);
        if (stop >= 0) {
          this.value = this.decoder.decode(this.buf, this.pos, stop, this.value);
          this.pos = stop;
          return true;
        }
      }
      if (this.eof) {
        const partial = this.len - this.pos;
        this.close();
        if (partial > 0) throw new CorpusError(`run file ends inside a record (${partial} bytes left)`, { file: this.path });
        return false;
      }
      this.fill();
    }
  }

  /** Moves the unread bytes to the front (growing the buffer when they fill it) and reads more. */
  private fill(): void {
    const rest = this.len - this.pos;
    if (this.pos > 0) this.buf.copy(this.buf, 0, this.pos, this.len);
    else if (rest === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, rest);
      this.buf = bigger;
    }
    this.pos = 0;
    this.len = rest;
    const n = readSync(this.fd, this.buf, this.len, this.buf.length - this.len, null);
    if (n === 0) this.eof = true;
    this.len += n;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.pos = this.len = 0;
    this.eof = true;
  }
}

/** A sorted array as a cursor. */
export class ArrayCursor<T> implements RecordCursor<T> {
  value: T | undefined = undefined;
  private i = 0;
  constructor(private readonly items: readonly T[]) {}
  next(): boolean {
    if (this.i >= this.items.length) return false;
    this.value = this.items[this.i++];
    return true;
  }
}

/**
 * Merges sorted cursors into one sorted sequence. Pull records with next()/value (no allocation per
 * record) or iterate. A loser tree (a tournament whose inner nodes keep the loser of each match):
 * one comparison per level for each record, half what a binary heap's sift-down takes. Memory: the
 * cursors' buffers and a few integers per cursor.
 */
export class KWayMerge<T> implements Iterable<T> {
  value: T | undefined = undefined;
  /** tree[0]: the current winner; tree[1..k-1]: the loser of the match at that node. Leaf i is node k+i. */
  private readonly tree: Int32Array;
  /** Each cursor's current record (read here rather than through the cursor: this is the hot loop). */
  private readonly heads: T[];
  /** 1 once a cursor is exhausted: it then loses every match. */
  private readonly done: Uint8Array;
  private readonly k: number;
  private started = false;

  constructor(
    private readonly cursors: RecordCursor<T>[],
    private readonly compare: (a: T, b: T) => number,
  ) {
    const k = cursors.length;
    this.k = k;
    this.tree = new Int32Array(Math.max(1, k));
    this.heads = new Array<T>(k);
    this.done = new Uint8Array(k);
    for (let i = 0; i < k; i++) {
      if (cursors[i]!.next()) this.heads[i] = cursors[i]!.value!;
      else this.done[i] = 1;
    }
    // Every node starts holding the virtual leaf k, which wins every match; replaying each real leaf
    // pushes the virtual ones up and out, leaving the real tournament.
    this.tree.fill(k);
    for (let i = k - 1; i >= 0; i--) {
      let w = i;
      for (let t = (i + k) >> 1; t > 0; t >>= 1) {
        const o = this.tree[t]!;
        if (w !== k && (o === k || this.beats(o, w))) {
          this.tree[t] = w;
          w = o;
        }
      }
      this.tree[0] = w;
    }
  }

  /** Cursor a's record comes before cursor b's: smaller, or equal from a lower cursor (stability). */
  private beats(a: number, b: number): boolean {
    const done = this.done;
    if (done[a]) return false;
    if (done[b]) return true;
    const c = this.compare(this.heads[a]!, this.heads[b]!);
    return c < 0 || (c === 0 && a < b);
  }

  /** Replays the matches from leaf `i` to the root after its record changed. */
  private replay(i: number): void {
    const tree = this.tree;
    let w = i;
    for (let t = (i + this.k) >> 1; t > 0; t >>= 1) {
      const o = tree[t]!;
      if (this.beats(o, w)) {
        tree[t] = w;
        w = o;
      }
    }
    tree[0] = w;
  }

  /** Moves to the next record in order; false when all cursors are exhausted. */
  next(): boolean {
    if (this.k === 0) return false;
    if (this.started) {
      const w = this.tree[0]!;
      if (this.done[w]) return false;
      const cursor = this.cursors[w]!;
      if (cursor.next()) this.heads[w] = cursor.value!;
      else this.done[w] = 1;
      this.replay(w);
    }
    this.started = true;
    const w = this.tree[0]!;
    if (this.done[w]) {
      this.value = undefined;
      return false;
    }
    this.value = this.heads[w];
    return true;
  }

  /** Closes every cursor (for a consumer that stops early). */
  close(): void {
    for (const c of this.cursors) c.close?.();
    this.done.fill(1);
  }

  *[Symbol.iterator](): Iterator<T> {
    while (this.next()) yield this.value!;
  }
}

export interface ExternalSortOptions<T> {
  /** Folder for the spilled runs (created on the first spill; the caller removes it). */
  dir: string;
  codec: RecordCodec<T>;
  compare: (a: T, b: T) => number;
  /** Memory budget: a sorted run is spilled once the records held reach it. */
  memoryBytes: number;
  /** Estimated memory one record holds. */
  sizeOf: (rec: T) => number;
}

/** Sorts any number of records in bounded memory. */
export class ExternalSorter<T> {
  private chunk: T[] = [];
  private chunkBytes = 0;
  private readonly spilled: string[] = [];

  constructor(private readonly opts: ExternalSortOptions<T>) {}

  /** Runs spilled to disk so far. */
  get runs(): number {
    return this.spilled.length;
  }

  add(rec: T): void {
    this.chunk.push(rec);
    this.chunkBytes += this.opts.sizeOf(rec);
    if (this.chunkBytes >= this.opts.memoryBytes) this.spill();
  }

  private spill(): void {
    this.chunk.sort(this.opts.compare);
    if (this.spilled.length === 0) mkdirSync(this.opts.dir, { recursive: true });
    const w = new RunWriter(join(this.opts.dir, `run-${String(this.spilled.length).padStart(5, '0')}`));
    try {
      for (const r of this.chunk) w.write(this.opts.codec.encode(r));
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    this.spilled.push(w.path);
    this.chunk = [];
    this.chunkBytes = 0;
  }

  /**
   * Every record added, in order. The records still in memory are merged as the last run rather
   * than written out. Call once, after the last add().
   */
  sorted(): KWayMerge<T> {
    const last = new ArrayCursor(this.chunk.sort(this.opts.compare));
    this.chunk = [];
    this.chunkBytes = 0;
    const cursors: RecordCursor<T>[] = this.spilled.map((p) => new RunReader(p, this.opts.codec));
    return new KWayMerge([...cursors, last], this.opts.compare);
  }
}
