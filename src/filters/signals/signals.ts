/**
 * The RedPajama-V2 quality signals (togethercomputer/RedPajama-Data, app/src/core/quality_signals/
 * {content,natural_language,repetitions,lines}.py), named as RPv2 names them (class name lower-cased,
 * "punctution" typo included) and defined as it defines them; plus a few `cm_` signals that the Gopher
 * repetition and FineWeb rules need and RPv2 does not have.
 *
 * Every signal returns RPv2's span list: document signals `[[0, len(text), score]]`, line signals one
 * `[start, end, score]` per raw line, offsets in code points, scores rounded like Python `round(x, 8)`.
 * Not implemented: rps_doc_ut1_blacklist (needs the UT1 domain lists), the fastText / DSIR ml signals
 * and the ccnet_* copies of CCNet fields. rps_doc_ldnoobw_words needs a word list (`bad_words_file`).
 */
import { pythonRound } from '../../core/rounding.js';
import { BMP, charClass, WORD } from '../../text/char-classes.js';
import { lstripStart, pyLen, pyStrip } from '../../text/python.js';
import type { TextViews } from '../../text/rpv2-views.js';
import { countNgrams, nativeNgramStats } from './ngrams.js';
import './native-views.js';

type Score = number | null;
export type Span = [number, number, Score];

export interface SignalEnv {
  /** Stop words of the document's language (rps_doc_stop_word_fraction). */
  stopWords: ReadonlySet<string>;
  /** LDNOOBW entries (rps_doc_ldnoobw_words); the signal is null without a list. */
  badWords?: ReadonlySet<string>;
}

interface SignalDef {
  name: string;
  level: 'doc' | 'line';
  compute(v: TextViews, env: SignalEnv): Span[];
}

const doc = (v: TextViews, score: Score): Span[] => [[0, v.length, score]];
/** RPv2 rounds every score with Python `round(x, 8)` (PRECISION = 8). */
const round8 = (x: number): number => pythonRound(x, 8);
const ratio = (num: number, den: number): Score => (den === 0 ? null : round8(num / den));

function countOf(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

const noRepeatsFrom = new WeakMap<TextViews, number>();
const repetition = new WeakMap<TextViews, Float64Array>();

/** The native n-gram counts of every repetition signal at once (ngrams.ts), or null without the addon. */
function repetitionStats(v: TextViews): Float64Array | null {
  let r = repetition.get(v);
  if (r === undefined) {
    const computed = nativeNgramStats(v.wordIds, v.wordLengths);
    if (!computed) return null;
    r = computed;
    repetition.set(v, r);
  }
  return r;
}
const totals = new WeakMap<TextViews, number>();

/** Σ len(normalized words). */
function sumLengths(v: TextViews): number {
  let t = totals.get(v);
  if (t === undefined) {
    t = 0;
    const lens = v.wordLengths;
    for (let i = 0; i < lens.length; i++) t += lens[i]!;
    totals.set(v, t);
  }
  return t;
}

/** Most frequent normalized n-gram (first seen wins ties, like Counter.most_common): its chars × count / all word chars. */
function topNgramFraction(v: TextViews, n: number): Span[] {
  const stats = repetitionStats(v);
  if (stats) return doc(v, stats[n - 2] === 0 ? 0 : round8(stats[n - 2]! / sumLengths(v)));
  const known = noRepeatsFrom.get(v);
  if (known !== undefined && n >= known) return doc(v, 0);
  const c = countNgrams(v.wordIds, n);
  if (c.distinct === 0) return doc(v, 0);
  let best = 0;
  for (let g = 1; g < c.distinct; g++) if (c.count[g]! > c.count[best]!) best = g;
  const count = c.count[best]!;
  if (count <= 1) {
    noRepeatsFrom.set(v, Math.min(n, known ?? n));
    return doc(v, 0);
  }
  const lens = v.wordLengths;
  const total = sumLengths(v);
  let gramChars = 0;
  const start = c.first[best]!;
  for (let k = 0; k < n; k++) gramChars += lens[start + k]!;
  return doc(v, round8((gramChars * count) / total));
}

/** Chars of words covered by any n-gram occurring at least twice / all word chars (overlaps once). */
function dupeNgramFraction(v: TextViews, n: number): Span[] {
  const lens = v.wordLengths;
  if (lens.length < n) return doc(v, 0);
  const stats = repetitionStats(v);
  if (stats) {
    const total = sumLengths(v);
    return doc(v, total === 0 ? 0 : round8(stats[n - 2]! / total));
  }
  // A repeated (n+1)-gram starts with a repeated n-gram: once some n has none, no larger n has any.
  const known = noRepeatsFrom.get(v);
  if (known !== undefined && n >= known) return doc(v, 0);
  const c = countNgrams(v.wordIds, n);
  const total = sumLengths(v);
  let duped = 0;
  let coveredTo = 0;
  for (let i = 0; i < c.group.length; i++) {
    if (c.count[c.group[i]!]! <= 1) continue;
    for (let k = Math.max(i, coveredTo); k < i + n; k++) duped += lens[k]!;
    coveredTo = i + n;
  }
  if (duped === 0) noRepeatsFrom.set(v, Math.min(n, known ?? n));
  if (total === 0) return doc(v, 0);
  return doc(v, round8(duped / total));
}

function lineSpans(v: TextViews, score: (i: number) => Score): Span[] {
  const out: Span[] = new Array(v.lineCount);
  for (let i = 0; i < v.lineCount; i++) out[i] = [v.lineCpStart[i]!, v.lineCpEnd[i]!, score(i)];
  return out;
}

function endsWithAny(s: string, start: number, end: number, marks: readonly string[]): boolean {
  for (const m of marks) if (end - start >= m.length && s.startsWith(m, end - m.length)) return true;
  return false;
}

const GOPHER_STOP_WORDS = new Set(['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with']);
const GOPHER_STOP_MAX = 4;
const TERMINAL_MARKS = ['.', '!', '?', '\u201d'];
const ELLIPSIS = ['...', '\u2026'];
/** RPv2 RPS_Lines_Start_With_Bulletpoint.BULLET_POINT_SYMBOLS. */
const BULLETS = new Set(['\u2022', '\u2023', '\u25B6', '\u25C0', '\u25E6', '\u25A0', '\u25A1', '\u25AA', '\u25AB', '\u2013']);

/** Python `len(re.findall(r'\b[^.!?]+[.!?]*', text))` with Unicode `\w` for `\b`. */
function countSentences(text: string): number {
  let n = 0;
  let i = 0;
  const len = text.length;
  while (i < len) {
    // A match starts at the first word character: only there does `\b` hold before a non-terminator
    // (the previous character is a terminator, a non-word character, or the start of the text).
    const c = text.charCodeAt(i);
    if ((c & 0xfc00) === 0xd800) {
      const cp = text.codePointAt(i)!; // a lone surrogate stays one (non-word) character, as in Python
      if ((charClass(cp) & WORD) === 0) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
    } else if ((BMP[c]! & WORD) === 0) {
      i++;
      continue;
    }
    n++;
    for (; i < len; i++) {
      const d = text.charCodeAt(i);
      if (d === 0x2e || d === 0x21 || d === 0x3f) break;
    }
    for (; i < len; i++) {
      const d = text.charCodeAt(i);
      if (d !== 0x2e && d !== 0x21 && d !== 0x3f) break;
    }
  }
  return n;
}

/** Python `re.split(pattern, text)` piece lengths and the chars/count of pieces seen before (datatrove find_duplicates). */
function duplicatePieces(pieces: string[]): { dupCount: number; dupChars: number } {
  const seen = new Set<string>();
  let dupCount = 0;
  let dupChars = 0;
  for (const p of pieces) {
    if (seen.has(p)) {
      dupCount++;
      dupChars += pyLen(p);
    } else seen.add(p);
  }
  return { dupCount, dupChars };
}

const SIGNALS: readonly SignalDef[] = [
  // natural_language.py
  { name: 'rps_doc_num_sentences', level: 'doc', compute: (v) => doc(v, countSentences(v.raw)) },
  { name: 'rps_doc_word_count', level: 'doc', compute: (v) => doc(v, v.wordCount) },
  {
    name: 'rps_doc_mean_word_length',
    level: 'doc',
    compute: (v) => {
      return doc(v, ratio(sumLengths(v), v.wordCount));
    },
  },
  {
    name: 'rps_doc_symbol_to_word_ratio',
    level: 'doc',
    compute: (v, env) => {
      const words = v.rawWords(env.stopWords).count;
      const symbols = countOf(v.raw, '#') + countOf(v.raw, '...') + countOf(v.raw, '\u2026');
      return doc(v, ratio(symbols, words));
    },
  },
  {
    name: 'rps_doc_frac_lines_end_with_ellipsis',
    level: 'doc',
    compute: (v) => {
      let n = 0;
      const ends = v.lineRstripEnd;
      for (let i = 0; i < v.lineCount; i++) if (endsWithAny(v.raw, v.lineStart[i]!, ends[i]!, ELLIPSIS)) n++;
      return doc(v, ratio(n, v.lineCount));
    },
  },
  {
    name: 'rps_doc_frac_no_alph_words',
    level: 'doc',
    compute: (v, env) => {
      const w = v.rawWords(env.stopWords);
      return doc(v, w.count === 0 ? null : round8(1.0 - w.withAsciiAlpha / w.count));
    },
  },
  { name: 'rps_doc_frac_unique_words', level: 'doc', compute: (v) => doc(v, ratio(v.distinctWords, v.wordCount)) },
  {
    name: 'rps_doc_unigram_entropy',
    level: 'doc',
    compute: (v) => {
      const total = v.wordCount;
      if (total === 0) return doc(v, null);
      const counts = v.idCounts;
      let e = 0; // summed in first-occurrence order, as Counter.values() iterates
      for (let k = 0; k < counts.length; k++) e += (-counts[k]! / total) * Math.log(counts[k]! / total);
      return doc(v, round8(e));
    },
  },
  {
    name: 'rps_doc_frac_all_caps_words',
    level: 'doc',
    compute: (v, env) => {
      const w = v.rawWords(env.stopWords);
      return doc(v, ratio(w.allCaps, w.count));
    },
  },
  // content.py
  {
    name: 'rps_doc_ldnoobw_words',
    level: 'doc',
    compute: (v, env) => {
      const bad = env.badWords;
      if (!bad) return doc(v, null);
      if (v.normContent.length === 0) return doc(v, 0);
      const sizes = new Set<number>();
      for (const w of bad) sizes.add(1 + countOf(w, ' '));
      let dirty = 0;
      for (const n of sizes) for (let i = 0; i + n <= v.words.length; i++) if (bad.has(v.words.slice(i, i + n).join(' '))) dirty++;
      return doc(v, dirty);
    },
  },
  {
    name: 'rps_doc_lorem_ipsum',
    level: 'doc',
    compute: (v) => {
      const words = v.wordCount;
      if (words === 0) return doc(v, 0);
      if (!v.foldedIncludes('lorem')) return doc(v, 0);
      // "lorem ipsum" in the space-joined words (it cannot overlap itself) is a word ending in "lorem"
      // followed by one starting with "ipsum"; the normalized text is lower-cased already.
      let n = 0;
      for (let i = 0; i + 1 < words; i++) if (v.wordEndsWith(i, 'lorem') && v.wordStartsWith(i + 1, 'ipsum')) n++;
      if (n === 0) return doc(v, 0);
      return doc(v, round8(n / (sumLengths(v) + words - 1)));
    },
  },
  {
    name: 'rps_doc_curly_bracket',
    level: 'doc',
    compute: (v) => {
      if (v.length === 0) return doc(v, 0);
      const n = countOf(v.raw, '{') + countOf(v.raw, '}');
      return doc(v, n === 0 ? 0 : round8(n / v.length));
    },
  },
  {
    name: 'rps_doc_stop_word_fraction',
    level: 'doc',
    compute: (v, env) => {
      if (v.wordCount === 0) return doc(v, 0);
      const w = v.rawWords(env.stopWords);
      return doc(v, round8(w.stopWords / w.count));
    },
  },
  // repetitions.py
  ...[2, 3, 4].map((n): SignalDef => ({ name: `rps_doc_frac_chars_top_${n}gram`, level: 'doc', compute: (v) => topNgramFraction(v, n) })),
  ...[5, 6, 7, 8, 9, 10].map((n): SignalDef => ({ name: `rps_doc_frac_chars_dupe_${n}grams`, level: 'doc', compute: (v) => dupeNgramFraction(v, n) })),
  // lines.py
  { name: 'rps_lines_javascript_counts', level: 'line', compute: (v) => lineSpans(v, (i) => v.lineJavascript[i]!) },
  {
    name: 'rps_lines_ending_with_terminal_punctution_mark',
    level: 'line',
    compute: (v) => lineSpans(v, (i) => (endsWithAny(v.raw, v.lineStart[i]!, v.lineRstripEnd[i]!, TERMINAL_MARKS) ? 1 : 0)),
  },
  { name: 'rps_lines_num_words', level: 'line', compute: (v) => lineSpans(v, (i) => v.lineNormWords[i]!) },
  {
    name: 'rps_lines_uppercase_letter_fraction',
    level: 'line',
    compute: (v) => lineSpans(v, (i) => round8(v.lineUpper[i]! / (v.lineCpEnd[i]! - v.lineCpStart[i]!))),
  },
  {
    name: 'rps_lines_numerical_chars_fraction',
    level: 'line',
    compute: (v) => lineSpans(v, (i) => (v.lineNormLength[i] === 0 ? 0 : round8(v.lineNumeric[i]! / v.lineNormLength[i]!))),
  },
  {
    name: 'rps_lines_start_with_bulletpoint',
    level: 'line',
    compute: (v) => {
      if (v.lineCount === 0) return doc(v, null);
      return lineSpans(v, (i) => {
        const s = lstripStart(v.raw, v.lineStart[i]!, v.lineEnd[i]!);
        return s < v.lineEnd[i]! && BULLETS.has(v.raw[s]!) ? 1 : 0;
      });
    },
  },
  // corpusmill additions (not RPv2): what datatrove's Gopher repetition and FineWeb filters measure.
  ...(['line', 'para'] as const).flatMap((kind): SignalDef[] => {
    const split = (v: TextViews) => (kind === 'line' ? v.raw.split(/\n+/) : pyStrip(v.raw).split(/\n{2,}/));
    return [
      {
        name: `cm_gopher_dup_${kind}_frac`,
        level: 'doc',
        compute: (v) => {
          const p = split(v);
          return doc(v, ratio(duplicatePieces(p).dupCount, p.length));
        },
      },
      {
        name: `cm_gopher_dup_${kind}_char_frac`,
        level: 'doc',
        compute: (v) => doc(v, ratio(duplicatePieces(split(v)).dupChars, v.length)),
      },
    ];
  }),
  {
    // Gopher: at least 2 of these 8 English words (Rae et al. 2021, App. A), over normalized words.
    name: 'cm_gopher_stop_word_count',
    level: 'doc',
    compute: (v) => doc(v, v.countWordsIn(GOPHER_STOP_WORDS, GOPHER_STOP_MAX)),
  },
  {
    name: 'cm_fineweb_line_punct_ratio',
    level: 'doc',
    compute: (v) => {
      const lines = nonEmptyLines(v);
      return doc(v, ratio(lines.filter((l) => endsWithAny(l, 0, l.length, TERMINAL_MARKS)).length, lines.length));
    },
  },
  {
    name: 'cm_fineweb_short_line_ratio',
    level: 'doc',
    compute: (v) => {
      const lines = nonEmptyLines(v);
      return doc(v, ratio(lines.filter((l) => pyLen(l) <= 30).length, lines.length));
    },
  },
  {
    name: 'cm_fineweb_dup_line_char_ratio',
    level: 'doc',
    compute: (v) => doc(v, ratio(duplicatePieces(nonEmptyLines(v)).dupChars, v.length - countOf(v.raw, '\n'))),
  },
  {
    name: 'cm_fineweb_newline_word_ratio',
    level: 'doc',
    compute: (v) => doc(v, ratio(countOf(v.raw, '\n'), v.wordCount)),
  },
];

function nonEmptyLines(v: TextViews): string[] {
  return v.raw.split('\n').filter((l) => pyStrip(l) !== '');
}

export const SIGNAL_NAMES: ReadonlySet<string> = new Set(SIGNALS.map((s) => s.name));
export const RPV2_SIGNALS: readonly string[] = SIGNALS.filter((s) => s.name.startsWith('rps_')).map((s) => s.name);

const BY_NAME = new Map(SIGNALS.map((s) => [s.name, s]));

function getSignal(name: string): SignalDef | undefined {
  return BY_NAME.get(name);
}

/** Computes the named signals (all RPv2 ones by default) from shared views. */
export function computeSignals(v: TextViews, env: SignalEnv, names: readonly string[] = RPV2_SIGNALS): Record<string, Span[]> {
  const out: Record<string, Span[]> = {};
  for (const name of names) {
    const def = getSignal(name);
    if (!def) throw new Error(`unknown quality signal "${name}"`);
    out[name] = def.compute(v, env);
  }
  return out;
}
