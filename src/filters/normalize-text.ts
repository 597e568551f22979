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

const TRAILING = /[ \t\u00a0]+$/gm;
// `$` with the m flag also ends a line before U+2028 and U+2029.
const HAS_TRAILING = /[ \t\u00a0](?:[\n\u2028\u2029]|$)/;
const NON_ASCII = /[^\0-\x7f]/;

/**
 * Each rule runs only where a quick test finds something to change (most web text has no CR, no
 * trailing spaces, no long blank runs, and NFC is the identity on ASCII), with the same result.
 */
export function normalizeText(text: string, opts: { nfc: boolean; max_blank_lines: number }): string {
  let t = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  if (opts.nfc && NON_ASCII.test(t)) t = t.normalize('NFC');
  if (HAS_TRAILING.test(t)) t = t.replace(TRAILING, '');
  const blanks = '\n'.repeat(opts.max_blank_lines + 1);
  if (t.includes(`${blanks}\n`)) t = t.replace(new RegExp(`\\n{${opts.max_blank_lines + 2},}`, 'g'), blanks);
  if (t.charCodeAt(0) === 10) t = t.replace(/^\n+/, '');
  if (t.charCodeAt(t.length - 1) === 10) t = t.replace(/\n+$/, '');
  return t;
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
