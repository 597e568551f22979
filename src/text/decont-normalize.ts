/**
 * The word view that benchmark decontamination compares: datatrove's `simplify_text` (utils/text.py,
 * TextNormConfig defaults) followed by a whitespace split, so the same passage matches however a web
 * page cased, punctuated, accented or spaced it.
 *
 * In order: lower-case; Unicode NFD with combining marks (category Mn) removed, i.e. diacritics
 * dropped; punctuation and symbols (Unicode P* and S*: datatrove's PUNCTUATION list is a subset)
 * deleted; every run of decimal digits (Nd) replaced by `0` (digits separated only by deleted
 * characters are one run: `1,000` becomes `0`, as deleting first and replacing after does); split on
 * Python whitespace and control characters (which datatrove's list deletes). GPT-3 (Brown et al. 2020,
 * appendix C) and the lm-evaluation-harness janitor compare words the same way (lower-case,
 * punctuation ignored). Differences from datatrove, on purpose: words are split on whitespace rather
 * than by NLTK's Treebank tokenizer (which would also split `cannot` into `can not`), and every
 * Unicode symbol goes, not only the ones in datatrove's list.
 *
 * One pass over the text with a per-code-unit class table (built on first use from the Unicode
 * property escapes, 64 KiB): three Unicode-property regex replacements cost four times as much.
 */
import { isPySpace } from './python.js';

const KEEP = 0;
const DELETE = 1;
const DIGIT = 2;
const SPACE = 3;

let table: Uint8Array | undefined;
const astral = new Map<number, number>();

const DELETED = /^[\p{Mn}\p{P}\p{S}]$/u;
const DIGITS = /^\p{Nd}$/u;

function classOf(ch: string, cp: number): number {
  if (isPySpace(cp) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return SPACE;
  if (DELETED.test(ch)) return DELETE;
  if (DIGITS.test(ch)) return DIGIT;
  return KEEP;
}

function bmpTable(): Uint8Array {
  if (!table) {
    table = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) table[c] = c >= 0xd800 && c <= 0xdfff ? KEEP : classOf(String.fromCharCode(c), c);
  }
  return table;
}

/** The normalised words of `text` (no empty strings). */
export function decontWords(text: string): string[] {
  const t = bmpTable();
  const s = text.toLowerCase().normalize('NFD');
  const words: string[] = [];
  let word = '';
  // Start of the pending run of kept characters, and whether the word's last kept unit is a digit run.
  let run = -1;
  let digits = false;
  const flush = (end: number) => {
    if (run >= 0) word += s.slice(run, end);
    run = -1;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let cls: number;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        cls = astral.get(cp) ?? classOf(String.fromCodePoint(cp), cp);
        astral.set(cp, cls);
        width = 2;
      } else cls = KEEP;
    } else cls = t[c]!;
    if (cls === KEEP) {
      if (run < 0) run = i;
      digits = false;
    } else {
      flush(i);
      if (cls === DIGIT) {
        if (!digits) word += '0';
        digits = true;
      } else if (cls === SPACE) {
        if (word) words.push(word);
        word = '';
        digits = false;
      }
    }
    i += width - 1;
  }
  flush(s.length);
  if (word) words.push(word);
  return words;
}
