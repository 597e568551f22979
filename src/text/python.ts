/**
 * Python 3 `str` semantics the reference recipes rely on, written once for the whole code base:
 * whitespace (`str.isspace()`, `re` `\s`), `strip()` / `lstrip()` / `rstrip()`, `split()`,
 * `splitlines()`, `len()` and `re`'s Unicode `\w`.
 *
 * Where JavaScript differs (checked against CPython 3.11, Unicode 14, over all code points):
 * - Python whitespace includes U+001C–001F and U+0085 and excludes U+FEFF; JavaScript's `\s` and
 *   `trim()` are the other way round. `re`'s `\s` on str patterns is exactly `str.isspace()`.
 * - `splitlines()` breaks at `\n`, `\r\n`, `\r`, `\v`, `\f`, U+001C–001E, U+0085, U+2028, U+2029.
 * - `len()` counts code points; JavaScript `.length` counts UTF-16 units. A lone surrogate (JSON
 *   allows `"\ud800"`) is one code point in Python, and one unit here.
 * - `re` `\w` on str patterns is `[\p{L}\p{N}_]` exactly.
 * Every Python whitespace character is in the BMP, so testing one UTF-16 unit is exact.
 */

/** The characters of `str.isspace()`, as a regex character-class body. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python `re` `\w` (str patterns), as a character-class body for a regex with the `u` flag. */
export const PY_WORD_CLASS = '\\p{L}\\p{N}_';
/** One `str.splitlines()` line boundary. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: splitlines() also breaks at the separators U+001C-001E
export const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

const SPLIT_RE = new RegExp(`[${PY_SPACE_CLASS}]+`);
const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/;
const HIGH_SURROGATE = /[\ud800-\udbff]/;

/** `chr(c).isspace()` for a UTF-16 unit or code point `c`. */
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Start of `s[start:end].lstrip()`: the first index in [start, end) that is not whitespace, or `end`. */
export function lstripStart(s: string, start = 0, end = s.length): number {
  while (start < end && isPySpace(s.charCodeAt(start))) start++;
  return start;
}

/** End of `s[start:end].rstrip()`: one past the last index in [start, end) that is not whitespace, or `start`. */
export function rstripEnd(s: string, start = 0, end = s.length): number {
  while (end > start && isPySpace(s.charCodeAt(end - 1))) end--;
  return end;
}

/** `s.strip()` (no argument). Returns `s` itself when nothing is stripped. */
export function pyStrip(s: string): string {
  const a = lstripStart(s);
  const b = rstripEnd(s, a);
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** `s.lstrip()` (no argument). */
export function pyLstrip(s: string): string {
  const a = lstripStart(s);
  return a === 0 ? s : s.slice(a);
}

/** `s.rstrip()` (no argument). */
export function pyRstrip(s: string): string {
  const b = rstripEnd(s);
  return b === s.length ? s : s.slice(0, b);
}

/** `s.split()` (no argument): whitespace runs separate, no empty fields. */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t.length === 0 ? [] : t.split(SPLIT_RE);
}

/** `len(s.split())` without building the list. */
export function pySplitCount(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    if (isPySpace(s.charCodeAt(i))) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

/** `s.splitlines()`: line breaks dropped, no trailing empty field for a final break. */
export function pySplitlines(s: string): string[] {
  if (s.length === 0) return [];
  const parts = s.split(PY_LINE_BREAK);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** True when `s` holds a surrogate pair, i.e. when `s.length` differs from Python's `len(s)`. */
export function hasSurrogatePair(s: string): boolean {
  return SURROGATE_PAIR.test(s);
}

/** `len(s[start:end])` in code points, for UTF-16 indices: a high surrogate followed by a low one counts once. */
export function pyLen(s: string, start = 0, end = s.length): number {
  // Whole strings without surrogates (most text) are answered by one native regex scan.
  if (start === 0 && end === s.length && !HIGH_SURROGATE.test(s)) return end;
  let n = end - start;
  for (let i = start; i < end - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}
