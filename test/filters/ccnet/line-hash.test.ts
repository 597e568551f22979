/**
 * cc_net's line normalisation and hash, checked against Python itself: /usr/bin/python3 applies
 * `normalize_for_dedup` as cc_net defines it (strip, lower, \d → 0, delete UNICODE_PUNCT keys and
 * C0/C1 controls) and hashes with hashlib (sha1, first 8 bytes, little-endian).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lineHash, textLineHashes } from '../../../src/filters/ccnet/line-hash.js';
import { normalizeForDedup, UNICODE_PUNCT } from '../../../src/text/ccnet-normalize.js';

const LINES = [
  'Famous Mark Twain Quotes',
  "  Don't part with your illusions.  ",
  'Call 555-0123 before 10:30 on 2023-06-01!',
  '',
  '   \t  ',
  '事實是固執的東西，但統計數字卻比較柔和。',
  '«Цитаты» — знаменитого Марка Твена…',
  'Ürün FİYATI: ٣٤٥ TL ％',
  'ΟΔΥΣΣΕΥΣ ΚΑΙ ΠΗΝΕΛΟΠΗΣ',
  '\x1c\x85 control\x07chars\x9f inside \u00a0',
  '\ufeffBOM is not whitespace in Python',
  'emoji 🦙 and 𝟘𝟙𝟚 math digits',
  '【セール】１００％ オフ！',
  'Line with\u2028separator',
];

const PY = String.raw`
import hashlib, json, re, sys
punct = json.loads(sys.argv[1])
drop = re.compile("[" + "".join(punct) + "".join(map(chr, list(range(0, 32)) + list(range(127, 160)))) + "]")
def norm(line):
    line = line.strip()
    if not line:
        return line
    line = line.lower()
    line = re.sub(r"\d", "0", line)
    return drop.sub("", line)
out = []
for line in json.loads(sys.stdin.read()):
    n = norm(line)
    h = int.from_bytes(hashlib.sha1(n.encode("utf-8")).digest()[:8], "little")
    out.append([n, str(h)])
print(json.dumps(out))
`;

function python(lines: string[]): [string, string][] {
  const out = execFileSync('/usr/bin/python3', ['-c', PY, JSON.stringify(Object.keys(UNICODE_PUNCT))], { input: JSON.stringify(lines), encoding: 'utf8' });
  return JSON.parse(out) as [string, string][];
}

test('normalize_for_dedup gives the same string as Python for tricky lines', () => {
  const expected = python(LINES);
  for (const [i, line] of LINES.entries()) assert.equal(normalizeForDedup(line), expected[i]![0], `line ${i}: ${JSON.stringify(line)}`);
});

test('line hashes equal hashlib sha1 first 8 bytes little-endian', () => {
  const expected = python(LINES);
  for (const [i, line] of LINES.entries()) assert.equal(lineHash(line).toString(), expected[i]![1], `line ${i}: ${JSON.stringify(line)}`);
});

test('known value: the empty line hashes to the first 8 bytes of sha1("")', () => {
  // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709; bytes da 39 a3 ee 5e 6b 4b 0d read little-endian.
  assert.equal(lineHash('   '), 0x0d4b6b5eeea339dan);
});

test('the hashes of a whole document equal hashlib line by line, long lines included', () => {
  // Lines of 55, 56, 63, 64 and 200 bytes cross the SHA-1 padding and block boundaries.
  const lines = [...LINES.filter((l) => !l.includes('\n') && !l.includes('\u2028')), 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(63), 'w'.repeat(64), 'v'.repeat(200)];
  const expected = python(lines);
  const got = textLineHashes(lines.join('\n'));
  assert.equal(got.length, lines.length * 2);
  lines.forEach((line, i) => {
    const h = (BigInt(got[i * 2 + 1]!) << 32n) | BigInt(got[i * 2]!);
    assert.equal(h.toString(), expected[i]![1], `line ${i}: ${JSON.stringify(line)}`);
  });
});
