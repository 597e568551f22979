/**
 * The views of a document that the RedPajama-V2 signals read (RPv2 `core/document.py`), computed
 * once per document and shared by every signal:
 * - raw lines: regex `([^\n]*\n|[^\n]+$)` over the raw text, each keeping its `\n`, empty lines kept;
 * - normalized lines: each raw line through `normalize()`;
 * - normalized words: `normalize(text).split()`, built from the normalized lines (the same list:
 *   normalisation never joins or splits across a newline, see joinsLikeWholeText in the tests);
 * - raw words: NLTK WordPunctTokenizer, i.e. regex `\w+|[^\w\s]+` with Python's Unicode classes;
 * - word ids: normalized words interned to integers so n-gram signals hash integers, not strings.
 * Offsets in spans are Python string indices (code points), as RPv2 stores them.
 */
import { charClass, cpLength, hasAstral, LOWER_OR_TITLE, PY_SPACE, pyStrip, UPPER } from './pychars.js';

/** Python `string.punctuation`: the 32 ASCII punctuation characters. */
const ASCII_PUNCT = /[!-/:-@[-`{-~]+/g;
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'g');
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * RPv2 `normalize()` (utilities/text/normalization.py): delete ASCII punctuation, lower-case,
 * strip, collapse whitespace runs to one space, then Unicode NFD.
 */
export function normalize(text: string): string {
  let t = text.replace(ASCII_PUNCT, '').toLowerCase();
  t = pyStrip(t).replace(SPACE_RUN, ' ');
  return NON_ASCII.test(t) ? t.normalize('NFD') : t;
}

const RAW_WORD = new RegExp(`[\\p{L}\\p{N}_]+|[^\\p{L}\\p{N}_${PY_SPACE}]+`, 'gu');

export interface RawWordStats {
  count: number;
  /** Words containing an ASCII letter `[a-zA-Z]`. */
  withAsciiAlpha: number;
  /** Words for which Python `str.isupper()` is true. */
  allCaps: number;
  /** Words found (case-sensitively) in the stop-word set. */
  stopWords: number;
}

function isAllCaps(w: string): boolean {
  let cased = false;
  for (let i = 0; i < w.length; i++) {
    let cp = w.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < w.length) cp = w.codePointAt(i++)!;
    const f = charClass(cp);
    if (f & LOWER_OR_TITLE) return false;
    if (f & UPPER) cased = true;
  }
  return cased;
}

function hasAsciiAlpha(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) return true;
  }
  return false;
}

export class TextViews {
  readonly raw: string;
  /** True when the text has astral characters, so UTF-16 offsets differ from Python's. */
  readonly astral: boolean;
  /** Python len() of the raw text. */
  readonly length: number;
  /** Raw lines as UTF-16 [start, end) pairs; `lineCp*` are the same in code points. */
  readonly lineStart: number[] = [];
  readonly lineEnd: number[] = [];
  readonly lineCpStart: number[];
  readonly lineCpEnd: number[];
  readonly normLines: string[] = [];
  readonly words: string[] = [];
  private _ids?: Int32Array;
  private _lens?: Int32Array;
  private _distinct = 0;
  private _normContent?: string;
  private _rawWords?: RawWordStats;
  private _rawWordsStop?: ReadonlySet<string>;

  constructor(text: string) {
    this.raw = text;
    this.astral = hasAstral(text);
    this.length = this.astral ? cpLength(text) : text.length;
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl + 1;
      this.lineStart.push(pos);
      this.lineEnd.push(end);
      pos = end;
    }
    if (this.astral) {
      this.lineCpStart = [];
      this.lineCpEnd = [];
      let cp = 0;
      for (let i = 0; i < this.lineStart.length; i++) {
        this.lineCpStart.push(cp);
        cp += cpLength(text.slice(this.lineStart[i], this.lineEnd[i]));
        this.lineCpEnd.push(cp);
      }
    } else {
      this.lineCpStart = this.lineStart;
      this.lineCpEnd = this.lineEnd;
    }
    for (let i = 0; i < this.lineStart.length; i++) {
      const n = normalize(text.slice(this.lineStart[i], this.lineEnd[i]));
      this.normLines.push(n);
      if (n.length > 0) for (const w of n.split(' ')) this.words.push(w);
    }
  }

  get lineCount(): number {
    return this.lineStart.length;
  }

  rawLine(i: number): string {
    return this.raw.slice(this.lineStart[i], this.lineEnd[i]);
  }

  /** `normalize(raw)`: the normalized words joined by single spaces. */
  get normContent(): string {
    return (this._normContent ??= this.words.join(' '));
  }

  private intern(): void {
    const n = this.words.length;
    const ids = new Int32Array(n);
    const lens = new Int32Array(n);
    const table = new Map<string, number>();
    const astral = this.astral;
    for (let i = 0; i < n; i++) {
      const w = this.words[i]!;
      let id = table.get(w);
      if (id === undefined) {
        id = table.size;
        table.set(w, id);
      }
      ids[i] = id;
      lens[i] = astral ? cpLength(w) : w.length;
    }
    this._ids = ids;
    this._lens = lens;
    this._distinct = table.size;
  }

  /** Normalized words as integer ids (equal words, equal ids). */
  get wordIds(): Int32Array {
    if (!this._ids) this.intern();
    return this._ids!;
  }

  /** Python len() of each normalized word. */
  get wordLengths(): Int32Array {
    if (!this._lens) this.intern();
    return this._lens!;
  }

  get distinctWords(): number {
    if (!this._ids) this.intern();
    return this._distinct;
  }

  /** Counts over the raw (WordPunct) words; `stop` is the stop-word set of the document's language. */
  rawWords(stop: ReadonlySet<string>): RawWordStats {
    if (this._rawWords && this._rawWordsStop === stop) return this._rawWords;
    const s: RawWordStats = { count: 0, withAsciiAlpha: 0, allCaps: 0, stopWords: 0 };
    RAW_WORD.lastIndex = 0;
    for (let m = RAW_WORD.exec(this.raw); m !== null; m = RAW_WORD.exec(this.raw)) {
      const w = m[0];
      s.count++;
      if (hasAsciiAlpha(w)) s.withAsciiAlpha++;
      if (isAllCaps(w)) s.allCaps++;
      if (stop.has(w)) s.stopWords++;
    }
    this._rawWords = s;
    this._rawWordsStop = stop;
    return s;
  }
}
