/**
 * Writes token shards trainers read, streaming: Megatron `.bin/.idx` or `.npy` (+ `.offsets.npy`, int64
 * document boundaries in tokens). Shards rotate at a document boundary once the token data reaches
 * `maxBytes`; every file is written under a temporary name (io/atomic.ts) and renamed when complete (the index last, so an
 * `.idx` on disk always has its `.bin`). Memory: one batch of ids plus 4 bytes of length per document
 * of the open shard.
 */
import { tmpPath, writeFileAtomic } from '../io/atomic.js';
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
}

/** `tokens_00003`: a shard's base name within its folder. */
export function tokenShardName(prefix: string, index: number): string {
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
}

export class TokenShardWriter {
  private shard: OpenShard | null = null;
  private index = 0;
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
  async add(ids: Uint16Array | Uint32Array, tokenOffsets: ArrayLike<number>): Promise<void> {
    if (ids.BYTES_PER_ELEMENT !== this.item) throw new Error(`token shard: ids are ${ids.BYTES_PER_ELEMENT}-byte, shard dtype is ${this.opts.dtype}`);
    const n = tokenOffsets.length - 1;
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
      const slice = ids.subarray(tokenOffsets[first]!, tokenOffsets[d]!);
      const bytes = new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength);
      s.hash.update(bytes);
      await writeAll(s.file, bytes);
      if (s.dataBytes >= this.maxBytes) await this.finishShard();
    }
  }

  /** Finishes the open shard; returns every file written. */
  async close(): Promise<TokenShardFile[]> {
    if (this.shard) await this.finishShard();
    return this.files;
  }

  /** Gives up the open shard (after a failure or an early stop): closes it and removes its temporary file. */
  async abort(): Promise<void> {
    const s = this.shard;
    this.shard = null;
    if (!s) return;
    await s.file.close().catch(() => {});
    await rm(s.tmp, { force: true });
  }

  private get dataExt(): string {
    return this.opts.format === 'megatron' ? '.bin' : '.npy';
  }

  private async openShard(): Promise<OpenShard> {
    await mkdir(this.dir, { recursive: true });
    const base = tokenShardName(this.prefix, this.index++);
    const tmp = tmpPath(join(this.dir, base + this.dataExt));
    const file = await open(tmp, 'w');
    if (this.opts.format === 'npy') await writeAll(file, Buffer.alloc(NPY_HEADER_BYTES)); // filled in at the end
    this.shard = { base, tmp, file, hash: createHash('sha256'), dataBytes: 0, lengths: [] };
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
      await this.writeSmall(`${s.base}.idx`, idx, documents, tokens);
    } else {
      const header = npyHeader(this.opts.dtype === 'uint16' ? '<u2' : '<i4', tokens);
      await s.file.write(header, 0, header.length, 0);
      await s.file.close();
      const sha = await sha256File(s.tmp);
      await this.publish(s.tmp, `${s.base}.npy`, NPY_HEADER_BYTES + s.dataBytes, sha, documents, tokens);
      const offsets = new BigInt64Array(documents + 1);
      let acc = 0;
      s.lengths.forEach((len, i) => (offsets[i + 1] = BigInt((acc += len))));
      const body = Buffer.from(offsets.buffer);
      await this.writeSmall(`${s.base}.offsets.npy`, Buffer.concat([npyHeader('<i8', documents + 1), body]), documents, tokens);
    }
  }

  private async writeSmall(name: string, data: Buffer, documents: number, tokens: number): Promise<void> {
    await writeFileAtomic(join(this.dir, name), data);
    this.files.push({ name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), documents, tokens });
  }

  /** Renames a finished shard file into place and records it. */
  private async publish(tmp: string, name: string, bytes: number, sha256: string, documents: number, tokens: number): Promise<void> {
    await rename(tmp, join(this.dir, name));
    this.files.push({ name, bytes, sha256, documents, tokens });
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
