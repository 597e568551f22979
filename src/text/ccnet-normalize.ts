/**
 * cc_net's text normalisations (cc_net/text_normalizer.py), with Python's string semantics:
 *
 * `ccnetNormalize` is cc_net's `normalize(line, accent=True, case=True, numbers=True, punct=1)`: the
 * perplexity step scores `normalize(text)` and `corpusmill lm train` trains on the same form, so a
 * model and the documents it scores always see identical text. In order: `strip()`, `lower()`,
 * accent stripping (NFD, drop category Mn), every Unicode decimal digit to `0`, the UNICODE_PUNCT
 * table, and removal of the control characters U+0000–001F and U+007F–009F.
 * QUIRK (cc_net): the last step removes '\n' and '\t' too, so a multi-line document becomes one
 * line with the lines glued together. Kept for parity (see perplexity.ts `split_lines` to fix).
 *
 * `normalizeForDedup` is cc_net's `normalize_for_dedup(line)` (the key of the line dedup): strip,
 * lower-case, every Unicode decimal digit to `0`, then delete the characters of UNICODE_PUNCT and
 * the same C0/C1 controls. No accent stripping.
 *
 * Python vs JavaScript:
 * - `str.strip()` is `pyStrip` (python.ts), not JS `trim()`.
 * - `str.lower()` and JS `toLowerCase()` both apply the full Unicode mapping (İ → i̇, final sigma);
 *   they can differ only where the Unicode versions differ (Python 3.11: 14.0, Node 20: 15+).
 * - Python `\d` on str patterns is Unicode category Nd: `\p{Nd}` with the `u` flag.
 */
import { pyStrip } from './python.js';

/** cc_net text_normalizer.UNICODE_PUNCT: full-width and typographic punctuation to ASCII. */
export const UNICODE_PUNCT: Readonly<Record<string, string>> = {
  '，': ',',
  '。': '.',
  '、': ',',
  '„': '"',
  '”': '"',
  '“': '"',
  '«': '"',
  '»': '"',
  '１': '"',
  '」': '"',
  '「': '"',
  '《': '"',
  '》': '"',
  '´': "'",
  '∶': ':',
  '：': ':',
  '？': '?',
  '！': '!',
  '（': '(',
  '）': ')',
  '；': ';',
  '–': '-',
  '—': ' - ',
  '．': '. ',
  '～': '~',
  '’': "'",
  '…': '...',
  '━': '-',
  '〈': '<',
  '〉': '>',
  '【': '[',
  '】': ']',
  '％': '%',
  '►': '-',
};

const PUNCT_RE = new RegExp(`[${Object.keys(UNICODE_PUNCT).join('')}]`, 'gu');
/** cc_net NON_PRINTING_CHARS_RE: chr(0..31) and chr(127..159). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: cc_net removes exactly these control characters
const NON_PRINTING_RE = /[\u0000-\u001f\u007f-\u009f]/g;
/** Python's `\d` on str patterns: any Unicode decimal digit (category Nd). */
const DIGIT_RE = /\p{Nd}/gu;
const MARK_RE = /\p{Mn}/gu;
const PUNCT_OR_CONTROL_RE = new RegExp(`[${Object.keys(UNICODE_PUNCT).join('')}\\x00-\\x1f\\x7f-\\x9f]`, 'g');
/** Any UTF-16 unit above ASCII. */
const NON_ASCII = /[\u0080-\uffff]/;
const NON_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const ASCII_DIGIT_RE = /[0-9]/g;

/** cc_net `strip_accents`: NFD, then drop nonspacing marks (category Mn). */
export function stripAccents(s: string): string {
  return s.normalize('NFD').replace(MARK_RE, '');
}

/** cc_net `replace_unicode_punct`: UNICODE_PUNCT applied. */
export function replaceUnicodePunct(s: string): string {
  return s.replace(PUNCT_RE, (c) => UNICODE_PUNCT[c]!);
}

/** cc_net `remove_non_printing_char`: U+0000–001F and U+007F–009F deleted. */
export function removeNonPrintingChars(s: string): string {
  return s.replace(NON_PRINTING_RE, '');
}

/** cc_net `normalize(line, accent=True, case=True, numbers=True, punct=1)`. */
export function ccnetNormalize(text: string): string {
  let s = pyStrip(text);
  if (s.length === 0) return s;
  // ASCII text has no accents, no non-ASCII digits and none of UNICODE_PUNCT: skip those passes.
  if (!NON_ASCII.test(s)) return removeNonPrintingChars(s.toLowerCase().replace(ASCII_DIGIT_RE, '0'));
  s = s.toLowerCase();
  s = stripAccents(s);
  s = s.replace(DIGIT_RE, '0');
  s = replaceUnicodePunct(s);
  return removeNonPrintingChars(s);
}

/** cc_net `normalize_for_dedup(line)`. */
export function normalizeForDedup(line: string): string {
  if (!NON_PRINTABLE_ASCII.test(line)) {
    // Printable ASCII: the only whitespace is ' ', and there is no punctuation or control to delete.
    let s = line.trim().toLowerCase();
    if (/[0-9]/.test(s)) s = s.replace(ASCII_DIGIT_RE, '0');
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
