/**
 * src/text/char-classes.ts against Python itself: the class bits of every code point Python 3.11
 * (Unicode 14) has assigned, lone surrogates included, and the NFD shortcut on tricky strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charClass, LOWER_OR_TITLE, needsNfd, NUMERIC, SPACE, UPPER, WORD } from '../../src/text/char-classes.js';
import { pythonClasses, pythonStrings, table, TRICKY } from './reference.js';

const classes = pythonClasses();

/**
 * Properties that later Unicode versions changed (Other_Lowercase gained these modifier letters;
 * U+2F890 gained a numeric value): Node's ICU follows the newer data, Python 3.11 has Unicode 14.
 * Any other difference fails the test.
 */
const UNICODE_DRIFT = new Set([...['295', '10fc', 'a7f2', 'a7f3', 'a7f4', 'ab69'].map((h) => `LOWER_OR_TITLE U+${h}`), 'NUMERIC U+2f890']);

test('WORD, UPPER, LOWER_OR_TITLE, NUMERIC and SPACE equal re \\w, isupper, islower/Lt, isnumeric, isspace', () => {
  const assigned = table(classes.assigned);
  const want: [string, number, Uint8Array][] = [
    ['WORD', WORD, table(classes.word)],
    ['UPPER', UPPER, table(classes.upper)],
    ['LOWER_OR_TITLE', LOWER_OR_TITLE, table(classes.lower_or_title)],
    ['NUMERIC', NUMERIC, table(classes.numeric)],
    ['SPACE', SPACE, table(classes.space)],
  ];
  const bad: string[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    // Code points Python 3.11 does not know yet may have gained properties in Node's newer Unicode.
    if (!assigned[cp]) continue;
    const f = charClass(cp);
    for (const [name, bit, t] of want) if (((f & bit) !== 0) !== (t[cp] === 1)) bad.push(`${name} U+${cp.toString(16)}`);
  }
  assert.deepEqual(
    bad.filter((b) => !UNICODE_DRIFT.has(b)),
    [],
  );
});

test('needsNfd is false only when Python NFD leaves the string unchanged', () => {
  const facts = pythonStrings(TRICKY);
  let changed = 0;
  TRICKY.forEach((s, i) => {
    if (!facts[i]!.nfd_same) {
      changed++;
      assert.equal(needsNfd(s), true, `string ${i}: ${JSON.stringify(s)}`);
    }
  });
  assert.ok(changed >= 2, 'some tricky strings change under NFD');
});
