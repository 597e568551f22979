/**
 * Rule sets over the quality signals: each rule names a signal and a [min, max] range; a document
 * fails a rule when the signal is outside the range or has no value (null: the text has no words or
 * lines to measure). Line-level signals are reduced first (`agg: mean` or `sum` over the lines).
 * Thresholds are the published ones; a pipeline may override any of them by rule name.
 */
import { z } from 'zod';
import type { Span } from '../signals/signals.js';

export const ruleSchema = z
  .object({
    name: z.string().min(1),
    signal: z.string().min(1),
    agg: z.enum(['value', 'mean', 'sum']).default('value'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();

export type Rule = z.infer<typeof ruleSchema>;

const r = (name: string, signal: string, range: { min?: number; max?: number }, agg: Rule['agg'] = 'value'): Rule => ({ name, signal, agg, ...range });

/** Gopher quality filter (Rae et al. 2021, App. A; thresholds as datatrove's GopherQualityFilter). */
const GOPHER_QUALITY: Rule[] = [
  r('gopher_word_count', 'rps_doc_word_count', { min: 50, max: 100_000 }),
  r('gopher_mean_word_length', 'rps_doc_mean_word_length', { min: 3, max: 10 }),
  r('gopher_symbol_to_word_ratio', 'rps_doc_symbol_to_word_ratio', { max: 0.1 }),
  r('gopher_bullet_lines', 'rps_lines_start_with_bulletpoint', { max: 0.9 }, 'mean'),
  r('gopher_ellipsis_lines', 'rps_doc_frac_lines_end_with_ellipsis', { max: 0.3 }),
  r('gopher_non_alpha_words', 'rps_doc_frac_no_alph_words', { max: 0.2 }),
  r('gopher_stop_words', 'cm_gopher_stop_word_count', { min: 2 }),
];

/** Gopher repetition filter (Rae et al. 2021, Table A1), n-gram parts on RPv2's signals. */
const GOPHER_REPETITION: Rule[] = [
  r('gopher_dup_line_frac', 'cm_gopher_dup_line_frac', { max: 0.3 }),
  r('gopher_dup_para_frac', 'cm_gopher_dup_para_frac', { max: 0.3 }),
  r('gopher_dup_line_char_frac', 'cm_gopher_dup_line_char_frac', { max: 0.2 }),
  r('gopher_dup_para_char_frac', 'cm_gopher_dup_para_char_frac', { max: 0.2 }),
  r('gopher_top_2gram', 'rps_doc_frac_chars_top_2gram', { max: 0.2 }),
  r('gopher_top_3gram', 'rps_doc_frac_chars_top_3gram', { max: 0.18 }),
  r('gopher_top_4gram', 'rps_doc_frac_chars_top_4gram', { max: 0.16 }),
  ...[0.15, 0.14, 0.13, 0.12, 0.11, 0.1].map((max, i) => r(`gopher_dupe_${i + 5}grams`, `rps_doc_frac_chars_dupe_${i + 5}grams`, { max })),
];

/**
 * C4's page-level rules (TFDS c4_utils.clean_page) as RPv2 signals: ≥ 3 sentences, no "lorem ipsum",
 * no curly bracket, no LDNOOBW word (only with a bad-word list). C4's line-level cleaning is a
 * transform done by the C4 source, not a filter.
 */
const C4: Rule[] = [
  r('c4_num_sentences', 'rps_doc_num_sentences', { min: 3 }),
  r('c4_lorem_ipsum', 'rps_doc_lorem_ipsum', { max: 0 }),
  r('c4_curly_bracket', 'rps_doc_curly_bracket', { max: 0 }),
];
export const C4_BADWORDS: Rule = r('c4_badwords', 'rps_doc_ldnoobw_words', { max: 0 });

/** FineWeb's quality filter (datatrove FineWebQualityFilter defaults). */
const FINEWEB: Rule[] = [
  r('fineweb_line_punct_ratio', 'cm_fineweb_line_punct_ratio', { min: 0.12 }),
  r('fineweb_short_line_ratio', 'cm_fineweb_short_line_ratio', { max: 0.67 }),
  r('fineweb_dup_line_char_ratio', 'cm_fineweb_dup_line_char_ratio', { max: 0.01 }),
  r('fineweb_newline_word_ratio', 'cm_fineweb_newline_word_ratio', { max: 0.3 }),
];

export const PRESETS: Readonly<Record<string, readonly Rule[]>> = {
  gopher: [...GOPHER_QUALITY, ...GOPHER_REPETITION],
  gopher_quality: GOPHER_QUALITY,
  gopher_repetition: GOPHER_REPETITION,
  c4: C4,
  fineweb: FINEWEB,
};

/** The signal value a rule tests, or null when there is none. */
export function ruleValue(rule: Rule, spans: readonly Span[] | undefined): number | null {
  if (!spans || spans.length === 0) return rule.agg === 'sum' ? 0 : null;
  if (rule.agg === 'value') return spans[0]![2];
  let sum = 0;
  for (const s of spans) {
    if (s[2] === null) return null;
    sum += s[2];
  }
  return rule.agg === 'sum' ? sum : sum / spans.length;
}

export function passes(rule: Rule, value: number | null): boolean {
  if (value === null) return false;
  if (rule.min !== undefined && value < rule.min) return false;
  if (rule.max !== undefined && value > rule.max) return false;
  return true;
}
