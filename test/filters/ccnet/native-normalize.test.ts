/**
 * The native cc_net normalisers (native/text/ccnet_text.cc, tables from scripts/gen-ccnet-unicode.ts)
 * against the TypeScript functions they replace on hot paths, on every code point alone and inside
 * text, and on real multilingual lines. A text the tables cannot do alone (Σ) must be handed back
 * (null), never normalised differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textNative } from '../../../src/native/addons.js';
import { ccnetNormalize, normalizeForDedup } from '../../../src/text/ccnet-normalize.js';
import { multilingualLines } from '../../models/helpers.js';

const native = textNative<{ ccnetNormalize(s: string): string | null; normalizeForDedup(s: string): string | null }>();

test('every code point, alone and between letters and digits, normalises as the TypeScript functions do', () => {
  let handedBack = 0;
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    for (const s of [c, `Ab${c}9x`, ` ${c}${c} `]) {
      const a = native.ccnetNormalize(s);
      if (a === null) handedBack++;
      else if (a !== ccnetNormalize(s)) assert.fail(`ccnetNormalize U+${cp.toString(16)} in ${JSON.stringify(s)}: ${JSON.stringify(a)} vs ${JSON.stringify(ccnetNormalize(s))}`);
      const b = native.normalizeForDedup(s);
      if (b === null) handedBack++;
      else if (b !== normalizeForDedup(s))
        assert.fail(`normalizeForDedup U+${cp.toString(16)} in ${JSON.stringify(s)}: ${JSON.stringify(b)} vs ${JSON.stringify(normalizeForDedup(s))}`);
    }
  }
  // Σ (both) and the few characters with a kept combining class (normalize only) are handed back.
  assert.ok(handedBack > 0 && handedBack < 200, `${handedBack} texts handed back`);
});

test('real multilingual lines and whole documents normalise the same; Σ is handed back', () => {
  const lines = multilingualLines(60, 1);
  assert.ok(lines.length > 200);
  for (const l of [...lines, lines.join('\n'), '  \u3000Ünïcödé — “quoted” ３ \u0085\t']) {
    assert.equal(native.ccnetNormalize(l), ccnetNormalize(l));
    assert.equal(native.normalizeForDedup(l), normalizeForDedup(l));
  }
  assert.equal(native.ccnetNormalize('ΟΔΥΣΣΕΥΣ'), null);
  assert.equal(native.normalizeForDedup('ΟΔΥΣΣΕΥΣ'), null);
});
