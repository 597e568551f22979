/** The hashed-set file (io/hash-index.ts), the 64-bit string hash, and the row readers (io/rows.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hash64, hashSeq64 } from '../../src/core/hash64.js';
import { HashIndex, HashIndexBuilder } from '../../src/io/hash-index.js';
import { fieldTexts, fieldValue, readRows } from '../../src/io/rows.js';
import { tempDir } from '../helpers.js';

test('hash64: stable, seed- and order-sensitive, well spread', () => {
  const h = new Uint32Array(2);
  const g = new Uint32Array(2);
  hash64('hello world', h);
  hash64('hello world', g);
  assert.deepEqual([...h], [...g]);
  hash64('hello world', g, 1);
  assert.notDeepEqual([...h], [...g]);
  hash64('hello worle', g);
  assert.notDeepEqual([...h], [...g]);
  // 200k distinct strings: no collision in the 56 bits an index keeps, and the top 16 bits fill every bucket evenly.
  const seen = new Set<string>();
  const top = new Uint32Array(256);
  for (let i = 0; i < 200_000; i++) {
    hash64(`word-${i}`, h);
    seen.add(`${h[0]}:${h[1]! >>> 8}`);
    top[h[0]! >>> 24]!++;
  }
  assert.equal(seen.size, 200_000);
  assert.ok(Math.min(...top) > 600 && Math.max(...top) < 1000, `${Math.min(...top)}..${Math.max(...top)}`);
  const hi = new Uint32Array([1, 2, 3]);
  const lo = new Uint32Array([4, 5, 6]);
  hashSeq64(hi, lo, 0, 2, h);
  hashSeq64(new Uint32Array([2, 1]), new Uint32Array([5, 4]), 0, 2, g);
  assert.notDeepEqual([...h], [...g], 'order matters');
});

test('an index finds every key with its tags, nothing else, and survives a round trip through bytes', () => {
  const b = new HashIndexBuilder();
  const h = new Uint32Array(2);
  for (let i = 0; i < 50_000; i++) {
    hash64(`k${i}`, h);
    b.add(h[0]!, h[1]!, i % 7);
    if (i % 1000 === 0) b.add(h[0]!, h[1]!, 200);
    if (i % 5000 === 0) b.add(h[0]!, h[1]!, i % 7); // duplicates collapse
  }
  const bytes = b.bytes();
  assert.equal(bytes.length, 16 + 8 * (50_000 + 50));
  const idx = HashIndex.fromBytes(Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3));
  assert.equal(idx.size, 50_050);
  for (let i = 0; i < 50_000; i++) {
    hash64(`k${i}`, h);
    assert.deepEqual(idx.tags(h[0]!, h[1]!), i % 1000 === 0 ? [i % 7, 200] : [i % 7]);
  }
  let hits = 0;
  for (let i = 0; i < 50_000; i++) {
    hash64(`other${i}`, h);
    if (idx.has(h[0]!, h[1]!)) hits++;
  }
  assert.equal(hits, 0);
  assert.throws(() => HashIndex.fromBytes(Buffer.from('not an index at all')), /not a corpusmill hash index/);
  assert.throws(() => HashIndex.fromBytes(bytes.subarray(0, bytes.length - 8), 'x.bin'), /x\.bin: truncated/);
  const empty = HashIndex.fromBytes(new HashIndexBuilder().bytes());
  assert.equal(empty.find(1, 2), -1);
});

test('rows: JSON lines (compressed too) and JSON arrays; dotted fields through lists of objects', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync('{"q": "one", "a": {"text": ["x", "y"]}}\n\n{"q": "two", "a": {"text": []}}\n'));
  writeFileSync(join(dir, 'b.json'), JSON.stringify([{ q: 'three', a: [{ text: 'z' }, { text: 7 }] }]));
  const rows = [];
  for (const f of ['a.jsonl.gz', 'b.json']) for await (const r of readRows(join(dir, f))) rows.push(r);
  assert.deepEqual(
    rows.map((r) => r.q),
    ['one', 'two', 'three'],
  );
  assert.deepEqual(fieldTexts(fieldValue(rows[0]!, 'a.text')), ['x', 'y']);
  assert.deepEqual(fieldTexts(fieldValue(rows[2]!, 'a.text')), ['z', '7']);
  assert.equal(fieldValue(rows[0]!, 'missing.deep'), undefined);
  writeFileSync(join(dir, 'c.jsonl'), '{"q": 1}\n[1, 2]\n');
  await assert.rejects(async () => {
    for await (const _ of readRows(join(dir, 'c.jsonl'))) void _;
  }, /c\.jsonl: line 2: expected a JSON object/);
  assert.throws(() => readRows(join(dir, 'd.csv')), /d\.csv: no row reader for this file \(formats: json, parquet\)/);
});
