/**
 * Tricky strings for the text layer and Python's answers for them (python_reference.py run by
 * Debian's /usr/bin/python3): expected values always come from Python, never from src/text.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, 'python_reference.py');

/** Every Python whitespace character, in code point order. */
export const PY_WHITESPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Strings where JavaScript and Python disagree unless the text layer gets it right. */
export const TRICKY: string[] = [
  '',
  ' ',
  PY_WHITESPACE,
  `${PY_WHITESPACE}word${PY_WHITESPACE}`,
  ...[...PY_WHITESPACE].map((c) => `a${c}b${c}`),
  ...[...PY_WHITESPACE].map((c) => `${c}x y${c}`),
  // Not whitespace in Python (some are in JavaScript's \s or look blank): ZWSP, ZWNJ, ZWJ, WJ, BOM, MVS.
  '\u200bzero\u200cwidth\u200djoin\u2060wj\ufeffbom\u180emvs',
  '\ufeff  BOM first, spaces after',
  '  \u200b  ',
  // Line breaks: \r\n is one break, \x1c-\x1e and \x85 break lines, \x1f does not.
  'one\r\ntwo\rthree\nfour\vfive\fsix\x1cseven\x1deight\x1enine\x1fstill nine\x85ten\u2028eleven\u2029twelve',
  'ends with break\r\n',
  'ends with two\n\n',
  '\n\nleading breaks',
  '\r\n',
  '\r',
  'a\r\rb',
  // Astral characters: emoji, mathematical letters and digits, Gothic, CJK extension B numerals.
  'Emoji 😀🦙 and 𝐀𝐁𝐂 bold 𝟘𝟙𝟚 digits 𐍈 gothic 𠀁 numeral',
  '😀',
  '😀\n𝐀x\n',
  // Lone surrogates (JSON allows them): each is one code point in Python.
  'a\ud800b',
  '\udc00x y',
  'end\ud83d',
  '\ud83d\ud83d\ude00 high high low',
  'x\ude00\ud83d y',
  // Combining marks and canonical reordering, precomposed vs decomposed, Hangul.
  'Café naïve résumé coöperate e\u0301 a\u0308\u0323 q\u0323\u0307 한국어',
  '\u0301leading mark',
  // Case: final sigma, dotted I, sharp s, title-case digraphs, all caps words.
  'ΟΔΟΣ ΑΣ. ΣΑΣ İstanbul ß STRASSE ǅemo Ǆ ǆ ABC ABC1 A-B ΑΒΓ',
  // Numbers: Arabic-Indic, Roman, fractions, circled, full-width, CJK numerals.
  'Numbers ٣٤٥ Ⅻ ½ ① １２３ 一二三 ۱۲ ๓',
  // ASCII punctuation and cc_net's UNICODE_PUNCT table.
  'Punct !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ end',
  '，。、„”“«»１」「《》´∶：？！（）；–—．～’…━〈〉【】％►',
  "Don't — “quote” … ‘single’ ¿qué? ¡sí!",
  // Control characters (C0, DEL, C1).
  'ctl\x00\x07\x08\x1b\x7f\x80\x9f end',
  '\t\ttabs\tinside\t',
  'Mixed 123 ABC def ٣ ΣΑΣ\n  indented line  \n\nlast',
];

export interface StringFacts {
  strip: string;
  lstrip: string;
  rstrip: string;
  split: string[];
  splitlines: string[];
  len: number;
  utf16_len: number;
  nl_piece_lens: number[];
  nfd_same: boolean;
  ccnet: string;
  ccnet_dedup: string;
  rpv2: string;
  rpv2_words: string[];
  rpv2_word_lens: number[];
  raw_lines: [number, number][];
  line_upper: number[];
  line_words: number[];
  raw_word_count: number;
  raw_word_allcaps: number;
}

/** Python's facts about each string. */
export function pythonStrings(texts: string[]): StringFacts[] {
  const out = execFileSync('/usr/bin/python3', [SCRIPT, 'strings'], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out) as StringFacts[];
}

export type Ranges = [number, number][];
export interface ClassFacts {
  unidata_version: string;
  assigned: Ranges;
  space: Ranges;
  re_space: Ranges;
  word: Ranges;
  upper: Ranges;
  lower_or_title: Ranges;
  numeric: Ranges;
  linebreak: Ranges;
}

/** Python's character classes over all code points, as [start, end) ranges. */
export function pythonClasses(): ClassFacts {
  const out = execFileSync('/usr/bin/python3', [SCRIPT, 'classes'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out) as ClassFacts;
}

/** Membership table over all 0x110000 code points from ranges. */
export function table(ranges: Ranges): Uint8Array {
  const t = new Uint8Array(0x110000);
  for (const [a, b] of ranges) t.fill(1, a, b);
  return t;
}
