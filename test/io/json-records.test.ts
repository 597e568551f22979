/** JSON arrays streamed element by element (any chunking), JSON lines, bad records and broken files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers.js';
import { arrayElements, readJsonRecords, type JsonRecord } from '../../src/io/json-records.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const VALUES = [
  { instruction: 'Escape "quotes", \\ backslashes and ] brackets } in strings', input: '', output: '[{,}]' },
  { instruction: 'Non-ASCII: café, 東京, \ud83c\udf89', input: 'x', output: 'y' },
  { nested: { a: [1, [2, { b: '"]' }]] } },
  42,
  'a string, with a comma',
  null,
];

test('a JSON array yields its elements in order, with index and byte offset, however the bytes are chunked', async () => {
  // Python's json.dump(indent=4) layout (ensure_ascii escapes) and a compact one
  const pretty = Buffer.from(JSON.stringify(VALUES, null, 4).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  const compact = Buffer.from(`\ufeff${JSON.stringify(VALUES)}`);
  for (const buf of [pretty, compact]) {
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      const got = await collect(arrayElements(chunked(buf, size), 'mem'));
      assert.deepEqual(
        got.map((r) => r.value),
        VALUES,
        `chunks of ${size}`,
      );
      assert.deepEqual(
        got.map((r) => r.index),
        [0, 1, 2, 3, 4, 5],
      );
      // each offset points at the element's first byte
      for (const r of got) assert.ok('{4"n'.includes(String.fromCharCode(buf[r.offset]!)), `offset ${r.offset}`);
    }
  }
  assert.deepEqual(await collect(arrayElements(chunked(Buffer.from(' [ ] '), 1), 'mem')), []);
});

test('an element that is not valid JSON is yielded with its reason and reading goes on; broken arrays are errors naming the byte', async () => {
  const got = await collect(arrayElements(chunked(Buffer.from('[{"a": 1}, {"a": }, {"b": 2}]'), 4), 'mem'));
  assert.deepEqual(
    got.map((r: JsonRecord) => [r.index, r.reason ?? null, r.value ?? null]),
    [
      [0, null, { a: 1 }],
      [1, 'malformed_json', null],
      [2, null, { b: 2 }],
    ],
  );
  const bad = async (text: string) => collect(arrayElements(chunked(Buffer.from(text), 3), 'f.json'));
  await assert.rejects(bad('{"a": 1}'), /f\.json.*expected "\[" \(a JSON array\) at byte 0/);
  await assert.rejects(bad('[{"a": 1}, {"b": "unterminated}]'), /ends inside element 1 \(which starts at byte 11\)/);
  await assert.rejects(bad('[{"a": 1},]'), /trailing comma/);
  await assert.rejects(bad('[{"a": 1}] x'), /text after the end of the array at byte 11/);
  await assert.rejects(bad('[{"a": 1}'), /ends inside element 0/);
});

test('readJsonRecords tells a JSON array from JSON lines by the first byte, reads gzip, and reports invalid UTF-8', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.json.gz'), gzipSync('\n  [{"x": 1},\n {"x": 2}]\n'));
  assert.deepEqual(
    (await collect(readJsonRecords(join(dir, 'a.json.gz')))).map((r) => r.value),
    [{ x: 1 }, { x: 2 }],
  );
  writeFileSync(join(dir, 'b.jsonl'), Buffer.concat([Buffer.from('{"x": 1}\n\n{"x": \n'), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a]), Buffer.from('{"x": 4}')]));
  const lines = await collect(readJsonRecords(join(dir, 'b.jsonl')));
  assert.deepEqual(
    lines.map((r) => [r.index, r.offset, r.reason ?? r.value]),
    [
      [0, 0, { x: 1 }],
      [2, 10, 'malformed_json'],
      [3, 17, 'invalid_utf8'],
      [4, 23, { x: 4 }],
    ],
  );
  writeFileSync(join(dir, 'empty.json'), '  \n');
  assert.deepEqual(await collect(readJsonRecords(join(dir, 'empty.json'))), []);
});
