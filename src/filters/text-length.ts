/**
 * Drops documents that are too short or too long, in characters, words or lines.
 * cc_net keeps documents of at least 300 characters (`min_len=300`, cc_net/mine.py); Gopher
 * keeps 50–100,000 words (Rae et al. 2021, App. A). Characters are code points and words are
 * whitespace-separated, as Python's `len(text)` and `text.split()` count them in the recipes.
 */
import { z } from 'zod';
import { defineStep, filterStep } from '../pipeline/step.js';
import { pyLen, pySplitCount } from '../text/python.js';

const params = z
  .object({
    min_chars: z.number().int().nonnegative().optional(),
    max_chars: z.number().int().positive().optional(),
    min_words: z.number().int().nonnegative().optional(),
    max_words: z.number().int().positive().optional(),
    min_lines: z.number().int().nonnegative().optional(),
  })
  .strict();

function countLines(text: string): number {
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
    return filterStep((doc) => {
      const t = doc.text;
      if (p.min_chars !== undefined || p.max_chars !== undefined) {
        const c = pyLen(t);
        if (p.min_chars !== undefined && c < p.min_chars) return 'too_few_chars';
        if (p.max_chars !== undefined && c > p.max_chars) return 'too_many_chars';
      }
      if (p.min_words !== undefined || p.max_words !== undefined) {
        const w = pySplitCount(t);
        if (p.min_words !== undefined && w < p.min_words) return 'too_few_words';
        if (p.max_words !== undefined && w > p.max_words) return 'too_many_words';
      }
      if (p.min_lines !== undefined && countLines(t) < p.min_lines) return 'too_few_lines';
      return null;
    });
  },
});
