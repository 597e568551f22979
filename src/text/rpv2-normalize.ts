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

/** RPv2 `normalize(text)`. */
export function normalize(text: string): string {
  return pyStrip(foldChars(text)).replace(SPACE_RUN, ' ');
}
