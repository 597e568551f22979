import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { byteRanges, firstLineStart, splitLineFile } from '../../src/io/byte-ranges.js';
import { readLines, splitLines } from '../../src/io/lines.js';
import { tempDir } from '../helpers.js';

test('byteRanges tiles [0, size) with ranges of about the target', () => {
  assert.deepEqual(byteRanges(10, 4), [
    { start: 0, end: 3 },
    { start: 3, end: 6 },
    { start: 6, end: 10 },
  ]);
  assert.deepEqual(byteRanges(10, 100), [{ start: 0, end: 10 }]);
  assert.deepEqual(byteRanges(0, 100), [{ start: 0, end: 0 }]);
});

test('splitLineFile: ranges for an uncompressed file, the whole file when compressed', () => {
  assert.deepEqual(splitLineFile('/x/Posts.xml', 10, 4), [
    { bytes: 3, range: { start: 0, end: 3 } },
    { bytes: 3, range: { start: 3, end: 6 } },
    { bytes: 4, range: { start: 6, end: 10 } },
  ]);
  for (const name of ['/x/a.jsonl.gz', '/x/a.json.zst', '/x/a.jsonl.bz2']) assert.deepEqual(splitLineFile(name, 1000, 4), [{ bytes: 1000 }], name);
});

test('firstLineStart: the range start itself after a newline, else past the next newline', async () => {
  const dir = tempDir();
  const path = join(dir, 'f.txt');
  writeFileSync(path, 'ab\ncd\n\nef');
  assert.equal(await firstLineStart(path, 0), 0);
  assert.equal(await firstLineStart(path, 1), 3); // inside "ab"
  assert.equal(await firstLineStart(path, 3), 3); // "cd" starts here
  assert.equal(await firstLineStart(path, 6), 6); // the empty line
  assert.equal(await firstLineStart(path, 8), -1); // inside the last, unterminated line
});

test('every split of a file into ranges reads each line once, CRLF and a missing final newline included', async () => {
  const dir = tempDir();
  const path = join(dir, 'f.txt');
  const lines = ['first', '', 'third\u00e9', 'x'.repeat(300), 'fifth', 'last'];
  writeFileSync(path, `${lines.slice(0, -1).join('\r\n')}\r\n${lines.at(-1)}`);
  const size = Buffer.byteLength(`${lines.slice(0, -1).join('\r\n')}\r\n${lines.at(-1)}`);
  for (let target = 1; target <= size; target++) {
    const seen: string[] = [];
    for (const range of byteRanges(size, target)) for await (const l of readLines(path, { range })) seen.push(l.bytes.toString('utf8'));
    assert.deepEqual(seen, lines, `target ${target}`);
  }
});

test('one line spread over thousands of chunks is joined whole, with its offset', async () => {
  const line = Buffer.alloc(3 << 20, 0x62);
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from('a\n');
    for (let off = 0; off < line.length; off += 1000) yield line.subarray(off, off + 1000);
    yield Buffer.from('\nz');
  }
  const got = [];
  for await (const l of splitLines(chunks(), 10))
    got.push({ len: l.bytes.length, offset: l.offset, index: l.index, same: l.bytes.length > 1 ? l.bytes.equals(line) : l.bytes.toString() });
  assert.deepEqual(got, [
    { len: 1, offset: 10, index: 0, same: 'a' },
    { len: line.length, offset: 12, index: 1, same: true },
    { len: 1, offset: 13 + line.length, index: 2, same: 'z' },
  ]);
  // Through gzip (64 KiB chunks) the same.
  const dir = tempDir();
  const path = join(dir, 'long.txt.gz');
  writeFileSync(path, gzipSync(Buffer.concat([Buffer.from('a\n'), line, Buffer.from('\nz')])));
  const lens = [];
  for await (const l of readLines(path)) lens.push(l.bytes.length);
  assert.deepEqual(lens, [1, line.length, 1]);
});
