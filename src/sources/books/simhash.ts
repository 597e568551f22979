/**
 * RedPajama's book SimHash (rp_v1 data_prep/book/dedup.py with the 1e0ng `simhash` library,
 * recipe §7), bit for bit:
 * - features: `re.sub(r'[^\w]+', '', text.lower())`, then every character 6-gram (repeats counted,
 *   weight 1; a text shorter than 6 gives its whole self as one feature);
 * - each feature's hash is the last 8 bytes of md5(utf-8), read big-endian;
 * - bit j of the 64-bit value is 1 iff more than half of the features have bit j set;
 * - near-duplicates: Hamming distance ≤ 5, found through 6 blocks of the value (bit offsets 0, 10,
 *   20, 30, 40, 50; the last block 14 bits wide): two values within distance 5 share a block
 *   (pigeonhole), so bucket matches then a distance check find exactly the same pairs.
 *
 * Hot path (why it looks like this): a 500 KB book has ~500 k features. node:crypto's md5 costs
 * ~1 µs per call for 6-grams, so md5 is inlined here for one 64-byte block (features are ≤ 24
 * bytes), and bits are counted per digest byte (8 table increments per feature, not 64); the per-bit
 * totals come out of the 8×256 table at the end.
 */
import { PY_WORD_CLASS } from '../../text/python.js';

const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

const block = new Int32Array(16);
const blockBytes = new Uint8Array(block.buffer);
/** md5 digest words 2 and 3 (digest bytes 8..15) after one block. */
const state = new Int32Array(4);

const S1 = [7, 12, 17, 22];
const S2 = [5, 9, 14, 20];
const S3 = [4, 11, 16, 23];
const S4 = [6, 10, 15, 21];

/** md5 of `len` (≤ 55) bytes already placed in blockBytes[0..len), the rest of the block zero. */
function md5OneBlock(len: number): void {
  blockBytes[len] = 0x80;
  block[14] = len * 8;
  let a = 0x67452301 | 0;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476 | 0;
  let t: number;
  let s: number;
  // Four rounds of 16 steps, each with its own mixing function and message order.
  for (let i = 0; i < 16; i++) {
    t = (a + ((b & c) | (~b & d)) + K[i]! + block[i]!) | 0;
    s = S1[i & 3]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  for (let i = 16; i < 32; i++) {
    t = (a + ((d & b) | (~d & c)) + K[i]! + block[(5 * i + 1) & 15]!) | 0;
    s = S2[i & 3]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  for (let i = 32; i < 48; i++) {
    t = (a + (b ^ c ^ d) + K[i]! + block[(3 * i + 5) & 15]!) | 0;
    s = S3[i & 3]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  for (let i = 48; i < 64; i++) {
    t = (a + (c ^ (b | ~d)) + K[i]! + block[(7 * i) & 15]!) | 0;
    s = S4[i & 3]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((t << s) | (t >>> (32 - s)))) | 0;
  }
  state[2] = (c + 0x98badcfe) | 0;
  state[3] = (d + 0x10325476) | 0;
}

const NON_WORD_RUN = new RegExp(`[^${PY_WORD_CLASS}]+`, 'gu');

/** The text RedPajama hashes: lower-cased, every run of non-word characters (Python `\W+`) removed. */
function simhashFeatureText(text: string): string {
  return text.toLowerCase().replace(NON_WORD_RUN, '');
}

export const SIMHASH_NGRAM = 6;
export const SIMHASH_MAX_HAMMING = 5;

const encoder = new TextEncoder();

/** The 64-bit SimHash as 16 hex digits (the value RedPajama's `Simhash(features).value` has). */
export function simhash64(text: string, ngram = SIMHASH_NGRAM): string {
  const s = simhashFeatureText(text);
  const bytes = encoder.encode(s);
  // Code point starts in the UTF-8 bytes: features are n code points, as Python slices them.
  const starts: number[] = [];
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) starts.push(i);
  starts.push(bytes.length);
  const nChars = starts.length - 1;
  const counts = new Uint32Array(8 * 256);
  block.fill(0);
  const features = Math.max(nChars - ngram + 1, 1);
  for (let f = 0; f < features; f++) {
    const from = starts[f]!;
    const to = starts[Math.min(f + ngram, nChars)]!;
    const len = to - from;
    if (len > 55) throw new RangeError('feature longer than one md5 block');
    for (let j = 0; j < len; j++) blockBytes[j] = bytes[from + j]!;
    md5OneBlock(len);
    // Zero the message and pad bytes again so the next (possibly shorter) feature starts clean.
    for (let j = 0; j <= len; j++) blockBytes[j] = 0;
    // Digest bytes 8..15 are words 2 and 3, little-endian.
    const c = state[2]!;
    const d = state[3]!;
    counts[c & 0xff]!++;
    counts[256 + ((c >>> 8) & 0xff)]!++;
    counts[512 + ((c >>> 16) & 0xff)]!++;
    counts[768 + (c >>> 24)]!++;
    counts[1024 + (d & 0xff)]!++;
    counts[1280 + ((d >>> 8) & 0xff)]!++;
    counts[1536 + ((d >>> 16) & 0xff)]!++;
    counts[1792 + (d >>> 24)]!++;
  }
  // Value byte k (big-endian, k = 0 is the most significant) is digest byte 8 + k.
  let hex = '';
  for (let k = 0; k < 8; k++) {
    let byte = 0;
    for (let bit = 7; bit >= 0; bit--) {
      let n = 0;
      for (let v = 0; v < 256; v++) if (v & (1 << bit)) n += counts[k * 256 + v]!;
      if (n > features / 2) byte |= 1 << bit;
    }
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance of two 16-hex-digit values. */
export function hamming64(a: string, b: string): number {
  const hi = parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16);
  const lo = parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16);
  return popcount32(hi) + popcount32(lo);
}

/** RedPajama's SimhashIndex bucket keys for k = 5: `"%x:%x" % (block value, block index)`. */
export function simhashBucketKeys(hex: string, k = SIMHASH_MAX_HAMMING): string[] {
  const v = BigInt(`0x${hex}`);
  const width = Math.floor(64 / (k + 1));
  const keys: string[] = [];
  for (let i = 0; i <= k; i++) {
    const offset = width * i;
    const bits = i === k ? 64 - offset : width;
    const c = (v >> BigInt(offset)) & ((1n << BigInt(bits)) - 1n);
    keys.push(`${c.toString(16)}:${i.toString(16)}`);
  }
  return keys;
}
