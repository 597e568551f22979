/**
 * Python 3 string semantics the RedPajama-V2 signals depend on, in JavaScript: which code points
 * are whitespace (`str.isspace`, `re` `\s`), word characters (`re` `\w`), upper / lower / title case
 * (`str.isupper`, `str.islower`, `str.istitle`) and numeric (`str.isnumeric`); code-point lengths
 * (`len()`), `strip()` and `round(x, 8)`.
 *
 * Facts checked against CPython 3.11 (Unicode 14) over all 0x110000 code points:
 * - `\w` == `[\p{L}\p{N}_]` exactly.
 * - `isupper(ch)` == `\p{Uppercase}`; `islower(ch)` == `\p{Lowercase}` (up to newer Unicode versions).
 * - `isnumeric(ch)` == `\p{N}` plus the 81 CJK ideographs with a Unicode numeric value (NUMERIC_IDEOGRAPHS).
 * - whitespace: PY_SPACE below; it differs from JavaScript's `\s` (U+001C–U+001F and U+0085 are Python
 *   whitespace, U+FEFF is not).
 * Lookups for the BMP go through one table built at load time; astral code points fall back to regexes.
 */

/** Python whitespace (`str.isspace()`), as a regex character-class body. */
export const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Code points that are not in category N but have a Unicode numeric value (Python `isnumeric()` is true). */
const NUMERIC_IDEOGRAPHS = [
  0x3405, 0x3483, 0x382a, 0x3b4d, 0x4e00, 0x4e03, 0x4e07, 0x4e09, 0x4e5d, 0x4e8c, 0x4e94, 0x4e96, 0x4ebf, 0x4ec0,
  0x4edf, 0x4ee8, 0x4f0d, 0x4f70, 0x5104, 0x5146, 0x5169, 0x516b, 0x516d, 0x5341, 0x5343, 0x5344, 0x5345, 0x534c,
  0x53c1, 0x53c2, 0x53c3, 0x53c4, 0x56db, 0x58f1, 0x58f9, 0x5e7a, 0x5efe, 0x5eff, 0x5f0c, 0x5f0d, 0x5f0e, 0x5f10,
  0x62fe, 0x634c, 0x67d2, 0x6f06, 0x7396, 0x767e, 0x8086, 0x842c, 0x8cae, 0x8cb3, 0x8d30, 0x9621, 0x9646, 0x964c,
  0x9678, 0x96f6, 0xf96b, 0xf973, 0xf978, 0xf9b2, 0xf9d1, 0xf9d3, 0xf9fd, 0x20001, 0x20064, 0x200e2, 0x20121,
  0x2092a, 0x20983, 0x2098c, 0x2099c, 0x20aea, 0x20afd, 0x20b19, 0x22390, 0x22998, 0x23b1b, 0x2626d,
];
const NUMERIC_SET = new Set(NUMERIC_IDEOGRAPHS);

export const WORD = 1;
export const UPPER = 2;
/** Lower case or title case: either makes `str.isupper()` false for a whole word. */
export const LOWER_OR_TITLE = 4;
export const NUMERIC = 8;
export const SPACE = 16;
/** NFD may change the text here: the character decomposes, or is a mark that canonical ordering may move. */
export const NFD_SENSITIVE = 32;

const RE_WORD = /[\p{L}\p{N}_]/u;
const RE_UPPER = /\p{Uppercase}/u;
const RE_LOWER_TITLE = /[\p{Lowercase}\p{Lt}]/u;
const RE_NUMERIC = /\p{N}/u;
const RE_SPACE = new RegExp(`[${PY_SPACE}]`, 'u');
const RE_MARK = /\p{M}/u;

function classify(cp: number): number {
  const c = String.fromCodePoint(cp);
  let f = 0;
  if (RE_WORD.test(c)) f |= WORD;
  if (RE_UPPER.test(c)) f |= UPPER;
  if (RE_LOWER_TITLE.test(c)) f |= LOWER_OR_TITLE;
  if (RE_NUMERIC.test(c) || NUMERIC_SET.has(cp)) f |= NUMERIC;
  if (RE_SPACE.test(c)) f |= SPACE;
  if (RE_MARK.test(c) || c.normalize('NFD') !== c) f |= NFD_SENSITIVE;
  return f;
}

/** Class bits of every BMP code point (surrogates 0), for hot loops. */
export const BMP = new Uint8Array(0x10000);
for (let cp = 0; cp < 0x10000; cp++) BMP[cp] = cp >= 0xd800 && cp <= 0xdfff ? 0 : classify(cp);

/** True when `s.normalize('NFD')` could differ from `s` (astral text is always normalized). */
export function needsNfd(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xc0) continue;
    if (c >= 0xd800 && c <= 0xdfff) return true;
    if (BMP[c]! & NFD_SENSITIVE) return true;
  }
  return false;
}

/** Class bits of one code point. */
export function charClass(cp: number): number {
  return cp < 0x10000 ? BMP[cp]! : classify(cp);
}

/** True when the string holds a surrogate pair, i.e. UTF-16 length differs from Python's len(). */
export function hasAstral(s: string): boolean {
  return /[\ud800-\udbff]/.test(s);
}

/** Python `len()`: code points. */
export function cpLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}

function isSpaceAt(s: string, i: number): boolean {
  return (BMP[s.charCodeAt(i)]! & SPACE) !== 0; // all Python whitespace is in the BMP
}

/** Python `str.strip()` (no argument). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceAt(s, a)) a++;
  while (b > a && isSpaceAt(s, b - 1)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index one past the last non-whitespace character (Python `rstrip()` end). */
export function rstripEnd(s: string, start: number, end: number): number {
  while (end > start && isSpaceAt(s, end - 1)) end--;
  return end;
}

/** Index of the first non-whitespace character (Python `lstrip()` start). */
export function lstripStart(s: string, start: number, end: number): number {
  while (start < end && isSpaceAt(s, start)) start++;
  return start;
}

/**
 * Python `round(x, 8)`: the correctly rounded decimal, ties to even on the exact binary value.
 * `toFixed` rounds ties up, so exact ties (dyadic values like 1/512) are detected and fixed.
 */
export function pyRound8(x: number): number {
  if (!Number.isFinite(x)) return x;
  // Fast path: away from a decimal half-way point, rounding x·1e8 gives the same 8 digits, and the
  // division below is the double nearest that decimal, like float(repr). Valid while ulp(x·1e8) ≪ 1e-4.
  const y = x * 1e8;
  const fl = Math.floor(y);
  if (Math.abs(x) < 1000 && Math.abs(y - fl - 0.5) > 1e-4) return (y - fl < 0.5 ? fl : fl + 1) / 1e8;
  const fixed = x.toFixed(8);
  if (Math.abs(x) >= 1e12) return Number(fixed);
  const long = Math.abs(x).toFixed(30);
  const dot = long.indexOf('.');
  const tail = long.slice(dot + 9);
  if (!/^50*$/.test(tail)) return Number(fixed);
  // An exact tie: keep the truncated value when its last digit is even, else step away from zero.
  const truncated = long.slice(0, dot + 9);
  const lastDigit = truncated.charCodeAt(truncated.length - 1) - 48;
  let v = Number(truncated);
  if (lastDigit % 2 === 1) v = Number((v + 1e-8).toFixed(8));
  return x < 0 ? -v : v;
}
