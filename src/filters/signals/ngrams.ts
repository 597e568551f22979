/**
 * Word n-gram counting over interned word ids, for the repetition signals: a rolling hash per
 * position into an open-addressing table whose entries are verified word by word, so equal hashes
 * of different n-grams never merge (the result is exact, like Python's Counter of tuples). The
 * native addon does the same for all the repetition signals of a document in one call
 * (native/text/ngrams.cc); the loops here serve where it is missing and as its reference in tests.
 */
import { textNative } from '../../native/addons.js';

interface NgramNative {
  ngramStats(ids: Int32Array, lens: Int32Array, out: Float64Array): void;
}

const addon = textNative<Partial<NgramNative>>();
let useNative = typeof addon.ngramStats === 'function';

/** Uses the native counting (true, when the addon has it) or the loops here (false); for tests. */
export function useNativeNgrams(on: boolean): void {
  useNative = on && typeof addon.ngramStats === 'function';
}

/**
 * Per n = 2..10 at index n - 2: for n ≤ 4 the chars × count of the top n-gram (0 when none repeats),
 * for n ≥ 5 the chars of words covered by repeated n-grams; null when the addon is not used.
 */
export function nativeNgramStats(ids: Int32Array, lens: Int32Array): Float64Array | null {
  if (!useNative) return null;
  const out = new Float64Array(9);
  addon.ngramStats!(ids, lens, out);
  return out;
}

export interface NgramCounts {
  /** Distinct n-gram index of each position (0..positions-1). */
  group: Int32Array;
  /** Occurrences of each distinct n-gram, in order of first occurrence. */
  count: Int32Array;
  /** First position of each distinct n-gram. */
  first: Int32Array;
  distinct: number;
}

const B = 0x01000193; // FNV prime as the polynomial base

let stampCounter = 0;
function nextStamp(): number {
  if (++stampCounter === 0x7fffffff) {
    stampCounter = 1;
    buffers[5]?.fill(0);
  }
  return stampCounter;
}

/** Reused buffers (views of the right length): the counts are read before the next call. */
const buffers: Int32Array[] = [];
function scratch(k: number, n: number): Int32Array {
  let b = buffers[k];
  if (!b || b.length < n) buffers[k] = b = new Int32Array(Math.max(n, 1024, (b?.length ?? 0) * 2));
  return b.subarray(0, n);
}

/** Counts n-grams; the result lives in shared buffers, valid until the next call. */
export function countNgrams(ids: Int32Array, n: number): NgramCounts {
  const positions = ids.length - n + 1;
  if (positions <= 0) return { group: new Int32Array(0), count: new Int32Array(0), first: new Int32Array(0), distinct: 0 };
  let size = 16;
  while (size < positions * 2) size <<= 1;
  const mask = size - 1;
  // Slots are live when their stamp is this call's: no clearing of the table between calls.
  const stamp = nextStamp();
  const slotStamp = scratch(5, size);
  const slotGroup = scratch(0, size);
  const slotHash = scratch(1, size);
  const group = scratch(2, positions);
  const count = scratch(3, positions);
  const first = scratch(4, positions);
  let distinct = 0;
  // B^(n-1) mod 2^32, to drop the leaving word from the rolling hash.
  let top = 1;
  for (let k = 1; k < n; k++) top = Math.imul(top, B);
  let h = 0;
  for (let k = 0; k < n; k++) h = (Math.imul(h, B) + ids[k]! + 1) | 0;
  for (let i = 0; i < positions; i++) {
    if (i > 0) h = (Math.imul((h - Math.imul(ids[i - 1]! + 1, top)) | 0, B) + ids[i + n - 1]! + 1) | 0;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      if (slotStamp[slot] !== stamp) {
        slotStamp[slot] = stamp;
        slotGroup[slot] = distinct;
        slotHash[slot] = h;
        first[distinct] = i;
        count[distinct] = 1;
        group[i] = distinct++;
        break;
      }
      const g = slotGroup[slot]!;
      if (slotHash[slot] === h && sameWords(ids, first[g]!, i, n)) {
        count[g]!++;
        group[i] = g;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return { group, count, first, distinct };
}

function sameWords(ids: Int32Array, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (ids[a + k] !== ids[b + k]) return false;
  return true;
}
