/**
 * Megatron-LM indexed dataset (`MMIDIDX`), byte-exact to `megatron/core/datasets/indexed_dataset.py`
 * (`_IndexWriter` / `_IndexReader`), one sequence per document:
 *   .idx = magic "MMIDIDX\0\0" | u64 version 1 | u8 dtype code | u64 N sequences | u64 D = N+1
 *          | i32[N] sequence lengths | i64[N] byte pointers into .bin | i64[D] document indices 0..N
 *   .bin = the token arrays back to back, little-endian, no header.
 * dtype: Megatron's `DType.optimal_dtype(vocab)`: uint16 (code 8) below 65,500 ids, else int32 (code 4).
 * Loss masks of SFT shards are indexed datasets of their own with dtype uint8 (code 1), the same
 * sequence lengths as their token shard.
 */
export const MMIDIDX_MAGIC = Buffer.from('MMIDIDX\x00\x00', 'latin1');
export const MEGATRON_DTYPE_CODE = { uint8: 1, uint16: 8, int32: 4 } as const;
/** Any dtype we write into an indexed dataset (token ids or a uint8 loss mask). */
export type ShardDtype = keyof typeof MEGATRON_DTYPE_CODE;
/** The dtypes of token ids. */
export type TokenDtype = 'uint16' | 'int32';

/** Megatron's rule for the token dtype of a vocabulary. */
export function tokenDtype(vocabSize: number): TokenDtype {
  return vocabSize < 65500 ? 'uint16' : 'int32';
}

export function dtypeBytes(d: TokenDtype): 2 | 4;
export function dtypeBytes(d: ShardDtype): 1 | 2 | 4;
export function dtypeBytes(d: ShardDtype): 1 | 2 | 4 {
  return d === 'uint8' ? 1 : d === 'uint16' ? 2 : 4;
}

/** The .idx file for documents of the given token counts. */
export function megatronIndex(lengths: ArrayLike<number>, dtype: ShardDtype): Buffer {
  const n = lengths.length;
  const buf = Buffer.alloc(34 + 12 * n + 8 * (n + 1));
  MMIDIDX_MAGIC.copy(buf, 0);
  buf.writeBigUInt64LE(1n, 9);
  buf.writeUInt8(MEGATRON_DTYPE_CODE[dtype], 17);
  buf.writeBigUInt64LE(BigInt(n), 18);
  buf.writeBigUInt64LE(BigInt(n + 1), 26);
  let pos = 34;
  for (let i = 0; i < n; i++, pos += 4) buf.writeInt32LE(lengths[i]!, pos);
  let ptr = 0;
  const item = dtypeBytes(dtype);
  for (let i = 0; i < n; i++, pos += 8) {
    buf.writeBigInt64LE(BigInt(ptr), pos);
    ptr += lengths[i]! * item;
  }
  for (let i = 0; i <= n; i++, pos += 8) buf.writeBigInt64LE(BigInt(i), pos);
  return buf;
}

export interface MegatronIndex {
  dtype: TokenDtype;
  lengths: Int32Array;
  pointers: BigInt64Array;
}

/** Reads an .idx (as written by Megatron or by us); throws on a foreign layout. */
export function readMegatronIndex(buf: Buffer, label: string): MegatronIndex {
  if (buf.length < 34 || !buf.subarray(0, 9).equals(MMIDIDX_MAGIC)) throw new Error(`${label}: not a Megatron MMIDIDX index`);
  if (buf.readBigUInt64LE(9) !== 1n) throw new Error(`${label}: unsupported MMIDIDX version`);
  const code = buf.readUInt8(17);
  const dtype = (['uint16', 'int32'] as const).find((k) => MEGATRON_DTYPE_CODE[k] === code);
  if (!dtype) throw new Error(`${label}: token dtype code ${code} is not uint16/int32`);
  const n = Number(buf.readBigUInt64LE(18));
  if (buf.length < 34 + 12 * n) throw new Error(`${label}: truncated index`);
  const lengths = new Int32Array(n);
  const pointers = new BigInt64Array(n);
  for (let i = 0; i < n; i++) lengths[i] = buf.readInt32LE(34 + 4 * i);
  for (let i = 0; i < n; i++) pointers[i] = buf.readBigInt64LE(34 + 4 * n + 8 * i);
  return { dtype, lengths, pointers };
}
