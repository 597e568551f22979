/**
 * Writes token shards trainers read, streaming: Megatron `.bin/.idx` or `.npy` (+ `.offsets.npy`, int64
 * document boundaries in tokens). Shards rotate at a document boundary once the token data reaches
 * `maxBytes`; every file is written under a temporary name (io/atomic.ts) and renamed when complete (the index last, so an
 * `.idx` on disk always has its `.bin`). Memory: one batch of ids plus 4 bytes of length per document
 * of the open shard.
 *
 * SFT shards (`mask: true`) carry a loss mask beside the ids, one uint8 per token (1 = trained): a
 * Megatron indexed dataset of its own (`<base>.mask.bin/.mask.idx`, dtype uint8, the same sequence
 * lengths) or `<base>.mask.npy`. With `examples: true` the spans of the examples packed into each
 * sequence go to `<base>.examples.npy`, an (n, 2) int64 array of [start, end) token offsets within
 * the shard (16 bytes per example of the open shard). Both are written before the ids' index.
 */
import { removeTmpFiles, tmpPath, writeFileAtomic } from '../io/atomic.js';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { dtypeBytes, megatronIndex, type TokenDtype } from './formats/megatron.js';
import { NPY_HEADER_BYTES, npyHeader } from './formats/npy.js';

export type TokenFormat = 'megatron' | 'npy';
export const TOKEN_FORMATS: readonly TokenFormat[] = ['megatron', 'npy'];

export interface TokenShardFile {
  name: string;
  /** What a file other than the ids holds (absent for the ids and their index/offsets). */
  role?: 'mask' | 'examples';
  bytes: number;
  sha256: string;
  documents: number;
  tokens: number;
}

export interface TokenShardWriterOptions {
  format: TokenFormat;
  dtype: TokenDtype;
  /** Start a new shard after the document that brings token data to this many bytes (default 1 GiB). */
  maxBytes?: number;
  /** Write a loss mask beside the ids (every `add` then passes one). */
  mask?: boolean;
  /** Write the spans of packed examples (every `add` then passes them). */
  examples?: boolean;
}

/** What `add` takes besides the ids of an SFT batch. */
export interface SftBatchExtras {
  /** One byte per id: 1 where the token is trained. */
  mask?: Uint8Array;
  /** Flat [start, end) pairs of examples, in token offsets from the batch's first id, ascending. */
  examples?: ArrayLike<number>;
}

/** `tokens_00003`: a shard's base name within its folder. */
function tokenShardName(prefix: string, index: number): string {
  return `${prefix}_${String(index).padStart(5, '0')}`;
}

interface OpenShard {
  base: string;
  /** Temporary name of the data file until it is complete. */
  tmp: string;
  file: FileHandle;
  hash: Hash;
  dataBytes: number;
  lengths: number[];
  mask: { tmp: string; file: FileHandle; hash: Hash } | null;
  /** Example spans, shard-relative token offsets. */
  examples: number[];
}

export class TokenShardWriter {
  private shard: OpenShard | null = null;
  private index = 0;
  private swept = false;
  private readonly maxBytes: number;
  private readonly item: 2 | 4;
  readonly files: TokenShardFile[] = [];

  constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly opts: TokenShardWriterOptions,
  ) {
    this.maxBytes = opts.maxBytes ?? 1 << 30;
    this.item = dtypeBytes(opts.dtype);
  }

  /** Appends a batch: `ids` of every document back to back, `tokenOffsets` n+1 boundaries into it. */
  async add(ids: Uint16Array | Uint32Array, tokenOffsets: ArrayLike<number>, extras: SftBatchExtras = {}): Promise<void> {
    if (ids.BYTES_PER_ELEMENT !== this.item) throw new Error(`token shard: ids are ${ids.BYTES_PER_ELEMENT}-byte, shard dtype is ${this.opts.dtype}`);
    const { mask, examples } = extras;
    if (!!this.opts.mask !== !!mask || (mask && mask.length !== ids.length)) throw new Error('token shard: a mask must come with every batch of a masked writer, one byte per id');
    if (!!this.opts.examples !== !!examples) throw new Error('token shard: example spans must come with every batch of a writer that records them');
    const n = tokenOffsets.length - 1;
    let e = 0; // next example pair of this batch
    let d = 0;
    while (d < n) {
      const s = this.shard ?? (await this.openShard());
      // documents of this batch that go into the open shard: up to and including the one crossing maxBytes
      const first = d;
      while (d < n) {
        const len = tokenOffsets[d + 1]! - tokenOffsets[d]!;
        s.lengths.push(len);
        s.dataBytes += len * this.item;
        d++;
        if (s.dataBytes >= this.maxBytes) break;
      }
      const from = tokenOffsets[first]!;
      const to = tokenOffsets[d]!;
      const slice = ids.subarray(from, to);
      const bytes = new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength);
      s.hash.update(bytes);
      await writeAll(s.file, bytes);
      if (mask && s.mask) {
        const m = mask.subarray(from, to);
        s.mask.hash.update(m);
        await writeAll(s.mask.file, m);
      }
      if (examples) {
        // the shard's tokens before this group: its data so far minus the group just added
        const base = s.dataBytes / this.item - (to - from);
        for (; e + 1 < examples.length && examples[e]! < to; e += 2) {
          if (examples[e]! < from || examples[e + 1]! > to) throw new Error('token shard: an example span crosses a sequence boundary');
          s.examples.push(base + examples[e]! - from, base + examples[e + 1]! - from);
        }
      }
      if (s.dataBytes >= this.maxBytes) await this.finishShard();
    }
  }

  /** Finishes the open shard; returns every file written. */
  async close(): Promise<TokenShardFile[]> {
    if (this.shard) await this.finishShard();
    else await this.sweep();
    return this.files;
  }

  /**
   * Removes the temporary files an earlier, killed attempt with this prefix left (its shards, masks
   * and manifest under `<prefix>_…` / `<prefix>.…`), once, before this writer makes its own: a rerun
   * leaves only committed files.
   */
  private async sweep(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    await removeTmpFiles(this.dir, `${this.prefix}_`, `${this.prefix}.`);
  }

  /** Gives up the open shard (after a failure or an early stop): closes it and removes its temporary file. */
  async abort(): Promise<void> {
    const s = this.shard;
    this.shard = null;
    if (!s) return;
    await s.file.close().catch(() => {});
    await rm(s.tmp, { force: true });
    if (s.mask) {
      await s.mask.file.close().catch(() => {});
      await rm(s.mask.tmp, { force: true });
    }
  }

  private get dataExt(): string {
    return this.opts.format === 'megatron' ? '.bin' : '.npy';
  }

  private async openShard(): Promise<OpenShard> {
    await mkdir(this.dir, { recursive: true });
    await this.sweep();
    const base = tokenShardName(this.prefix, this.index++);
    const tmp = tmpPath(join(this.dir, base + this.dataExt));
    const file = await open(tmp, 'w');
    if (this.opts.format === 'npy') await writeAll(file, Buffer.alloc(NPY_HEADER_BYTES)); // filled in at the end
    let mask: OpenShard['mask'] = null;
    if (this.opts.mask) {
      const maskTmp = tmpPath(join(this.dir, `${base}.mask${this.dataExt}`));
      mask = { tmp: maskTmp, file: await open(maskTmp, 'w'), hash: createHash('sha256') };
      if (this.opts.format === 'npy') await writeAll(mask.file, Buffer.alloc(NPY_HEADER_BYTES));
    }
    this.shard = { base, tmp, file, hash: createHash('sha256'), dataBytes: 0, lengths: [], mask, examples: [] };
    return this.shard;
  }

  private async finishShard(): Promise<void> {
    const s = this.shard!;
    this.shard = null;
    const documents = s.lengths.length;
    const tokens = s.dataBytes / this.item;
    if (this.opts.format === 'megatron') {
      await s.file.close();
      const idx = megatronIndex(s.lengths, this.opts.dtype);
      await this.publish(s.tmp, `${s.base}.bin`, s.dataBytes, s.hash.digest('hex'), documents, tokens);
      if (s.mask) {
        await s.mask.file.close();
        await this.publish(s.mask.tmp, `${s.base}.mask.bin`, tokens, s.mask.hash.digest('hex'), documents, tokens, 'mask');
        await this.writeSmall(`${s.base}.mask.idx`, megatronIndex(s.lengths, 'uint8'), documents, tokens, 'mask');
      }
      if (this.opts.examples) await this.writeExamples(s, documents, tokens);
      await this.writeSmall(`${s.base}.idx`, idx, documents, tokens);
    } else {
      const header = npyHeader(this.opts.dtype === 'uint16' ? '<u2' : '<i4', tokens);
      await s.file.write(header, 0, header.length, 0);
      await s.file.close();
      const sha = await sha256File(s.tmp);
      if (s.mask) {
        const mh = npyHeader('|u1', tokens);
        await s.mask.file.write(mh, 0, mh.length, 0);
        await s.mask.file.close();
        const msha = await sha256File(s.mask.tmp);
        await this.publish(s.mask.tmp, `${s.base}.mask.npy`, NPY_HEADER_BYTES + tokens, msha, documents, tokens, 'mask');
      }
      if (this.opts.examples) await this.writeExamples(s, documents, tokens);
      await this.publish(s.tmp, `${s.base}.npy`, NPY_HEADER_BYTES + s.dataBytes, sha, documents, tokens);
      const offsets = new BigInt64Array(documents + 1);
      let acc = 0;
      for (let i = 0; i < s.lengths.length; i++) {
        acc += s.lengths[i]!;
        offsets[i + 1] = BigInt(acc);
      }
      const body = Buffer.from(offsets.buffer);
      await this.writeSmall(`${s.base}.offsets.npy`, Buffer.concat([npyHeader('<i8', documents + 1), body]), documents, tokens);
    }
  }

  private async writeExamples(s: OpenShard, documents: number, tokens: number): Promise<void> {
    const spans = BigInt64Array.from(s.examples, (v) => BigInt(v));
    const data = Buffer.concat([npyHeader('<i8', [s.examples.length / 2, 2]), Buffer.from(spans.buffer)]);
    await this.writeSmall(`${s.base}.examples.npy`, data, documents, tokens, 'examples');
  }

  private async writeSmall(name: string, data: Buffer, documents: number, tokens: number, role?: TokenShardFile['role']): Promise<void> {
    await writeFileAtomic(join(this.dir, name), data);
    this.record(name, data.length, createHash('sha256').update(data).digest('hex'), documents, tokens, role);
  }

  /** Renames a finished shard file into place and records it. */
  private async publish(tmp: string, name: string, bytes: number, sha256: string, documents: number, tokens: number, role?: TokenShardFile['role']): Promise<void> {
    await rename(tmp, join(this.dir, name));
    this.record(name, bytes, sha256, documents, tokens, role);
  }

  private record(name: string, bytes: number, sha256: string, documents: number, tokens: number, role?: TokenShardFile['role']): void {
    this.files.push(role ? { name, role, bytes, sha256, documents, tokens } : { name, bytes, sha256, documents, tokens });
  }
}

async function writeAll(f: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += (await f.write(bytes, off, bytes.length - off)).bytesWritten;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
