/**
 * `c4_rules`: the C4 page cleaning of Raffel et al. 2020 (TFDS `c4_utils.clean_page`, recipe
 * §11.1) as a reusable step, for C4-style cleaning of CommonCrawl or any web text.
 *
 * Per line (after `strip()`), in C4's order; a line rule removes the line, a page rule drops the
 * whole document. As in C4, a page rule only looks at lines that passed the line rules before it
 * (a `{` in a line without end punctuation does not drop the page):
 *  1. line: a whitespace word longer than 1000 characters        → `lines_too_long_word`
 *  2. (citation markers `[1]`, `[edit]`, `[citation needed]` are deleted from the line)
 *  3. line: does not end in `.` `?` `!` `"`, or ends in `...`     → `lines_no_endmark`
 *  4. line: fewer than 5 words                                     → `lines_too_short`
 *  5. page: the line contains "lorem ipsum" (any case)            → drop `lorem_ipsum`
 *  6. line: contains "javascript" (any case)                       → `lines_javascript`
 *  7. page: the line contains `{`                                  → drop `curly_bracket`
 *  8. line: contains a policy phrase ("terms of use", ...)         → `lines_policy`
 *  9. page: a bad word `[^a-z](w1|w2|...)[^a-z]` on the lower-cased line → drop `badword`
 *     QUIRK (kept for parity): the word must have a non-letter on BOTH sides inside the line, so a
 *     bad word at the very start or end of a line is not seen.
 * 10. the line's sentences are counted.
 * After the lines: fewer than 3 sentences → drop `too_few_sentences`; else the text is the kept
 * lines joined with `\n`. C4 also dropped pages over 190,000 characters before cleaning
 * (`is_valid_length`) → drop `page_too_long` (`max_page_chars`, null to turn off).
 *
 * Deliberate difference: C4 counts sentences with NLTK's Punkt English model; here a sentence
 * ends at `.`, `!` or `?` (plus closing quotes/brackets) followed by whitespace and an upper-case
 * letter, digit or opening quote, except after a short list of abbreviations. Every kept line ends
 * with an end mark, so each counts at least one sentence, as with Punkt.
 * Bad words: C4 used the LDNOOBW `en` list (CC-BY 4.0); it is not shipped here: point
 * `badwords_file` at a copy (one word or phrase per line). Without it the rule is off.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { defineStep, mapStep } from '../pipeline/step.js';
import { pyLen, pySplit, pySplitlines, pyStrip } from '../text/python.js';

/** c4_utils constants (TFDS). */
const C4_MIN_WORDS_PER_LINE = 5;
const C4_MIN_NUM_SENTENCES = 3;
const C4_MAX_WORD_LENGTH = 1000;
const C4_MAX_PAGE_CHARS = 190_000;
const C4_END_MARKS = ['.', '?', '!', '"'] as const;
const C4_ELLIPSIS = '...';
const C4_POLICY_SUBSTRINGS = ['terms of use', 'privacy policy', 'cookie policy', 'uses cookies', 'use of cookies', 'use cookies'];
const CITATION_RE = /\[\d*\]|\[edit\]|\[citation needed\]/g;

const params = z
  .object({
    min_words_per_line: z.number().int().nonnegative().default(C4_MIN_WORDS_PER_LINE),
    min_sentences: z.number().int().nonnegative().default(C4_MIN_NUM_SENTENCES),
    max_word_length: z.number().int().positive().default(C4_MAX_WORD_LENGTH),
    max_page_chars: z.number().int().positive().nullable().default(C4_MAX_PAGE_CHARS),
    /** A bad-word list, one entry per line (C4: LDNOOBW `en`); relative to the pipeline file. */
    badwords_file: z.string().optional(),
  })
  .strict();
export type C4Params = z.infer<typeof params>;

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'no',
  'fig',
  'inc',
  'ltd',
  'co',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'u.s',
  'a.m',
  'p.m',
]);
const BOUNDARY_RE = /([\p{L}\p{N}.]*)([.!?]+)["'”’)\]]*\s+(?=["'“‘([]?[\p{Lu}\p{N}])/gu;

/** Sentences in a line (the Punkt stand-in described above). */
export function countSentences(line: string): number {
  const t = pyStrip(line);
  if (t.length === 0) return 0;
  let n = 1;
  for (const m of t.matchAll(BOUNDARY_RE)) {
    const word = m[1]!.toLowerCase().replace(/\.$/, '');
    if (m[2] === '.' && (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word))) continue;
    n++;
  }
  return n;
}

/** Builds C4's bad-word regex from a list (entries are matched literally). */
export function badwordsRegex(words: string[]): RegExp | null {
  const list = words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0 && !w.startsWith('#'));
  if (list.length === 0) return null;
  return new RegExp(`[^a-z](${list.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})[^a-z]`);
}

export interface C4Outcome {
  /** The cleaned text, or null when the page is dropped. */
  text: string | null;
  /** The page rule that dropped it. */
  reason?: string;
  /** Lines removed, by rule. */
  lines: Record<string, number>;
}

/** C4 `clean_page` on one text. */
export function c4CleanPage(text: string, p: Omit<C4Params, 'badwords_file'>, badwords: RegExp | null): C4Outcome {
  const lines: Record<string, number> = {};
  const bump = (k: string) => (lines[k] = (lines[k] ?? 0) + 1);
  if (p.max_page_chars !== null && pyLen(text) > p.max_page_chars) return { text: null, reason: 'page_too_long', lines };
  const valid: string[] = [];
  let sentences = 0;
  for (const raw of pySplitlines(text)) {
    let line = pyStrip(raw);
    if (pySplit(line).some((w) => pyLen(w) > p.max_word_length)) {
      bump('lines_too_long_word');
      continue;
    }
    line = line.replace(CITATION_RE, '');
    if (!C4_END_MARKS.some((m) => line.endsWith(m)) || line.endsWith(C4_ELLIPSIS)) {
      bump('lines_no_endmark');
      continue;
    }
    if (pySplit(line).length < p.min_words_per_line) {
      bump('lines_too_short');
      continue;
    }
    const lower = line.toLowerCase();
    if (lower.includes('lorem ipsum')) return { text: null, reason: 'lorem_ipsum', lines };
    if (lower.includes('javascript')) {
      bump('lines_javascript');
      continue;
    }
    if (line.includes('{')) return { text: null, reason: 'curly_bracket', lines };
    if (C4_POLICY_SUBSTRINGS.some((s) => lower.includes(s))) {
      bump('lines_policy');
      continue;
    }
    if (badwords?.test(lower)) return { text: null, reason: 'badword', lines };
    sentences += countSentences(line);
    valid.push(line);
  }
  if (sentences < p.min_sentences) return { text: null, reason: 'too_few_sentences', lines };
  return { text: pyStrip(valid.join('\n')), lines };
}

export const c4RulesStep = defineStep({
  name: 'c4_rules',
  description: 'C4 page cleaning: line rules (end mark, 5 words, javascript, policy) and page rules (lorem ipsum, {, bad words, 3 sentences)',
  params,
  create(p, env) {
    let badwords: RegExp | null = null;
    if (p.badwords_file !== undefined) {
      const file = isAbsolute(p.badwords_file) ? p.badwords_file : resolve(env.pipelineDir, p.badwords_file);
      try {
        badwords = badwordsRegex(readFileSync(file, 'utf8').split('\n'));
      } catch (e) {
        throw new ConfigError(`c4_rules: cannot read badwords_file ${file} (${errorMessage(e)})`);
      }
    }
    return mapStep((doc, ctx) => {
      const out = c4CleanPage(doc.text, p, badwords);
      for (const [k, n] of Object.entries(out.lines)) ctx.count(k, n);
      if (out.text === null) return out.reason!;
      return out.text === doc.text ? doc : { ...doc, text: out.text };
    });
  },
});
