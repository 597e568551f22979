/**
 * The text normalisations of src/text against Python implementations written from the references'
 * definitions (ccnet_normalize.py, python_reference.py): cc_net's `normalize` and
 * `normalize_for_dedup`, RedPajama-V2's `normalize` and the text views built on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccnetNormalize, normalizeForDedup } from '../../src/text/ccnet-normalize.js';
import { FOLD_BYTES, FOLD_FULL, FOLD_NFD, foldChars, foldPlan, normalize } from '../../src/text/rpv2-normalize.js';
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

// The byte-wise fold the MinHash addon applies (native/text/minhash.cc), written out here on UTF-16.
const byteFold = (s: string) => s.replace(/[!-/:-@[-`{-~]/g, '').replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

test('foldPlan: every BMP character it lets through folds byte-wise to foldChars, next to ASCII, punctuation and itself', () => {
  const seen = [0, 0, 0];
  for (let c = 0x80; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    for (const t of [`Ab.${ch}-Z${ch}${ch} (e${ch}) ${ch}!`, `${ch}\u00e9${ch}E`]) {
      const plan = foldPlan(t);
      seen[plan]!++;
      if (plan === FOLD_FULL) continue;
      assert.equal(byteFold(plan === FOLD_NFD ? t.normalize('NFD') : t), foldChars(t), `U+${c.toString(16)}`);
    }
  }
  // Caseless letters, symbols and CJK go byte-wise; accented lower-case letters by NFD; capitals in full.
  assert.equal(foldPlan('naïve café – 東京 €5'), FOLD_NFD);
  assert.equal(foldPlan('plain – 東京 €5 ★'), FOLD_BYTES);
  assert.equal(foldPlan('Ünïcödé'), FOLD_FULL);
  assert.equal(foldPlan('astral 😀'), FOLD_FULL);
  assert.ok(seen[FOLD_BYTES]! > 1000 && seen[FOLD_NFD]! > 100 && seen[FOLD_FULL]! > 1000, String(seen));
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
