/**
 * The RedPajama-V2 signals equal an independent Python reference (test/filters/reference/rpv2_reference.py, run
 * with Debian's /usr/bin/python3) on real sample documents and Unicode edge cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TextViews, useNativeScans, type ViewsNative } from '../../src/text/rpv2-views.js';
import { textNative } from '../../src/native/addons.js';
import { useNativeNgrams } from '../../src/filters/signals/ngrams.js';
import { normalize } from '../../src/text/rpv2-normalize.js';
import { computeSignals, RPV2_SIGNALS } from '../../src/filters/signals/signals.js';
import { stopWords } from '../../src/filters/signals/stopwords.js';
import { pythonRound } from '../../src/core/rounding.js';
import { EDGE_TEXTS, sampleTexts } from '../dedup/samples.js';
import { repoRoot } from '../helpers.js';

/**
 * Pages with the repetitions the n-gram signals measure (generated: a paragraph repeated, a phrase
 * repeated, a menu), beside the real samples.
 */
const SCALE_TEXTS = [
  `${'The committee met on Tuesday and agreed to review the budget before the next session of the council. '.repeat(3)}Then it adjourned.`,
  `Click here to subscribe. ${'buy now buy now buy now '.repeat(5)}Offer ends soon, so buy now while stocks last and tell your friends.`,
  Array.from({ length: 12 }, (_, i) => `Home | About | Contact | Page ${i % 4} of the site map with more links`).join('\n'),
];

const STOPWORDS_JSON = join(repoRoot, 'src', 'filters', 'signals', 'data', 'stopwords.json');

function reference(texts: string[]): Record<string, unknown>[] {
  const input = `${texts.map((text) => JSON.stringify({ text, lang: 'en', stopwords: STOPWORDS_JSON })).join('\n')}\n`;
  const out = execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'reference', 'rpv2_reference.py')], {
    input,
    maxBuffer: 1 << 28,
  });
  return out
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// The native scans and n-gram counts (native/text/views.cc, ngrams.cc) and the JavaScript loops.
for (const path of ['native', 'JavaScript'] as const)
  test(`every RPv2 signal equals the Python reference on samples and edge cases (${path} path)`, () => {
    const texts = [...sampleTexts(), ...EDGE_TEXTS, ...SCALE_TEXTS];
    assert.ok(texts.length > 40);
    const ref = reference(texts);
    const env = { stopWords: stopWords('en') };
    const names = RPV2_SIGNALS.filter((n) => n !== 'rps_doc_ldnoobw_words');
    useNativeScans(path === 'native' ? textNative<ViewsNative>() : null);
    useNativeNgrams(path === 'native');
    let compared = 0;
    try {
      texts.forEach((text, i) => {
        const ours = computeSignals(new TextViews(text), env, names);
        for (const name of names) {
          assert.deepEqual(ours[name], ref[i]![name], `${name} differs on text #${i}: ${JSON.stringify(text.slice(0, 80))}`);
          compared++;
        }
      });
    } finally {
      useNativeScans(textNative<ViewsNative>());
      useNativeNgrams(true);
    }
    assert.ok(compared > 40 * 25);
  });

test('normalized words built per line equal normalize() of the whole text', () => {
  for (const text of [...sampleTexts().slice(0, 20), ...EDGE_TEXTS]) {
    const v = new TextViews(text);
    assert.equal(v.normContent, normalize(text));
  }
});

test('round(x, 8) ties go to even like Python', () => {
  assert.equal(pythonRound(0.001953125, 8), 0.00195312); // Python: 0.00195312
  assert.equal(pythonRound(0.005859375, 8), 0.00585938); // Python: 0.00585938
  assert.equal(pythonRound(1 / 3, 8), 0.33333333);
});

test('line spans are code-point offsets, keeping the newline', () => {
  const v = new TextViews('😀a\nb');
  const s = computeSignals(v, { stopWords: new Set() }, ['rps_lines_num_words']);
  assert.deepEqual(s.rps_lines_num_words, [
    [0, 3, 1],
    [3, 4, 1],
  ]);
});
