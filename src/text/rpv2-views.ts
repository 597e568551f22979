/**
 * The views of a document that the RedPajama-V2 signals read (RPv2 `core/document.py`), computed
 * once per document in two linear scans and shared by every signal:
 * - raw lines: regex `([^\n]*\n|[^\n]+$)` over the raw text, each keeping its `\n`, empty lines kept;
 * - normalized lines `normalize(line)` and normalized words `normalize(text).split()`
 *   (rpv2-normalize.ts): RPv2 normalises each line on its own, but punctuation removal,
 *   lower-casing and NFD never cross a `\n` (it is not case-ignorable and has combining class 0),
 *   so one pass over the whole text gives every line's words, and the document's words are the
 *   lines' words in order (checked by a test);
 * - raw words: NLTK WordPunctTokenizer, i.e. regex `\w+|[^\w\s]+` with Python's Unicode classes;
 * - word ids: normalized words interned to integers so n-gram signals hash integers, not strings.
 * Offsets in spans are Python string indices (code points), as RPv2 stores them. Characters are
 * read as Python does: a surrogate pair is one code point, a lone surrogate is one of its own.
 */
import { BMP, charClass, LOWER_OR_TITLE, NUMERIC, SPACE, UPPER, WORD } from './char-classes.js';
import { hasSurrogatePair, pyLen, rstripEnd } from './python.js';
import { foldChars } from './rpv2-normalize.js';

export interface RawWordStats {
  count: number;
  /** Words containing an ASCII letter `[a-zA-Z]`. */
  withAsciiAlpha: number;
  /** Words for which Python `str.isupper()` is true. */
  allCaps: number;
  /** Words found (case-sensitively) in the stop-word set. */
  stopWords: number;
}

function sameChars(t: string, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (t.charCodeAt(a + k) !== t.charCodeAt(b + k)) return false;
  return true;
}

/** Per-word scratch shared by all views (copied out per document). */
const W = {
  start: new Int32Array(0),
  end: new Int32Array(0),
  id: new Int32Array(0),
  cps: new Int32Array(0),
  hash: new Int32Array(0),
  firstOf: new Int32Array(0),
  table: new Int32Array(0),
  tableBuf: new Int32Array(0),
  distinct: 0,
  reserve(n: number): void {
    if (this.start.length < n) {
      const m = Math.max(n, this.start.length * 2, 1024);
      this.start = new Int32Array(m);
      this.end = new Int32Array(m);
      this.id = new Int32Array(m);
      this.cps = new Int32Array(m);
      this.hash = new Int32Array(m);
      this.firstOf = new Int32Array(m);
    }
    let size = 1024;
    while (size < n * 2) size <<= 1;
    if (this.tableBuf.length < size) this.tableBuf = new Int32Array(size);
    this.table = this.tableBuf.subarray(0, size);
  },
};

export class TextViews {
  readonly raw: string;
  /** True when the text has a surrogate pair (an astral character), so UTF-16 offsets differ from Python's. */
  readonly astral: boolean;
  /** Python len() of the raw text. */
  readonly length: number;
  /** Raw lines as UTF-16 [start, end) pairs; `lineCp*` are the same in code points. */
  readonly lineStart: number[] = [];
  readonly lineEnd: number[] = [];
  readonly lineCpStart: number[];
  readonly lineCpEnd: number[];
  /** Per raw line: upper-case code points (raw); words, length, numeric chars and "javascript" words (normalized). */
  readonly lineUpper: number[] = [];
  readonly lineNormWords: number[] = [];
  readonly lineNormLength: number[] = [];
  readonly lineNumeric: number[] = [];
  readonly lineJavascript: number[] = [];
  /** Folded text (punctuation removed, lower-cased, NFD) whose runs between whitespace are the normalized words. */
  private readonly folded: string;
  /** Normalized word i is folded[wordStart[i], wordEnd[i]). */
  readonly wordStart: Int32Array;
  readonly wordEnd: Int32Array;
  readonly wordIds: Int32Array;
  /** Python len() of each normalized word. */
  readonly wordLengths: Int32Array;
  readonly distinctWords: number;
  private _words?: string[];
  private _rstrip?: Int32Array;
  private _normContent?: string;
  private _rawWords?: RawWordStats;
  private _rawWordsStop?: ReadonlySet<string>;

  constructor(text: string) {
    this.raw = text;
    this.astral = hasSurrogatePair(text);
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl + 1;
      this.lineStart.push(pos);
      this.lineEnd.push(end);
      pos = end;
    }
    this.scanRaw();
    if (this.astral) {
      this.lineCpStart = [];
      this.lineCpEnd = [];
      let cp = 0;
      for (let i = 0; i < this.lineStart.length; i++) {
        this.lineCpStart.push(cp);
        cp += pyLen(text, this.lineStart[i]!, this.lineEnd[i]!);
        this.lineCpEnd.push(cp);
      }
      this.length = cp;
    } else {
      this.lineCpStart = this.lineStart;
      this.lineCpEnd = this.lineEnd;
      this.length = text.length;
    }
    this.folded = foldChars(text);
    const n = this.scanNormalized(this.folded);
    this.wordStart = W.start.slice(0, n);
    this.wordEnd = W.end.slice(0, n);
    this.wordIds = W.id.slice(0, n);
    this.wordLengths = W.cps.slice(0, n);
    this.distinctWords = W.distinct;
  }

  /** Upper-case code points per raw line. */
  private scanRaw(): void {
    const s = this.raw;
    for (let l = 0; l < this.lineStart.length; l++) {
      let up = 0;
      for (let i = this.lineStart[l]!, e = this.lineEnd[l]!; i < e; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) {
          if (c >= 0x41 && c <= 0x5a) up++;
          continue;
        }
        if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) c = s.codePointAt(i++)!;
        if (charClass(c) & UPPER) up++;
      }
      this.lineUpper.push(up);
    }
  }

  /**
   * Splits the folded text on Python whitespace into words, interning each (hash table keyed by the
   * word's characters, no string built) and counting per-line statistics. Returns the word count.
   */
  private scanNormalized(t: string): number {
    const len = t.length;
    W.reserve((len >> 1) + 1);
    const table = W.table;
    const mask = table.length - 1;
    table.fill(-1);
    let nWords = 0;
    let distinct = 0;
    let words = 0;
    let chars = 0;
    let numeric = 0;
    let js = 0;
    let wordStart = -1;
    let wordCp = 0;
    let h = 0;
    for (let i = 0; i <= len; i++) {
      let c = i < len ? t.charCodeAt(i) : 10;
      const at = i;
      let f: number;
      if (i === len) f = SPACE;
      else if ((c & 0xfc00) === 0xd800 && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = t.codePointAt(i++)!;
        f = charClass(c);
      } else f = BMP[c]!;
      if ((f & SPACE) === 0) {
        if (wordStart === -1) {
          wordStart = at;
          h = 0x811c9dc5;
        }
        h = Math.imul(h ^ c, 0x01000193);
        wordCp++;
        if (f & NUMERIC) numeric++;
        continue;
      }
      if (wordStart !== -1) {
        // Intern folded[wordStart, at).
        const wlen = at - wordStart;
        let slot = (h ^ (h >>> 16)) & mask;
        let id = -1;
        for (;;) {
          const e = table[slot]!;
          if (e === -1) break;
          const s0 = W.start[W.firstOf[e]!]!;
          if (W.hash[e] === h && W.end[W.firstOf[e]!]! - s0 === wlen && sameChars(t, s0, wordStart, wlen)) {
            id = e;
            break;
          }
          slot = (slot + 1) & mask;
        }
        if (id === -1) {
          id = distinct++;
          table[slot] = id;
          W.hash[id] = h;
          W.firstOf[id] = nWords;
        }
        W.start[nWords] = wordStart;
        W.end[nWords] = at;
        W.id[nWords] = id;
        W.cps[nWords] = wordCp;
        nWords++;
        if (wordCp === 10 && t.startsWith('javascript', wordStart)) js++;
        words++;
        chars += wordCp;
        wordStart = -1;
        wordCp = 0;
      }
      if (c === 10 && (i < len || this.lineNormWords.length < this.lineStart.length)) {
        this.lineNormWords.push(words);
        this.lineNormLength.push(words === 0 ? 0 : chars + words - 1);
        this.lineNumeric.push(numeric);
        this.lineJavascript.push(js);
        words = chars = numeric = js = 0;
      }
    }
    W.distinct = distinct;
    return nWords;
  }

  /** The normalized words as strings (built on first use). */
  get words(): string[] {
    if (!this._words) {
      const w: string[] = new Array(this.wordStart.length);
      for (let i = 0; i < w.length; i++) w[i] = this.folded.slice(this.wordStart[i], this.wordEnd[i]);
      this._words = w;
    }
    return this._words;
  }

  get wordCount(): number {
    return this.wordIds.length;
  }

  /** True when the normalized text contains `s` (which has no whitespace). */
  foldedIncludes(s: string): boolean {
    return this.folded.includes(s);
  }

  /** True when normalized word i ends with `suffix` / starts with `prefix` (no string built). */
  wordEndsWith(i: number, suffix: string): boolean {
    const e = this.wordEnd[i]!;
    return e - this.wordStart[i]! >= suffix.length && this.folded.startsWith(suffix, e - suffix.length);
  }

  wordStartsWith(i: number, prefix: string): boolean {
    return this.wordEnd[i]! - this.wordStart[i]! >= prefix.length && this.folded.startsWith(prefix, this.wordStart[i]!);
  }

  /** Per raw line, the end of its text after Python `rstrip()` (computed once, shared by the line signals). */
  get lineRstripEnd(): Int32Array {
    if (!this._rstrip) {
      const a = new Int32Array(this.lineStart.length);
      for (let i = 0; i < a.length; i++) a[i] = rstripEnd(this.raw, this.lineStart[i]!, this.lineEnd[i]!);
      this._rstrip = a;
    }
    return this._rstrip;
  }

  get lineCount(): number {
    return this.lineStart.length;
  }

  /** `normalize(raw)`: the normalized words joined by single spaces. */
  get normContent(): string {
    this._normContent ??= this.words.join(' ');
    return this._normContent;
  }

  /** Counts over the raw (WordPunct) words; `stop` is the stop-word set of the document's language. */
  rawWords(stop: ReadonlySet<string>): RawWordStats {
    if (this._rawWords && this._rawWordsStop === stop) return this._rawWords;
    const st: RawWordStats = { count: 0, withAsciiAlpha: 0, allCaps: 0, stopWords: 0 };
    let maxStop = 0;
    for (const w of stop) maxStop = Math.max(maxStop, w.length);
    const s = this.raw;
    const len = s.length;
    // Token kinds: 1 = run of \w, 2 = run of [^\w\s]; whitespace separates.
    let kind = 0;
    let start = 0;
    let alpha = false;
    let upper = false;
    let lower = false;
    const close = (end: number) => {
      st.count++;
      if (alpha) st.withAsciiAlpha++;
      if (upper && !lower) st.allCaps++;
      if (end - start <= maxStop && stop.has(s.slice(start, end))) st.stopWords++;
    };
    for (let i = 0; i < len; i++) {
      const at = i;
      let c = s.charCodeAt(i);
      let f: number;
      if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = s.codePointAt(i++)!;
        f = charClass(c);
      } else f = BMP[c]!;
      const k = f & SPACE ? 0 : f & WORD ? 1 : 2;
      if (k !== kind) {
        if (kind !== 0) close(at);
        kind = k;
        start = at;
        alpha = upper = lower = false;
      }
      if (k === 0) continue;
      if (c < 0x80) {
        const lc = c | 0x20;
        if (lc >= 0x61 && lc <= 0x7a) {
          alpha = true;
          if (c === lc) lower = true;
          else upper = true;
        }
        continue;
      }
      if (f & UPPER) upper = true;
      if (f & LOWER_OR_TITLE) lower = true;
    }
    if (kind !== 0) close(len);
    this._rawWords = st;
    this._rawWordsStop = stop;
    return st;
  }
}
