/**
 * Encoded examples into the sequences an SFT shard holds. Unpacked, every example is one sequence.
 * Packed (`packLength`), examples are placed in input order into rows of exactly `packLength`
 * tokens: an example goes into the current row when it fits, else the row is closed, padded with
 * `padId` (mask 0) and a new row starts; no example is ever split across rows (examples are
 * truncated to at most `packLength` first). The [start, end) span of every example within its row is
 * recorded, so a trainer can reset attention and positions at example boundaries. Greedy in input
 * order, per task: the rows depend only on the task's examples.
 */
import type { EncodedExample } from './encode.js';

/** Sequences for one `TokenShardWriter.add` call. */
export class SequenceBatch {
  private ids: number[] = [];
  private mask: number[] = [];
  private offsets: number[] = [0];
  private spans: number[] = [];

  get sequences(): number {
    return this.offsets.length - 1;
  }

  get tokens(): number {
    return this.ids.length;
  }

  /** Appends one sequence; `spans` are [start, end) pairs relative to its first token. */
  push(ids: ArrayLike<number>, mask: ArrayLike<number>, spans: ArrayLike<number>): void {
    const base = this.ids.length;
    for (let i = 0; i < spans.length; i++) this.spans.push(base + spans[i]!);
    for (let i = 0; i < ids.length; i++) {
      this.ids.push(ids[i]!);
      this.mask.push(mask[i]!);
    }
    this.offsets.push(this.ids.length);
  }

  /** The batch in the writer's terms, and a fresh empty batch in its place. */
  take(idBytes: 2 | 4): { ids: Uint16Array | Uint32Array; offsets: number[]; mask: Uint8Array; spans: number[] } {
    const out = { ids: idBytes === 2 ? Uint16Array.from(this.ids) : Uint32Array.from(this.ids), offsets: this.offsets, mask: Uint8Array.from(this.mask), spans: this.spans };
    this.ids = [];
    this.mask = [];
    this.offsets = [0];
    this.spans = [];
    return out;
  }
}

/** Places examples into fixed-length rows, closing each row into `out` when the next example does not fit. */
export class Packer {
  private ids: number[] = [];
  private mask: number[] = [];
  private spans: number[] = [];
  rows = 0;
  padTokens = 0;

  constructor(
    readonly packLength: number,
    readonly padId: number,
  ) {}

  add(ex: EncodedExample, out: SequenceBatch): void {
    if (ex.ids.length > this.packLength) throw new Error(`an example of ${ex.ids.length} tokens does not fit a row of ${this.packLength}`);
    if (this.ids.length + ex.ids.length > this.packLength) this.flush(out);
    this.spans.push(this.ids.length, this.ids.length + ex.ids.length);
    for (let i = 0; i < ex.ids.length; i++) {
      this.ids.push(ex.ids[i]!);
      this.mask.push(ex.mask[i]!);
    }
  }

  /** Closes the current row (padded) into `out`, if it holds any example. */
  flush(out: SequenceBatch): void {
    if (this.spans.length === 0) return;
    const pad = this.packLength - this.ids.length;
    for (let i = 0; i < pad; i++) {
      this.ids.push(this.padId);
      this.mask.push(0);
    }
    out.push(this.ids, this.mask, this.spans);
    this.rows++;
    this.padTokens += pad;
    this.ids = [];
    this.mask = [];
    this.spans = [];
  }
}
