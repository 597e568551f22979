/**
 * Drops documents that are too short or too long, in characters, words or lines.
 * cc_net keeps documents of at least 300 characters (`min_len=300`, cc_net/mine.py); Gopher
 * keeps 50–100,000 words (Rae et al. 2021, App. A).
 */
import { z } from 'zod';
import { defineStep, filterStep } from '../pipeline/step.js';

const params = z
  .object({
    min_chars: z.number().int().nonnegative().optional(),
    max_chars: z.number().int().positive().optional(),
    min_words: z.number().int().nonnegative().optional(),
    max_words: z.number().int().positive().optional(),
    min_lines: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Whitespace-separated words, without building an array. */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export const textLengthStep = defineStep({
  name: 'text_length',
  description: 'drop documents outside a range of characters, words or lines',
  params,
  create(p) {
    // Characters are Unicode code points, as Python's len() counts them in the reference recipes.
    const chars = (t: string) => (/[\ud800-\udfff]/.test(t) ? [...t].length : t.length);
    return filterStep((doc) => {
      const t = doc.text;
      if (p.min_chars !== undefined && chars(t) < p.min_chars) return 'too_few_chars';
      if (p.max_chars !== undefined && chars(t) > p.max_chars) return 'too_many_chars';
      if (p.min_words !== undefined || p.max_words !== undefined) {
        const w = countWords(t);
        if (p.min_words !== undefined && w < p.min_words) return 'too_few_words';
        if (p.max_words !== undefined && w > p.max_words) return 'too_many_words';
      }
      if (p.min_lines !== undefined && countLines(t) < p.min_lines) return 'too_few_lines';
      return null;
    });
  },
});
