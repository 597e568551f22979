/**
 * LLaMA's book rule, "we remove books with more than 90% content overlap" (Touvron et al. 2023
 * §2.1), measured as the Jaccard similarity of the books' word 5-gram sets, estimated by MinHash
 * and found through LSH bands. Small and self-contained because the shared MinHash of src/dedup
 * was not on main when this was written; it should move onto that module once it lands.
 *
 * - Shingles: lower-cased words (`\p{L}\p{N}` runs), 5 in a row, hashed to 32 bits (FNV-1a over
 *   the words' own 32-bit hashes).
 * - Signature: NUM_PERM values; value i = min over shingles of fmix32(h + i·h2) where h2 is a second
 *   hash of the shingle (double hashing: one pass over the text, NUM_PERM cheap mixes per shingle).
 * - Candidates: BANDS bands of ROWS values (16 × 8: a pair at Jaccard 0.9 shares a band with
 *   probability 1 − (1 − 0.9⁸)¹⁶ > 0.9999); a candidate is a duplicate when the estimated Jaccard
 *   (equal signature positions / NUM_PERM) is ≥ the threshold.
 * Memory: NUM_PERM × 4 bytes per book (512 B for 128), whatever the book's length.
 */

export const OVERLAP_THRESHOLD = 0.9;
export const SHINGLE_WORDS = 5;
export const NUM_PERM = 128;
export const BANDS = 16;
export const ROWS = NUM_PERM / BANDS;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const WORD_RE = /[\p{L}\p{N}]+/gu;

/** The MinHash signature of a text (NUM_PERM unsigned 32-bit values). */
export function minhashSignature(text: string, numPerm = NUM_PERM, shingleWords = SHINGLE_WORDS): Uint32Array {
  const sig = new Uint32Array(numPerm).fill(0xffffffff);
  const window: number[] = [];
  let any = false;
  const add = () => {
    let h = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (const w of window) {
      h = Math.imul(h ^ w, 0x01000193);
      h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h2 |= 1;
    for (let i = 0; i < numPerm; i++) {
      const v = fmix32((h + Math.imul(i, h2)) | 0);
      if (v < sig[i]!) sig[i] = v;
    }
    any = true;
  };
  for (const m of text.toLowerCase().matchAll(WORD_RE)) {
    window.push(fnv1a(m[0]));
    if (window.length > shingleWords) window.shift();
    if (window.length === shingleWords) add();
  }
  // A text shorter than one shingle is its words as one shingle.
  if (!any && window.length > 0) add();
  return sig;
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** LSH band keys of a signature (`band:hex of its rows`). */
export function bandKeys(sig: Uint32Array, bands = BANDS): string[] {
  const rows = sig.length / bands;
  const keys: string[] = [];
  for (let b = 0; b < bands; b++) {
    let k = `${b}:`;
    for (let r = 0; r < rows; r++) k += sig[b * rows + r]!.toString(36) + ',';
    keys.push(k);
  }
  return keys;
}
