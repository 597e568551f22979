/**
 * src/text/python.ts against Python itself: the whitespace and line-break sets over every code point,
 * and strip / lstrip / rstrip / split / splitlines / len on strings with every Unicode whitespace,
 * zero-width characters, astral characters, lone surrogates and combining marks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hasSurrogatePair,
  isPySpace,
  lstripStart,
  PY_LINE_BREAK,
  PY_SPACE_CLASS,
  PY_WORD_CLASS,
  pyLen,
  pyLstrip,
  pyRstrip,
  pySplit,
  pySplitCount,
  pySplitlines,
  pyStrip,
  rstripEnd,
} from '../../src/text/python.js';
import { PY_WHITESPACE, pythonClasses, pythonStrings, table, TRICKY } from './reference.js';

const classes = pythonClasses();
const facts = pythonStrings(TRICKY);

test("Python's re \\s is str.isspace(), so one set serves both", () => {
  assert.deepEqual(classes.space, classes.re_space);
});

test('isPySpace and PY_SPACE_CLASS accept exactly the code points of str.isspace()', () => {
  const space = table(classes.space);
  const re = new RegExp(`^[${PY_SPACE_CLASS}]$`, 'u');
  const bad: string[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    const want = space[cp] === 1;
    if (isPySpace(cp) !== want) bad.push(`isPySpace U+${cp.toString(16)}`);
    if (cp < 0xd800 || cp > 0xdfff) if (re.test(String.fromCodePoint(cp)) !== want) bad.push(`PY_SPACE_CLASS U+${cp.toString(16)}`);
  }
  assert.deepEqual(bad, []);
  assert.equal(
    [...PY_WHITESPACE].length,
    space.reduce((a, b) => a + b, 0),
    'the test list has every Python whitespace character',
  );
});

test('PY_LINE_BREAK breaks at exactly the characters splitlines() breaks at', () => {
  const brk = table(classes.linebreak);
  const bad: string[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const got = PY_LINE_BREAK.test(String.fromCodePoint(cp));
    if (got !== (brk[cp] === 1)) bad.push(`U+${cp.toString(16)}`);
  }
  assert.deepEqual(bad, []);
});

test('PY_WORD_CLASS is re \\w on every code point Python has assigned', () => {
  const assigned = table(classes.assigned);
  const word = table(classes.word);
  const re = new RegExp(`^[${PY_WORD_CLASS}]$`, 'u');
  const bad: string[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    if (!assigned[cp] || (cp >= 0xd800 && cp <= 0xdfff)) continue;
    if (re.test(String.fromCodePoint(cp)) !== (word[cp] === 1)) bad.push(`U+${cp.toString(16)}`);
  }
  assert.deepEqual(bad, []);
});

test('strip, lstrip, rstrip equal Python', () => {
  TRICKY.forEach((s, i) => {
    const f = facts[i]!;
    const what = `string ${i}: ${JSON.stringify(s)}`;
    assert.equal(pyStrip(s), f.strip, what);
    assert.equal(pyLstrip(s), f.lstrip, what);
    assert.equal(pyRstrip(s), f.rstrip, what);
    assert.equal(s.slice(lstripStart(s), rstripEnd(s)), f.strip, what);
  });
});

test('split(), len(split()) and splitlines() equal Python', () => {
  TRICKY.forEach((s, i) => {
    const f = facts[i]!;
    const what = `string ${i}: ${JSON.stringify(s)}`;
    assert.deepEqual(pySplit(s), f.split, what);
    assert.equal(pySplitCount(s), f.split.length, what);
    assert.deepEqual(pySplitlines(s), f.splitlines, what);
  });
});

test('len() counts code points: surrogate pairs once, lone surrogates once each', () => {
  TRICKY.forEach((s, i) => {
    const f = facts[i]!;
    const what = `string ${i}: ${JSON.stringify(s)}`;
    assert.equal(pyLen(s), f.len, what);
    assert.equal(s.length, f.utf16_len, what);
    assert.equal(hasSurrogatePair(s), f.len !== f.utf16_len, what);
    // pyLen over a UTF-16 range: the pieces between '\n'.
    const lens: number[] = [];
    for (let a = 0; ; ) {
      const nl = s.indexOf('\n', a);
      lens.push(pyLen(s, a, nl === -1 ? s.length : nl));
      if (nl === -1) break;
      a = nl + 1;
    }
    assert.deepEqual(lens, f.nl_piece_lens, what);
  });
});
