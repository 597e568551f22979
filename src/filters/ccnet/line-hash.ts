/**
 * cc_net's line hash (`dedup.str_hash` of `normalize_for_dedup(line)`): the first 8 bytes of SHA-1
 * of the UTF-8 normalised line, read as a little-endian uint64 (numpy's native order on x86).
 * The normalisation itself is src/text/ccnet-normalize.ts; `textLineHashes` runs it and SHA-1 in the
 * addon (native/text/ccnet_text.cc, tables generated from the TypeScript functions) and uses the
 * TypeScript path for the rare line the native tables cannot do alone (Σ's final form).
 */
import { hash } from 'node:crypto';
import { textNative } from '../../native/addons.js';
import { normalizeForDedup } from '../../text/ccnet-normalize.js';

/**
 * First 8 bytes of SHA-1 of the UTF-8 string, little-endian, as two uint32 halves [lo, hi].
 * `crypto.hash` (one-shot) costs half of `createHash().update().digest()` per short line and is
 * within 15% of a native bulk SHA-1 measured for this purpose, so no addon code is needed.
 */
export function sha1Prefix64(s: string): [number, number] {
  const d = hash('sha1', s, 'buffer');
  return [d.readUInt32LE(0), d.readUInt32LE(4)];
}

/** cc_net's line hash of a raw line (normalised first), as a uint64 bigint (for tests and tools). */
export function lineHash(line: string): bigint {
  const [lo, hi] = sha1Prefix64(normalizeForDedup(line));
  return (BigInt(hi) << 32n) | BigInt(lo);
}

interface LineHashNative {
  lineHashes(text: string): [Uint32Array, Int32Array | null];
}
let native: LineHashNative | undefined;

/** The line hashes of a text split at `\n`, as [lo, hi] pairs in one array (cc_net `compute_hashes`). */
export function textLineHashes(text: string): Uint32Array {
  native ??= textNative<LineHashNative>();
  const [out, fallback] = native.lineHashes(text);
  if (fallback) {
    const lines = text.split('\n');
    for (const i of fallback) {
      const [lo, hi] = sha1Prefix64(normalizeForDedup(lines[i]!));
      out[i * 2] = lo;
      out[i * 2 + 1] = hi;
    }
  }
  return out;
}
