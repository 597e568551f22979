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

/**
 * The same scans in native code (native/text/views.cc, installed by the quality-signal steps through
 * `useNativeScans`: this layer does not load addons): the results of the JavaScript loops here, for
 * texts without surrogate pairs (scanRaw returns -1 for the others, which stay here).
 */
export interface ViewsNative {
  setClassTable(table: Uint8Array): void;
  stopSet(words: string[]): number;
  scanRaw(raw: string, lineStart: Int32Array, lineEnd: Int32Array, lineUpper: Int32Array): number;
  scanFolded(
    folded: string,
    lines: number,
    start: Int32Array,
    end: Int32Array,
    id: Int32Array,
    cps: Int32Array,
    words: Int32Array,
    length: Int32Array,
    numeric: Int32Array,
    js: Int32Array,
  ): [number, number];
  rawWordStats(raw: string, stopSet: number, out: Int32Array): void;
}

let native: ViewsNative | null = null;
let nativeStops = new WeakMap<ReadonlySet<string>, number>();

/** Uses `scans` for the views built from now on (null: the JavaScript loops). */
export function useNativeScans(scans: ViewsNative | null): void {
  native = scans;
  native?.setClassTable(BMP);
  nativeStops = new WeakMap();
  last = undefined;
}

function viewsNative(): ViewsNative | null {
  return native;
}

function nativeStopSet(nat: ViewsNative, stop: ReadonlySet<string>): number {
  let h = nativeStops.get(stop);
  if (h === undefined) {
    h = nat.stopSet([...stop]);
    nativeStops.set(stop, h);
  }
  return h;
}

const RAW_OUT = new Int32Array(4);

/** The first `n` entries of each scratch array, as views of one new array. */
function copyOut(from: Int32Array[], n: number): Int32Array[] {
  const all = new Int32Array(from.length * n);
  return from.map((a, k) => {
    const part = all.subarray(k * n, (k + 1) * n);
    part.set(a.subarray(0, n));
    return part;
  });
}

/** Per-line scratch of the native scans (copied out per document). */
const L = {
  start: new Int32Array(0),
  end: new Int32Array(0),
  upper: new Int32Array(0),
  words: new Int32Array(0),
  chars: new Int32Array(0),
  numeric: new Int32Array(0),
  js: new Int32Array(0),
  reserve(n: number): [Int32Array, Int32Array, Int32Array] {
    if (this.start.length < n) {
      const m = Math.max(n, this.start.length * 2, 1024);
      this.start = new Int32Array(m);
      this.end = new Int32Array(m);
      this.upper = new Int32Array(m);
      this.words = new Int32Array(m);
      this.chars = new Int32Array(m);
      this.numeric = new Int32Array(m);
      this.js = new Int32Array(m);
    }
    return [this.start, this.end, this.upper];
  },
};

/** The views built last (TextViews.of). */
let last: TextViews | undefined;

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
  readonly lineStart: ArrayLike<number>;
  readonly lineEnd: ArrayLike<number>;
  readonly lineCpStart: ArrayLike<number>;
  readonly lineCpEnd: ArrayLike<number>;
  /** Per raw line: upper-case code points (raw); words, length, numeric chars and "javascript" words (normalized). */
  readonly lineUpper: ArrayLike<number>;
  readonly lineNormWords: ArrayLike<number>;
  readonly lineNormLength: ArrayLike<number>;
  readonly lineNumeric: ArrayLike<number>;
  readonly lineJavascript: ArrayLike<number>;
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

  /**
   * The views of `text`, shared by consecutive users of the same text: quality_signals and then
   * quality_filter see the same document one after the other, so the second one scans nothing.
   */
  static of(text: string): TextViews {
    if (last?.raw !== text) last = new TextViews(text);
    return last;
  }

  constructor(text: string) {
    this.raw = text;
    this.folded = foldChars(text);
    // The native scans take texts without surrogate pairs (nearly all); the others go the JavaScript way.
    const nat = viewsNative();
    const lines = nat ? nat.scanRaw(text, ...L.reserve(text.length + 1)) : -1;
    if (nat && lines >= 0) {
      this.astral = false;
      this.length = text.length;
      W.reserve((this.folded.length >> 1) + 1);
      const [n, distinct] = nat.scanFolded(this.folded, lines, W.start, W.end, W.id, W.cps, L.words, L.chars, L.numeric, L.js);
      // One allocation for the line arrays and one for the word arrays, copied out of the scratch.
      const perLine = copyOut([L.start, L.end, L.upper, L.words, L.chars, L.numeric, L.js], lines);
      [this.lineStart, this.lineEnd, this.lineUpper, this.lineNormWords, this.lineNormLength, this.lineNumeric, this.lineJavascript] = perLine;
      this.lineCpStart = this.lineStart;
      this.lineCpEnd = this.lineEnd;
      [this.wordStart, this.wordEnd, this.wordIds, this.wordLengths] = copyOut([W.start, W.end, W.id, W.cps], n);
      this.distinctWords = distinct;
      return;
    }
    this.astral = hasSurrogatePair(text);
    const lineStart: number[] = [];
    const lineEnd: number[] = [];
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl + 1;
      lineStart.push(pos);
      lineEnd.push(end);
      pos = end;
    }
    this.lineStart = lineStart;
    this.lineEnd = lineEnd;
    this.lineUpper = this.scanRaw();
    if (this.astral) {
      const cpStart: number[] = [];
      const cpEnd: number[] = [];
      let cp = 0;
      for (let i = 0; i < lineStart.length; i++) {
        cpStart.push(cp);
        cp += pyLen(text, lineStart[i]!, lineEnd[i]!);
        cpEnd.push(cp);
      }
      this.lineCpStart = cpStart;
      this.lineCpEnd = cpEnd;
      this.length = cp;
    } else {
      this.lineCpStart = lineStart;
      this.lineCpEnd = lineEnd;
      this.length = text.length;
    }
    const perLine = { words: [] as number[], length: [] as number[], numeric: [] as number[], js: [] as number[] };
    const n = this.scanNormalized(this.folded, perLine);
    this.lineNormWords = perLine.words;
    this.lineNormLength = perLine.length;
    this.lineNumeric = perLine.numeric;
    this.lineJavascript = perLine.js;
    this.wordStart = W.start.slice(0, n);
    this.wordEnd = W.end.slice(0, n);
    this.wordIds = W.id.slice(0, n);
    this.wordLengths = W.cps.slice(0, n);
    this.distinctWords = W.distinct;
  }

  /** Upper-case code points per raw line. */
  private scanRaw(): number[] {
    const s = this.raw;
    const upper: number[] = [];
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
      upper.push(up);
    }
    return upper;
  }

  /**
   * Splits the folded text on Python whitespace into words, interning each (hash table keyed by the
   * word's characters, no string built) and counting per-line statistics. Returns the word count.
   */
  private scanNormalized(t: string, perLine: { words: number[]; length: number[]; numeric: number[]; js: number[] }): number {
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
      if (c === 10 && (i < len || perLine.words.length < this.lineStart.length)) {
        perLine.words.push(words);
        perLine.length.push(words === 0 ? 0 : chars + words - 1);
        perLine.numeric.push(numeric);
        perLine.js.push(js);
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

  private _idCounts?: Int32Array;
  private _idFirst?: Int32Array;

  /** Occurrences of each distinct normalized word, by word id (ids number words in order of first occurrence). */
  get idCounts(): Int32Array {
    if (!this._idCounts) {
      const ids = this.wordIds;
      const counts = new Int32Array(this.distinctWords);
      const first = new Int32Array(this.distinctWords);
      let seen = 0;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id === seen) first[seen++] = i;
        counts[id]!++;
      }
      this._idCounts = counts;
      this._idFirst = first;
    }
    return this._idCounts;
  }

  /** How many normalized words are in `set` (each distinct word is looked up once). */
  countWordsIn(set: ReadonlySet<string>, maxLength: number): number {
    const counts = this.idCounts;
    const first = this._idFirst!;
    let n = 0;
    for (let id = 0; id < counts.length; id++) {
      const w = first[id]!;
      const a = this.wordStart[w]!;
      const b = this.wordEnd[w]!;
      if (b - a <= maxLength && set.has(this.folded.slice(a, b))) n += counts[id]!;
    }
    return n;
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
    const nat = this.astral ? null : viewsNative();
    if (nat) {
      nat.rawWordStats(this.raw, nativeStopSet(nat, stop), RAW_OUT);
      this._rawWords = { count: RAW_OUT[0]!, withAsciiAlpha: RAW_OUT[1]!, allCaps: RAW_OUT[2]!, stopWords: RAW_OUT[3]! };
      this._rawWordsStop = stop;
      return this._rawWords;
    }
    const { hashes, words, mask, maxLen } = stopTable(stop);
    let count = 0;
    let withAlpha = 0;
    let allCaps = 0;
    let stopWords = 0;
    const s = this.raw;
    const len = s.length;
    // Tokens: runs of \w, or runs of [^\w\s]; whitespace separates. The stop-word test hashes a
    // token's characters as they go by and compares characters only on a hash hit (no string built).
    let i = 0;
    while (i < len) {
      let c = s.charCodeAt(i);
      let f: number;
      let width = 1;
      if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = s.codePointAt(i)!;
        f = charClass(c);
        width = 2;
      } else f = BMP[c]!;
      if (f & SPACE) {
        i += width;
        continue;
      }
      const word = f & WORD;
      const start = i;
      let alpha = false;
      let upper = false;
      let lower = false;
      let h = FNV_OFFSET;
      for (;;) {
        h = Math.imul(h ^ c, FNV_PRIME);
        if (c < 0x80) {
          const lc = c | 0x20;
          if (lc >= 0x61 && lc <= 0x7a) {
            alpha = true;
            if (c === lc) lower = true;
            else upper = true;
          }
        } else {
          if (f & UPPER) upper = true;
          if (f & LOWER_OR_TITLE) lower = true;
        }
        i += width;
        if (i >= len) break;
        c = s.charCodeAt(i);
        width = 1;
        if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          c = s.codePointAt(i)!;
          f = charClass(c);
          width = 2;
        } else f = BMP[c]!;
        if (f & SPACE || (f & WORD) !== word) break;
      }
      count++;
      if (alpha) withAlpha++;
      if (upper && !lower) allCaps++;
      const n = i - start;
      if (n <= maxLen) {
        for (let slot = (h ^ (h >>> 15)) & mask; ; slot = (slot + 1) & mask) {
          const w = words[slot];
          if (w === undefined) break;
          if (hashes[slot] === h && w.length === n && s.startsWith(w, start)) {
            stopWords++;
            break;
          }
        }
      }
    }
    const st: RawWordStats = { count, withAsciiAlpha: withAlpha, allCaps, stopWords };
    this._rawWords = st;
    this._rawWordsStop = stop;
    return st;
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** A stop-word set as an open-addressing table of word hashes (the hash rawWords computes per token). */
interface StopTable {
  hashes: Int32Array;
  words: Array<string | undefined>;
  mask: number;
  /** Longest entry in UTF-16 units. */
  maxLen: number;
}

const stopTables = new WeakMap<ReadonlySet<string>, StopTable>();

function stopTable(stop: ReadonlySet<string>): StopTable {
  let t = stopTables.get(stop);
  if (t) return t;
  let size = 16;
  while (size < stop.size * 4) size <<= 1;
  t = { hashes: new Int32Array(size), words: new Array(size).fill(undefined), mask: size - 1, maxLen: 0 };
  for (const w of stop) {
    let h = FNV_OFFSET;
    for (const ch of w) h = Math.imul(h ^ ch.codePointAt(0)!, FNV_PRIME);
    let slot = (h ^ (h >>> 15)) & t.mask;
    while (t.words[slot] !== undefined) slot = (slot + 1) & t.mask;
    t.hashes[slot] = h;
    t.words[slot] = w;
    t.maxLen = Math.max(t.maxLen, w.length);
  }
  stopTables.set(stop, t);
  return t;
}
