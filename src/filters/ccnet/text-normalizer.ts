/**
 * cc_net's text normalisation (cc_net/text_normalizer.py), used before the language model: the
 * perplexity step scores `normalize(text)` and `corpusmill lm train` trains on the same form, so a
 * model and the documents it scores always see identical text.
 *
 * `normalize` does, in order: Python `strip()`, `lower()`, accent stripping (NFD, drop category
 * Mn), every Unicode decimal digit to `0`, the UNICODE_PUNCT table, and removal of the control
 * characters U+0000–U+001F and U+007F–U+009F.
 * QUIRK (cc_net): the last step removes '\n' and '\t' too, so a multi-line document becomes one
 * line with the lines glued together. Kept for parity (see perplexity.ts `split_lines` to fix).
 * The table is exported for cc_net's line-dedup normaliser (`normalize_for_dedup`), which removes
 * the same characters instead of mapping them.
 */

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
const NON_PRINTING_RE = /[\u0000-\u001f\u007f-\u009f]/g;
/** Python's `\d` on str patterns: any Unicode decimal digit (category Nd). */
const DIGIT_RE = /\p{Nd}/gu;
const MARK_RE = /\p{Mn}/gu;
/** Characters Python's str.strip() removes (str.isspace()), which differ from JS trim() (no BOM, plus U+001C–U+001F, U+0085). */
const PY_SPACE = '\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

export function pythonStrip(s: string): string {
  return s.replace(PY_STRIP_RE, '');
}

export function stripAccents(s: string): string {
  return s.normalize('NFD').replace(MARK_RE, '');
}

export function replaceUnicodePunct(s: string): string {
  return s.replace(PUNCT_RE, (c) => UNICODE_PUNCT[c]!);
}

export function removeNonPrintingChars(s: string): string {
  return s.replace(NON_PRINTING_RE, '');
}

const NON_ASCII = /[^\u0000-\u007f]/;
const ASCII_DIGIT_RE = /[0-9]/g;

/** cc_net `normalize(line, accent=True, case=True, numbers=True, punct=1)`. */
export function ccnetNormalize(text: string): string {
  let s = pythonStrip(text);
  if (s.length === 0) return s;
  // ASCII text has no accents, no non-ASCII digits and none of UNICODE_PUNCT: skip those passes.
  if (!NON_ASCII.test(s)) return removeNonPrintingChars(s.toLowerCase().replace(ASCII_DIGIT_RE, '0'));
  s = s.toLowerCase();
  s = stripAccents(s);
  s = s.replace(DIGIT_RE, '0');
  s = replaceUnicodePunct(s);
  return removeNonPrintingChars(s);
}
