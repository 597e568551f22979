/**
 * RedPajama-V2's text normalisation (utilities/text/normalization.py `normalize`): delete ASCII
 * punctuation (Python `string.punctuation`), lower-case, `strip()`, collapse every run of `\s` to one
 * space, then Unicode NFD. The quality signals' normalized words and the MinHash shingles are the
 * words of this text, and exact dedup can key on it.
 */
import { needsNfd } from './char-classes.js';
import { pyStrip, PY_SPACE_CLASS } from './python.js';

/** Python `string.punctuation`: the 32 ASCII punctuation characters. */
const ASCII_PUNCT = /[!-/:-@[-`{-~]+/g;
const SPACE_RUN = new RegExp(`[${PY_SPACE_CLASS}]+`, 'g');

/**
 * The per-character part of `normalize()`: punctuation removed, lower-cased, NFD. Its runs between
 * Python whitespace are the normalized words (NFD and lower-casing never create or remove whitespace).
 */
export function foldChars(text: string): string {
  const t = text.replace(ASCII_PUNCT, '').toLowerCase();
  return needsNfd(t) ? t.normalize('NFD') : t;
}

/** How a text's fold can be had without `foldChars` (foldPlan). */
export const FOLD_BYTES = 0;
export const FOLD_NFD = 1;
export const FOLD_FULL = 2;
export type FoldPlan = typeof FOLD_BYTES | typeof FOLD_NFD | typeof FOLD_FULL;

/** foldPlan of each BMP unit on its own (ASCII: FOLD_BYTES). */
let plans: Uint8Array | undefined;

const MARK = /\p{M}/u;
const ASCII_CHANGED = /[!-/:-@[-`{-~A-Z]/;

function planOf(ch: string): FoldPlan {
  const c = ch.charCodeAt(0);
  if ((c >= 0xd800 && c <= 0xdfff) || ch.toLowerCase() !== ch) return FOLD_FULL;
  if (!needsNfd(ch)) return FOLD_BYTES;
  // A starter NFD leaves alone and then marks only, none of them cased or ASCII: NFD of the whole
  // text places them exactly so, whatever the ASCII punctuation and case around them.
  const d = ch.normalize('NFD');
  if (d === ch || needsNfd(d[0]!) || d.toLowerCase() !== d || ASCII_CHANGED.test(d)) return FOLD_FULL;
  for (let i = 1; i < d.length; i++) if (!MARK.test(d[i]!)) return FOLD_FULL;
  return FOLD_NFD;
}

/**
 * How `foldChars(text)` can be computed by a byte-wise fold of UTF-8 (ASCII punctuation deleted, A-Z
 * lower-cased, other bytes kept; native/text/minhash.cc): FOLD_BYTES when every non-ASCII character
 * of the text is caseless and untouched by NFD (the fold of the text itself), FOLD_NFD when some
 * are caseless precomposed letters (the fold of text.normalize('NFD')), FOLD_FULL otherwise.
 */
export function foldPlan(text: string): FoldPlan {
  plans ??= Uint8Array.from({ length: 0x10000 }, (_, c) => (c < 0x80 ? FOLD_BYTES : planOf(String.fromCharCode(c))));
  const t = plans;
  let plan: FoldPlan = FOLD_BYTES;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    const p = t[c]!;
    if (p === FOLD_FULL) return FOLD_FULL;
    if (p === FOLD_NFD) plan = FOLD_NFD;
  }
  return plan;
}

/** RPv2 `normalize(text)`. */
export function normalize(text: string): string {
  return pyStrip(foldChars(text)).replace(SPACE_RUN, ' ');
}
