/**
 * cc_net's text normalisations, with Python's string semantics reproduced where JavaScript differs.
 *
 * `normalizeForDedup` is cc_net's `text_normalizer.normalize_for_dedup` (the key of the line
 * dedup): strip, lower-case, every Unicode decimal digit → `0`, then delete the characters of
 * `UNICODE_PUNCT` (the table lives with cc_net's `normalize` in text-normalizer.ts) and the C0/C1
 * controls (U+0000–001F, U+007F–009F). No accent stripping.
 * `lineHash` is cc_net's `dedup.str_hash`: the first 8 bytes of SHA-1 of the UTF-8 line, read as a
 * little-endian uint64 (numpy's native order on x86).
 *
 * Python vs JavaScript, decided here once:
 * - `str.strip()` is `pyStrip` (../pystr.ts), not JS `trim()`.
 * - `str.lower()` and JS `toLowerCase()` both apply the full Unicode mapping (İ → i̇, final sigma);
 *   they can differ only where the Unicode versions differ (Python 3.11: 14.0, Node 20: 15.x).
 * - Python `\d` is Unicode category Nd: `\p{Nd}` with the `u` flag.
 */
import { hash } from 'node:crypto';
import { pyStrip } from '../pystr.js';
import { UNICODE_PUNCT } from './text-normalizer.js';

export { UNICODE_PUNCT };

const DIGIT_RE = /\p{Nd}/gu;
const PUNCT_OR_CONTROL_RE = new RegExp(`[${Object.keys(UNICODE_PUNCT).join('')}\\x00-\\x1f\\x7f-\\x9f]`, 'g');
// Fast path: a line of printable ASCII only needs lower-casing and digit folding.
// eslint-disable-next-line no-control-regex
const NON_SIMPLE_RE = /[^\x20-\x7e]/;

/** cc_net `normalize_for_dedup(line)`. */
export function normalizeForDedup(line: string): string {
  if (!NON_SIMPLE_RE.test(line)) {
    // Printable ASCII: strip is plain-space trimming, no punctuation or controls to delete.
    let s = line.trim().toLowerCase();
    if (/[0-9]/.test(s)) s = s.replace(/[0-9]/g, '0');
    return s;
  }
  let s = pyStrip(line);
  if (s.length === 0) return s;
  s = s.toLowerCase();
  // The regexes are built once; `test` first because most lines need neither replacement.
  DIGIT_RE.lastIndex = 0;
  if (DIGIT_RE.test(s)) s = s.replace(DIGIT_RE, '0');
  PUNCT_OR_CONTROL_RE.lastIndex = 0;
  if (PUNCT_OR_CONTROL_RE.test(s)) s = s.replace(PUNCT_OR_CONTROL_RE, '');
  return s;
}

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
