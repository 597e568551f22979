/**
 * Per-code-point Python character classes as bit flags, for hot loops that must not build strings:
 * `re` `\w` (WORD), `str.isupper()` (UPPER), lower or title case (LOWER_OR_TITLE), `str.isnumeric()`
 * (NUMERIC), `str.isspace()` (SPACE), and whether NFD may change the text (NFD_SENSITIVE).
 *
 * Facts checked against CPython 3.11 (Unicode 14) over all 0x110000 code points:
 * - `\w` == `[\p{L}\p{N}_]` exactly (PY_WORD_CLASS in python.ts).
 * - `isupper(ch)` == `\p{Uppercase}`; `islower(ch)` == `\p{Lowercase}` (up to newer Unicode versions).
 * - `isnumeric(ch)` == `\p{N}` plus the 81 CJK ideographs with a Unicode numeric value (NUMERIC_IDEOGRAPHS).
 * - whitespace is `isPySpace` (python.ts).
 * The BMP goes through one table built at load time (~65K regex tests, once); astral code points
 * are classified on demand. Surrogates (lone ones included) have no class: Python puts them in
 * category Cs, which is none of these. Loops read a code point with `codePointAt(i)`, which gives a
 * lone surrogate as itself, and advance by `cp > 0xffff ? 2 : 1`, as Python indexes.
 */
import { isPySpace, PY_WORD_CLASS } from './python.js';

/** Code points that are not in category N but have a Unicode numeric value (Python `isnumeric()` is true). */
const NUMERIC_IDEOGRAPHS = [
  0x3405, 0x3483, 0x382a, 0x3b4d, 0x4e00, 0x4e03, 0x4e07, 0x4e09, 0x4e5d, 0x4e8c, 0x4e94, 0x4e96, 0x4ebf, 0x4ec0, 0x4edf, 0x4ee8, 0x4f0d, 0x4f70, 0x5104, 0x5146, 0x5169, 0x516b,
  0x516d, 0x5341, 0x5343, 0x5344, 0x5345, 0x534c, 0x53c1, 0x53c2, 0x53c3, 0x53c4, 0x56db, 0x58f1, 0x58f9, 0x5e7a, 0x5efe, 0x5eff, 0x5f0c, 0x5f0d, 0x5f0e, 0x5f10, 0x62fe, 0x634c,
  0x67d2, 0x6f06, 0x7396, 0x767e, 0x8086, 0x842c, 0x8cae, 0x8cb3, 0x8d30, 0x9621, 0x9646, 0x964c, 0x9678, 0x96f6, 0xf96b, 0xf973, 0xf978, 0xf9b2, 0xf9d1, 0xf9d3, 0xf9fd, 0x20001,
  0x20064, 0x200e2, 0x20121, 0x2092a, 0x20983, 0x2098c, 0x2099c, 0x20aea, 0x20afd, 0x20b19, 0x22390, 0x22998, 0x23b1b, 0x2626d,
];
const NUMERIC_SET = new Set(NUMERIC_IDEOGRAPHS);

export const WORD = 1;
export const UPPER = 2;
/** Lower case or title case: either makes `str.isupper()` false for a whole word. */
export const LOWER_OR_TITLE = 4;
export const NUMERIC = 8;
export const SPACE = 16;
/** NFD may change the text here: the character decomposes, or is a mark that canonical ordering may move. */
const NFD_SENSITIVE = 32;

const RE_WORD = new RegExp(`[${PY_WORD_CLASS}]`, 'u');
const RE_UPPER = /\p{Uppercase}/u;
const RE_LOWER_TITLE = /[\p{Lowercase}\p{Lt}]/u;
const RE_NUMERIC = /\p{N}/u;
const RE_MARK = /\p{M}/u;

function classify(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  const c = String.fromCodePoint(cp);
  let f = 0;
  if (RE_WORD.test(c)) f |= WORD;
  if (RE_UPPER.test(c)) f |= UPPER;
  if (RE_LOWER_TITLE.test(c)) f |= LOWER_OR_TITLE;
  if (RE_NUMERIC.test(c) || NUMERIC_SET.has(cp)) f |= NUMERIC;
  if (isPySpace(cp)) f |= SPACE;
  if (RE_MARK.test(c) || c.normalize('NFD') !== c) f |= NFD_SENSITIVE;
  return f;
}

/** Class bits of every BMP code point (surrogates 0), indexed by UTF-16 unit. */
export const BMP = new Uint8Array(0x10000);
for (let cp = 0; cp < 0x10000; cp++) BMP[cp] = classify(cp);

/** Class bits of one code point. */
export function charClass(cp: number): number {
  return cp < 0x10000 ? BMP[cp]! : classify(cp);
}

/** True when `s.normalize('NFD')` could differ from `s` (astral text is always checked by NFD). */
export function needsNfd(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xc0) continue;
    if (c >= 0xd800 && c <= 0xdfff) return true;
    if (BMP[c]! & NFD_SENSITIVE) return true;
  }
  return false;
}
