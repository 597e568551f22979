/** normalize_text: the quick tests that skip rules never change the result of applying every rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeText } from '../../src/filters/normalize-text.js';
import { EDGE_TEXTS, sampleTexts } from '../dedup/samples.js';

/** Every rule applied unconditionally: the definition (NFC, CR to LF, trailing blanks, blank runs, outer newlines). */
function everyRule(text: string, opts: { nfc: boolean; max_blank_lines: number }): string {
  let t = text.replace(/\r\n?/g, '\n');
  if (opts.nfc) t = t.normalize('NFC');
  t = t.replace(/[ \t\u00a0]+$/gm, '');
  t = t.replace(new RegExp(`\\n{${opts.max_blank_lines + 2},}`, 'g'), '\n'.repeat(opts.max_blank_lines + 1));
  return t.replace(/^\n+/, '').replace(/\n+$/, '');
}

test('normalize_text equals applying every rule, on real pages and edge cases', () => {
  const tricky = [
    'a\r\nb\rc\n',
    '\n\n\nlead and trail\n\n\n\n\n',
    'trailing \t\u00a0\nspaces  ',
    'e\u0301 composed? Cafe\u0301',
    'one\n\n\nthree\n\n\n\nfour',
    'tab\t\nnbsp\u00a0',
    'line separator \u2028paragraph separator\t\u2029end',
    ' ',
    '\n',
    'x',
  ];
  let n = 0;
  for (const text of [...sampleTexts(), ...EDGE_TEXTS, ...tricky])
    for (const opts of [
      { nfc: true, max_blank_lines: 2 },
      { nfc: false, max_blank_lines: 0 },
      { nfc: true, max_blank_lines: 1 },
    ]) {
      assert.equal(normalizeText(text, opts), everyRule(text, opts), JSON.stringify(text.slice(0, 60)));
      n++;
    }
  assert.ok(n > 100);
});
