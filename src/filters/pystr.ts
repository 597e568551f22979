/**
 * Python string semantics the reference recipes rely on, reproduced once (recipe §14):
 * `str.strip()`, `str.split()`, `str.splitlines()` and `len()`.
 *
 * - Python whitespace (`str.isspace()`) includes U+001C–001F and U+0085 and excludes U+FEFF;
 *   JavaScript's `\s` / `trim()` is the other way round.
 * - `splitlines()` also breaks at `\v`, `\f`, U+001C–001E, U+0085, U+2028 and U+2029.
 * - `len()` counts code points, JavaScript `.length` UTF-16 units.
 */

/** The characters Python's `str.isspace()` accepts, as a regex class body. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP_RE = new RegExp(`^[${PY_SPACE_CLASS}]+|[${PY_SPACE_CLASS}]+$`, 'g');
const SPLIT_RE = new RegExp(`[${PY_SPACE_CLASS}]+`);
const SPLITLINES_RE = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** True for a UTF-16 unit that Python's `str.isspace()` accepts. */
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** `s.strip()`. */
export function pyStrip(s: string): string {
  // Most lines have no space at either end: skip the regex for them.
  if (s.length === 0 || (!isPySpace(s.charCodeAt(0)) && !isPySpace(s.charCodeAt(s.length - 1)))) return s;
  return s.replace(STRIP_RE, '');
}

/** `s.split()` (no argument): whitespace runs separate, no empty fields. */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t.length === 0 ? [] : t.split(SPLIT_RE);
}

/** `s.splitlines()`: no trailing empty field for a final line break. */
export function pySplitlines(s: string): string[] {
  if (s.length === 0) return [];
  const parts = s.split(SPLITLINES_RE);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** `len(s)`: code points. */
export function pyLen(s: string): number {
  return /[\ud800-\udfff]/.test(s) ? [...s].length : s.length;
}
