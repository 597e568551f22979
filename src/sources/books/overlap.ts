/**
 * LLaMA's book rule, "we remove books with more than 90% content overlap" (Touvron et al. 2023
 * §2.1), measured as the Jaccard similarity of the books' word 5-gram sets, estimated by MinHash
 * and found through LSH bands. The signatures are the project's shared MinHash
 * (src/dedup/minhash/signature.ts: RedPajama-V2 word normalisation, SHA-1 shingle hashes,
 * RandomState(42) permutations, native batch hashing) with 5-word shingles instead of RPv2's 13:
 * books that differ by an edition's corrections should still share most shingles.
 *
 * - Candidates: BANDS bands of NUM_PERM / BANDS values (16 × 8: a pair at Jaccard 0.9 shares a band with
 *   probability 1 − (1 − 0.9⁸)¹⁶ > 0.9999); a candidate is a duplicate when the estimated Jaccard
 *   (equal signature positions / NUM_PERM) is ≥ the threshold.
 * - A book with fewer than SHINGLE_WORDS words has no signature (RPv2: null) and takes part in
 *   SimHash only.
 * Memory: NUM_PERM × 4 bytes per book (512 B for 128), whatever the book's length.
 */
import { MinHasher, rpv2Bands } from '../../dedup/minhash/signature.js';

export const OVERLAP_THRESHOLD = 0.9;
const SHINGLE_WORDS = 5;
const NUM_PERM = 128;
export const BANDS = 16;

let hasher: MinHasher | undefined;

/** The MinHash signature of a text (NUM_PERM unsigned 32-bit values), or null when it is too short. */
export function minhashSignature(text: string): Uint32Array | null {
  hasher ??= new MinHasher({ perms: NUM_PERM, ngram: SHINGLE_WORDS });
  const { sigs, valid } = hasher.signatures([text]);
  return valid[0] ? sigs : null;
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** LSH band keys of a signature: the band's index, then RPv2's hex of its rows. */
export function bandKeys(sig: Uint32Array, bands = BANDS): string[] {
  return rpv2Bands(sig, bands, sig.length / bands).map((hex, b) => `${b}:${hex}`);
}
