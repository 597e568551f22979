import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import { CorpusError } from '../../src/core/errors.js';
import { byteRanges } from '../../src/io/byte-ranges.js';
import { readJsonLines, type BadRecord, type JsonLine } from '../../src/io/jsonl.js';
import { tempDir } from '../helpers.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const asIs = (l: JsonLine) => l;

// Records of varied length (some longer than 64 KiB, so they span several read chunks).
const records = Array.from({ length: 300 }, (_, i) => ({ n: i, text: `record ${i} ü ${'x'.repeat(i % 7 === 0 ? 70_000 + i : i * 3)}` }));
const body = Buffer.from(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

test('reads JSON lines alike from plain, gzip, zstd and bzip2 files, counting every raw byte', async () => {
  const dir = tempDir();
  const files: Record<string, Buffer> = {
    'a.jsonl': body,
    'b.jsonl.gz': gzipSync(body),
    'c.jsonl.zst': compress(body),
    'd.jsonl.bz2': execFileSync('bzip2', ['-c'], { input: body, maxBuffer: 1 << 28 }),
  };
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    let consumed = 0;
    const got = await collect(readJsonLines(path, { convert: asIs, onBytes: (n) => (consumed += n) }));
    assert.deepEqual(
      got.map((l) => l.value),
      records,
      name,
    );
    assert.deepEqual(
      got.map((l) => l.index),
      records.map((_, i) => i),
      name,
    );
    assert.equal(consumed, bytes.length, `${name}: raw bytes reported`);
  }
});

test('byte ranges that cut records in the middle read every record exactly once, with its file offset', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.jsonl');
  writeFileSync(path, body);
  // Where each record starts, from the bytes written above.
  const starts: number[] = [];
  for (let off = 0, i = 0; i < records.length; i++) {
    starts.push(off);
    off += Buffer.byteLength(JSON.stringify(records[i])) + 1;
  }
  for (const target of [10_000, 50_000, 333_333, body.length]) {
    const ranges = byteRanges(body.length, target);
    if (ranges.length > 1)
      assert.ok(
        ranges.some((r) => !starts.includes(r.start)),
        `target ${target}: some range starts mid-record`,
      );
    const seen: JsonLine[] = [];
    let consumed = 0;
    for (const range of ranges) {
      let mine = 0;
      for await (const l of readJsonLines(path, { range, convert: asIs, onBytes: (n) => (mine += n) })) {
        assert.ok(l.offset >= range.start && l.offset < range.end, 'a record belongs to the range it starts in');
        seen.push(l);
      }
      assert.equal(mine, range.end - range.start, 'a range reports exactly its own bytes');
      consumed += mine;
    }
    assert.deepEqual(
      seen.map((l) => l.value),
      records,
      `target ${target}`,
    );
    assert.deepEqual(
      seen.map((l) => l.offset),
      starts,
    );
    assert.equal(consumed, body.length);
  }
});

test('a range of a compressed file is refused with an error naming the file', async () => {
  const dir = tempDir();
  const path = join(dir, 'r.jsonl.gz');
  writeFileSync(path, gzipSync(body));
  await assert.rejects(collect(readJsonLines(path, { range: { start: 0, end: 100 }, convert: asIs })), (e: Error) => e instanceof CorpusError && e.message.includes('r.jsonl.gz'));
});

test('bad lines are quarantined with file, line number, reason and raw text; good lines around them survive', async () => {
  const dir = tempDir();
  const path = join(dir, 'bad.jsonl.gz');
  const lines = [
    Buffer.from('{"n":1}'),
    Buffer.from('{"n": broken'),
    Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0xfe]),
    Buffer.from(''),
    Buffer.from('{"m":4}'),
    Buffer.from('{"n":5}\r'),
  ];
  writeFileSync(path, gzipSync(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))));
  const bad: BadRecord[] = [];
  const convert = (l: JsonLine) => {
    const v = l.value as { n?: number };
    if (typeof v.n !== 'number') throw new TypeError('expected a number "n"');
    return v.n;
  };
  const got = await collect(readJsonLines(path, { convert, onBad: (b) => bad.push(b), reasons: { record: 'no_n' } }));
  assert.deepEqual(got, [1, 5]);
  assert.deepEqual(
    bad.map((b) => [b.file, b.record, b.reason]),
    [
      [path, 'line 2', 'malformed_json'],
      [path, 'line 3', 'invalid_utf8'],
      [path, 'line 5', 'no_n'],
    ],
  );
  assert.equal(bad[0]!.raw, '{"n": broken');
  assert.equal(bad[1]!.raw, '{"n\u00ff\u00fe');
  assert.equal(bad[2]!.detail, 'expected a number "n"');
  // Named by byte offset when asked: line 2 starts after '{"n":1}\n'.
  const byByte: BadRecord[] = [];
  await collect(readJsonLines(path, { convert, position: 'byte', onBad: (b) => byByte.push(b) }));
  assert.equal(byByte[0]!.record, 'byte 8');
  // Without a quarantine the first bad line is an error naming file and line.
  await assert.rejects(
    collect(readJsonLines(path, { convert })),
    (e: Error) => e instanceof CorpusError && e.message.includes('bad.jsonl.gz') && e.message.includes('line 2') && e.message.includes('malformed_json'),
  );
});

test('a truncated compressed file fails naming the file and how far it was read', async () => {
  const dir = tempDir();
  const path = join(dir, 'cut.jsonl.zst');
  const z = compress(body);
  writeFileSync(path, z.subarray(0, Math.floor(z.length * 0.7)));
  await assert.rejects(collect(readJsonLines(path, { convert: asIs })), (e: Error) => {
    assert.ok(e instanceof CorpusError);
    assert.match(e.message, /cut\.jsonl\.zst/);
    assert.match(e.message, /after line [1-9]\d*$/);
    return true;
  });
  assert.ok(statSync(path).size > 0);
});
