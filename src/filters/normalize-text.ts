/**
 * Light, lossless-in-meaning text normalisation applied before dedup so that byte-level noise does
 * not hide duplicates: Unicode NFC, `\r\n` to `\n`, trailing spaces stripped per line, runs of
 * more than two blank lines collapsed, leading and trailing blank lines removed. Documents left
 * empty are dropped (`empty`).
 */
import { z } from 'zod';
import { defineStep, mapStep } from '../pipeline/step.js';

const params = z
  .object({
    nfc: z.boolean().default(true),
    max_blank_lines: z.number().int().nonnegative().default(2),
  })
  .strict();

function normalizeText(text: string, opts: { nfc: boolean; max_blank_lines: number }): string {
  let t = text.replace(/\r\n?/g, '\n');
  if (opts.nfc) t = t.normalize('NFC');
  t = t.replace(/[ \t\u00a0]+$/gm, '');
  const blanks = '\n'.repeat(opts.max_blank_lines + 1);
  const tooMany = new RegExp(`\\n{${opts.max_blank_lines + 2},}`, 'g');
  t = t.replace(tooMany, blanks);
  return t.replace(/^\n+/, '').replace(/\n+$/, '');
}

export const normalizeTextStep = defineStep({
  name: 'normalize_text',
  description: 'NFC, unified newlines, trailing spaces and extra blank lines removed',
  params,
  create(p) {
    return mapStep((doc, ctx) => {
      const text = normalizeText(doc.text, p);
      if (text.length === 0) return 'empty';
      if (text !== doc.text) ctx.count('changed');
      return text === doc.text ? doc : { ...doc, text };
    });
  },
});
