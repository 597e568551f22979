import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusError } from '../../src/core/errors.js';
import { ArrayCursor, ExternalSorter, jsonLinesCodec, KWayMerge, RunReader, RunWriter, type RecordDecoder } from '../../src/io/external-sort.js';
import { tempDir } from '../helpers.js';

type Rec = { key: number; seq: number; pad: string };
const byKey = (a: Rec, b: Rec) => a.key - b.key;

test('spills several sorted runs, merges them, and keeps equal keys in the order they were added', () => {
  const dir = join(tempDir(), 'sort');
  const sorter = new ExternalSorter<Rec>({ dir, codec: jsonLinesCodec<Rec>(), compare: byKey, memoryBytes: 20_000, sizeOf: (r) => 100 + r.pad.length });
  // 5000 records, keys 0..49 in a scrambled order (1237 is coprime with 5000), 100 records per key.
  const n = 5000;
  for (let i = 0; i < n; i++) {
    const seq = (i * 1237) % n;
    sorter.add({ key: seq % 50, seq: i, pad: 'p'.repeat(seq % 13) });
  }
  assert.ok(sorter.runs >= 3, `expected several spilled runs, got ${sorter.runs}`);
  assert.equal(readdirSync(dir).length, sorter.runs, 'one file per run, no temporary left');
  // Expected, built without sorting: for each key, the records with that key in insertion order.
  const expected: Array<[number, number]> = [];
  for (let key = 0; key < 50; key++) for (let i = 0; i < n; i++) if (((i * 1237) % n) % 50 === key) expected.push([key, i]);
  const got = [...sorter.sorted()].map((r) => [r.key, r.seq]);
  assert.deepEqual(got, expected);
});

test('with nothing spilled the records are sorted in memory and no folder is made', () => {
  const dir = join(tempDir(), 'never');
  const sorter = new ExternalSorter<Rec>({ dir, codec: jsonLinesCodec<Rec>(), compare: byKey, memoryBytes: 1 << 30, sizeOf: () => 1 });
  for (const key of [3, 1, 2, 1]) sorter.add({ key, seq: key * 10 + sorter.runs, pad: '' });
  assert.deepEqual(
    [...sorter.sorted()].map((r) => r.key),
    [1, 1, 2, 3],
  );
  assert.equal(sorter.runs, 0);
  assert.equal(existsSync(dir), false);
});

test('the k-way merge takes equal records from the lower cursor first, and handles empty cursors', () => {
  const a = new ArrayCursor([
    [1, 'a'],
    [2, 'a'],
    [2, 'a2'],
    [5, 'a'],
  ]);
  const b = new ArrayCursor<[number, string]>([]);
  const c = new ArrayCursor([
    [0, 'c'],
    [2, 'c'],
    [6, 'c'],
  ]);
  const d = new ArrayCursor([
    [2, 'd'],
    [5, 'd'],
  ]);
  const m = new KWayMerge<[number, string]>([a, b, c, d] as ArrayCursor<[number, string]>[], (x, y) => x[0] - y[0]);
  assert.deepEqual(
    [...m].map((r) => r.join('')),
    ['0c', '1a', '2a', '2a2', '2c', '2d', '5a', '5d', '6c'],
  );
  assert.deepEqual([...new KWayMerge<number>([], (x, y) => x - y)], []);
});

test('the merge of any number of cursors gives every record once, ordered by key then cursor then position', () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let k = 1; k <= 21; k++) {
    // Cursor c holds ascending keys (with repeats) in [0, 30); some cursors are empty.
    const lists: Array<Array<[number, number, number]>> = [];
    for (let c = 0; c < k; c++) {
      const len = rand(4) === 0 ? 0 : rand(40);
      const keys = Array.from({ length: len }, () => rand(30));
      const sorted: number[] = [];
      for (let key = 0; key < 30; key++) for (const x of keys) if (x === key) sorted.push(x);
      lists.push(sorted.map((key, pos) => [key, c, pos]));
    }
    const expected = lists.flat().sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    const got = [
      ...new KWayMerge(
        lists.map((l) => new ArrayCursor(l)),
        (a, b) => a[0] - b[0],
      ),
    ];
    assert.deepEqual(got, expected, `k=${k}`);
  }
});

/** 8-byte records (two uint32), decoded into one reused object, as the MinHash band runs are. */
const pairDecoder: RecordDecoder<{ a: number; b: number }> = {
  size: 8,
  frame: (_buf, start, end) => (end - start >= 8 ? start + 8 : -1),
  decode(buf, start, _stop, prev) {
    const r = prev ?? { a: 0, b: 0 };
    r.a = buf.readUInt32LE(start);
    r.b = buf.readUInt32LE(start + 4);
    return r;
  },
};

test('fixed-size binary runs: written whole under their final name, read across buffer refills, merged', () => {
  const dir = tempDir();
  const paths: string[] = [];
  for (let run = 0; run < 3; run++) {
    const path = join(dir, `run-${run}.bin`);
    const w = new RunWriter(path);
    for (let i = 0; i < 1000; i++) {
      const rec = Buffer.alloc(8);
      rec.writeUInt32LE(i * 3 + run, 0);
      rec.writeUInt32LE(run, 4);
      w.write(rec);
    }
    assert.equal(existsSync(path), false, 'no final name before close');
    w.close();
    assert.equal(readFileSync(path).length, 8000);
    paths.push(path);
  }
  // A 20-byte buffer holds 2.5 records: every refill leaves part of a record to carry over.
  const m = new KWayMerge(
    paths.map((p) => new RunReader(p, pairDecoder, 20)),
    (x, y) => x.a - y.a,
  );
  const got: number[] = [];
  while (m.next()) {
    assert.equal(m.value!.b, m.value!.a % 3, 'the record comes from its run');
    got.push(m.value!.a);
  }
  assert.deepEqual(
    got,
    Array.from({ length: 3000 }, (_, i) => i),
  );
  // An aborted writer leaves nothing behind.
  const w = new RunWriter(join(dir, 'aborted.bin'));
  w.write(Buffer.alloc(8));
  w.abort();
  assert.deepEqual(readdirSync(dir).sort(), ['run-0.bin', 'run-1.bin', 'run-2.bin']);
});

test('a record longer than the read buffer is read whole; a run cut inside a record is an error naming it', () => {
  const dir = tempDir();
  const path = join(dir, 'long.jsonl');
  const recs = ['short', 'y'.repeat(200_000), 'after'];
  writeFileSync(path, recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const r = new RunReader(path, jsonLinesCodec<string>(), 64);
  const got: string[] = [];
  while (r.next()) got.push(r.value!);
  assert.deepEqual(got, recs);
  const cut = join(dir, 'cut.jsonl');
  writeFileSync(cut, '"a"\n"b"\n"unfinish');
  const c = new RunReader(cut, jsonLinesCodec<string>());
  assert.equal(c.next(), true);
  assert.equal(c.next(), true);
  assert.throws(
    () => c.next(),
    (e: Error) => e instanceof CorpusError && e.message.includes('cut.jsonl') && e.message.includes('ends inside a record'),
  );
});
