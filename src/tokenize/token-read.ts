/**
 * Reads one document back from a token shard (for `corpusmill inspect` and the `decode` checks):
 * Megatron `.bin/.idx` (either path, or the base name) or `.npy` with its `.offsets.npy`. Only the
 * index and the document's own bytes are read, so any shard size is fine.
 */
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { CorpusError } from '../core/errors.js';
import { dtypeBytes, readMegatronIndex } from './formats/megatron.js';
import { readNpyHeader } from './formats/npy.js';

export interface TokenShardInfo {
  format: 'megatron' | 'npy';
  documents: number;
  tokens: number;
}

interface Located {
  format: 'megatron' | 'npy';
  data: string;
  /** Token offset and length of each document. */
  starts: Float64Array;
  lengths: Float64Array;
  item: 2 | 4;
  dataOffset: number;
}

function base(path: string): string {
  return path.replace(/(\.offsets)?\.(npy|bin|idx)$/, '');
}

async function locate(path: string): Promise<Located> {
  const b = base(path);
  if (existsSync(`${b}.idx`) && existsSync(`${b}.bin`)) {
    const idx = readMegatronIndex(await readFile(`${b}.idx`), `${b}.idx`);
    const item = dtypeBytes(idx.dtype);
    const n = idx.lengths.length;
    const starts = new Float64Array(n);
    const lengths = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = Number(idx.pointers[i]!) / item;
      lengths[i] = idx.lengths[i]!;
    }
    return { format: 'megatron', data: `${b}.bin`, starts, lengths, item, dataOffset: 0 };
  }
  if (existsSync(`${b}.npy`) && existsSync(`${b}.offsets.npy`)) {
    const offBuf = await readFile(`${b}.offsets.npy`);
    const oh = readNpyHeader(offBuf, `${b}.offsets.npy`);
    const offs = new BigInt64Array(offBuf.buffer.slice(offBuf.byteOffset + oh.dataOffset, offBuf.byteOffset + oh.dataOffset + oh.length * 8));
    const f = await open(`${b}.npy`, 'r');
    const head = Buffer.alloc(256);
    await f.read(head, 0, 256, 0);
    await f.close();
    const h = readNpyHeader(head, `${b}.npy`);
    const n = Math.max(0, oh.length - 1);
    const starts = new Float64Array(n);
    const lengths = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = Number(offs[i]!);
      lengths[i] = Number(offs[i + 1]! - offs[i]!);
    }
    return { format: 'npy', data: `${b}.npy`, starts, lengths, item: h.dtype === '<u2' ? 2 : 4, dataOffset: h.dataOffset };
  }
  throw new CorpusError('not a token shard (expected .bin + .idx, or .npy + .offsets.npy)', { file: path });
}

export async function tokenShardInfo(path: string): Promise<TokenShardInfo> {
  const l = await locate(path);
  return { format: l.format, documents: l.lengths.length, tokens: l.lengths.reduce((a, b) => a + b, 0) };
}

/** The ids of document `n` (0-based) of a token shard. */
export async function readTokenDocument(path: string, n: number): Promise<number[]> {
  const l = await locate(path);
  if (!Number.isInteger(n) || n < 0 || n >= l.lengths.length) throw new CorpusError(`document ${n} does not exist (the shard has ${l.lengths.length})`, { file: path });
  const bytes = Buffer.alloc(l.lengths[n]! * l.item);
  const f = await open(l.data, 'r');
  try {
    await f.read(bytes, 0, bytes.length, l.dataOffset + l.starts[n]! * l.item);
  } finally {
    await f.close();
  }
  const ids: number[] = new Array(l.lengths[n]!);
  for (let i = 0; i < ids.length; i++) ids[i] = l.item === 2 ? bytes.readUInt16LE(2 * i) : bytes.readInt32LE(4 * i);
  return ids;
}
