/**
 * The text normalisations of src/text against Python implementations written from the references'
 * definitions (ccnet_normalize.py, python_reference.py): cc_net's `normalize` and
 * `normalize_for_dedup`, RedPajama-V2's `normalize` and the text views built on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccnetNormalize, normalizeForDedup } from '../../src/text/ccnet-normalize.js';
import { normalize } from '../../src/text/rpv2-normalize.js';
import { TextViews, useNativeScans, type ViewsNative } from '../../src/text/rpv2-views.js';
import { textNative } from '../../src/native/addons.js';
import { pythonStrings, TRICKY } from './reference.js';

const facts = pythonStrings(TRICKY);
const what = (i: number) => `string ${i}: ${JSON.stringify(TRICKY[i])}`;

test('cc_net normalize and normalize_for_dedup equal Python', () => {
  TRICKY.forEach((s, i) => {
    assert.equal(ccnetNormalize(s), facts[i]!.ccnet, what(i));
    assert.equal(normalizeForDedup(s), facts[i]!.ccnet_dedup, what(i));
  });
});

test('RedPajama-V2 normalize equals Python', () => {
  for (const [i, s] of TRICKY.entries()) assert.equal(normalize(s), facts[i]!.rpv2, what(i));
});

for (const scans of ['JavaScript', 'native'] as const)
  test(`text views (${scans} scans): normalized words, raw lines, upper-case counts and raw words equal Python`, () => {
    useNativeScans(scans === 'native' ? textNative<ViewsNative>() : null);
    const none = new Set<string>();
    TRICKY.forEach((s, i) => {
      const f = facts[i]!;
      const v = new TextViews(s);
      assert.deepEqual(v.words, f.rpv2_words, what(i));
      assert.deepEqual([...v.wordLengths], f.rpv2_word_lens, what(i));
      assert.equal(v.normContent, f.rpv2, what(i));
      assert.equal(v.length, f.len, what(i));
      assert.deepEqual(
        Array.from(v.lineCpStart, (a, l) => [a, v.lineCpEnd[l]]),
        f.raw_lines,
        what(i),
      );
      assert.deepEqual(Array.from(v.lineUpper), f.line_upper, what(i));
      assert.deepEqual(Array.from(v.lineNormWords), f.line_words, what(i));
      const raw = v.rawWords(none);
      assert.equal(raw.count, f.raw_word_count, what(i));
      assert.equal(raw.allCaps, f.raw_word_allcaps, what(i));
    });
  });
