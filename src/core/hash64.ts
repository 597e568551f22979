/**
 * A fast 64-bit string hash as two 32-bit halves, for the hashed sets of the decontamination index,
 * the URL blocklists and paragraph dedup: keys that must be the same in every worker and every run,
 * without BigInt in the hot loop.
 *
 * Each half is a multiply-xor-rotate pass over the UTF-16 code units with its own constants and
 * seed, finished with murmur3's fmix32 and a cross-mix of the halves (as murmur3 x86_128 finishes).
 * Not a cryptographic hash; a good spread is all the users need, and they state the collision
 * rate of 64 (or 56) bits.
 *
 * Results go into a caller-owned Uint32Array ([hi, lo]) so the hot loops allocate nothing.
 */

/** murmur3 fmix32, as an unsigned 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

/** Writes the 64-bit hash of `s` into out[0] (high half) and out[1] (low half). */
export function hash64(s: string, out: Uint32Array, seed = 0): void {
  let h1 = 0x9747b28c ^ seed;
  let h2 = 0x5bd1e995 ^ Math.imul(seed, 0x27d4eb2f);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(rotl(h1 ^ c, 15), 0xcc9e2d51) + 0xe6546b64;
    h2 = Math.imul(rotl(h2 ^ c, 13), 0x1b873593) + 0x38b34ae5;
  }
  finish(h1, h2, s.length, out);
}

function finish(h1: number, h2: number, len: number, out: Uint32Array): void {
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/**
 * The 64-bit hash of a sequence of already hashed items (words of an n-gram): hi[from..to) and
 * lo[from..to) are the items' halves. Order matters; equal sequences give equal hashes.
 */
export function hashSeq64(hi: Uint32Array, lo: Uint32Array, from: number, to: number, out: Uint32Array): void {
  let h1 = 0x3c6ef372;
  let h2 = 0xa54ff53a;
  for (let i = from; i < to; i++) {
    h1 = Math.imul(rotl(h1 ^ lo[i]!, 15), 0xcc9e2d51) + 0xe6546b64;
    h2 = Math.imul(rotl(h2 ^ hi[i]!, 13), 0x1b873593) + 0x38b34ae5;
    // Each half also sees the other half of the item, so two items differing in one half still differ in both.
    h1 ^= rotl(hi[i]!, 7);
    h2 ^= rotl(lo[i]!, 11);
  }
  finish(h1, h2, to - from, out);
}

/** `hhhhhhhhllllllll`: the hash as 16 hex digits (state files). */
export function hex64(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
