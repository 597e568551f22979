/**
 * The native WARC/WET fast path against the TypeScript reader: every real file of
 * test/data/commoncrawl_warc and samples/commoncrawl, and files written here with a framing fault
 * in the middle (the fast path hands the rest back), must give the same documents, counts,
 * quarantined records and progress bytes both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSegment } from '../../../src/sources/commoncrawl/source.js';
import { NativeSegmentReader } from '../../../src/sources/commoncrawl/native-reader.js';
import type { Doc } from '../../../src/core/document.js';
import { CorruptInputError } from '../../../src/io/compression.js';
import { collect, readContext, repoRoot, testData } from '../../helpers.js';

const params = { base_url: '', dumps: ['2023-06'], max_record_bytes: 64 << 20 };
const tmp = mkdtempSync(join(tmpdir(), 'native-wet-'));

async function both(path: string, max = params.max_record_bytes) {
  const run = async (native: boolean) => {
    const ctx = readContext();
    const docs: Doc[] = await collect(readSegment({ path, name: 'seg/x.warc.wet.gz', url: '', bytes: statSync(path).size }, { ...params, max_record_bytes: max }, ctx, { native }));
    return { docs: JSON.stringify(docs), n: docs.length, counts: ctx.counts, bad: ctx.bad, bytes: ctx.bytes };
  };
  const fast = await run(true);
  const slow = await run(false);
  assert.equal(fast.docs, slow.docs, `${path}: documents differ`);
  assert.deepEqual(fast.counts, slow.counts, `${path}: counts differ`);
  assert.deepEqual(fast.bad, slow.bad, `${path}: quarantined records differ`);
  assert.equal(fast.bytes, slow.bytes, `${path}: progress bytes differ`);
  return slow;
}

function wetRecord(url: string, body: string | Buffer, opts: { length?: number | null; eol?: string; type?: string } = {}): Buffer {
  const eol = opts.eol ?? '\r\n';
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const len = opts.length === undefined ? b.length : opts.length;
  const headers = ['WARC/1.0', `WARC-Type: ${opts.type ?? 'conversion'}`, `WARC-Target-URI: ${url}`, 'WARC-Date: 2023-02-01T10:00:00Z', 'WARC-Block-Digest: sha1:AAAA'];
  if (len !== null) headers.push(`Content-Length: ${len}`);
  return Buffer.concat([Buffer.from(headers.join(eol) + eol + eol), b, Buffer.from(eol + eol)]);
}

function write(name: string, members: Buffer[], gzip = true): string {
  const path = join(tmp, name);
  writeFileSync(path, gzip ? Buffer.concat(members.map((m) => gzipSync(m))) : Buffer.concat(members));
  return path;
}

test('real WARC, WET and WAT files read the same through the fast path and the TypeScript reader', async () => {
  // The clipped file fails its task either way (the damaged-stream test below).
  const files = readdirSync(join(testData, 'commoncrawl_warc'))
    .filter((f) => !f.endsWith('.jsonl.gz') && f !== 'resiliparse-clipped.warc.gz')
    .map((f) => join(testData, 'commoncrawl_warc', f));
  const sample = join(repoRoot, 'samples', 'commoncrawl');
  for (const f of readdirSync(sample, { recursive: true }).map(String)) if (/\.warc(\.wet)?\.gz$/.test(f)) files.push(join(sample, f));
  let docs = 0;
  for (const f of files) docs += (await both(f)).n;
  assert.ok(files.length >= 12 && docs > 100, `${files.length} files, ${docs} documents`);
});

test('the fast path reads clean WET files to the end itself', async () => {
  const sample = join(repoRoot, 'samples', 'commoncrawl');
  const wet = readdirSync(sample, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.warc.wet.gz'))
    .map((f) => join(sample, f));
  assert.equal(wet.length, 3);
  for (const f of wet) {
    const reader = new NativeSegmentReader(
      f,
      true,
      params.max_record_bytes,
      'x',
      () => {},
      (out) => ('doc' in out ? out.doc : undefined),
    );
    let n = 0;
    let got = reader.next();
    while (Array.isArray(got)) {
      n += got.length;
      got = reader.next();
    }
    reader.close();
    assert.equal(got, null, `${f} was handed back at ${JSON.stringify(got)}`);
    assert.ok(n > 20);
  }
});

test('a fault in the middle of a file: the records before it come from the fast path, the rest from the TypeScript reader', async () => {
  const good = (i: number) => wetRecord(`http://a/${i}`, `Title ${i}\n  line ${i}  \r\n\u3000\u00a0\nmore ${i}\u2028x\r\rlast\u0085\n`);
  const cases: Record<string, Buffer[]> = {
    length_mismatch: [good(1), good(2), wetRecord('http://bad/', 'T\nbody\n', { length: 3 }), good(3)],
    length_missing: [good(1), wetRecord('http://bad/', 'T\nbody\n', { length: null }), good(2)],
    truncated_end: [good(1), good(2), Buffer.from('WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 999\r\n\r\nTitle C\npartial')],
    garbage_between: [good(1), Buffer.from('not a warc header\r\n\r\n'), good(2)],
    other_types: [good(1), wetRecord('http://r/', 'GET / HTTP/1.1\r\n\r\n', { type: 'request' }), wetRecord('http://m/', 'x: y\r\n', { type: 'metadata' }), good(2)],
    empty_and_lf: [good(1), wetRecord('http://e/', '\n \n\t\n'), wetRecord('http://lf/', 'T\nlf only\n', { eol: '\n' }), good(2)],
    invalid_utf8: [good(1), wetRecord('http://u/', Buffer.from([0x54, 0x0a, 0xe2, 0x82, 0x0a, 0xc2, 0xc2, 0x85, 0x41, 0xc2, 0xa0, 0x0a, 0xf0, 0x9f, 0x0a, 0xff, 0x20])), good(2)],
  };
  for (const [name, members] of Object.entries(cases)) {
    await both(write(`${name}.warc.wet.gz`, members));
    await both(write(`${name}.warc.wet`, members, false));
  }
  // A record above max_record_bytes.
  await both(write('big.warc.wet.gz', [good(1), wetRecord('http://big/', `T\n${'x'.repeat(500)}\n`), good(2)]), 200);
});

test('a damaged gzip stream fails the task both ways, naming the file; the fast path yields the records it could frame before the damage', async () => {
  const good = (i: number) => wetRecord(`http://a/${i}`, `Title ${i}\nline ${i}\n`);
  const g = Buffer.concat([gzipSync(good(1)), gzipSync(good(2))]);
  writeFileSync(join(tmp, 'trailing.warc.wet.gz'), Buffer.concat([g, Buffer.from('garbage')]));
  writeFileSync(join(tmp, 'clipped.warc.wet.gz'), g.subarray(0, g.length - 30));
  const failing = async (path: string, native: boolean) => {
    const ctx = readContext();
    const docs: Doc[] = [];
    let error: Error | null = null;
    try {
      for await (const d of readSegment({ path, name: 'seg/x.warc.wet.gz', url: '', bytes: statSync(path).size }, params, ctx, { native })) docs.push(d);
    } catch (e) {
      error = e as Error;
    }
    return { docs, bad: ctx.bad, error };
  };
  for (const [name, kept] of [
    // The last record before trailing garbage cannot be checked against what follows it: handed back.
    ['trailing', 1],
    ['clipped', 1],
  ] as const) {
    const path = join(tmp, `${name}.warc.wet.gz`);
    const fast = await failing(path, true);
    const slow = await failing(path, false);
    assert.deepEqual(
      fast.docs.map((d) => d.text),
      Array.from({ length: kept }, (_, i) => `line ${i + 1}`),
    );
    // The TypeScript reader loses what sat in its read-ahead window; it never has more.
    assert.deepEqual(JSON.stringify(slow.docs), JSON.stringify(fast.docs.slice(0, slow.docs.length)));
    for (const r of [fast, slow]) {
      assert.ok(r.error instanceof CorruptInputError, `${name}: ${r.error}`);
      assert.match(r.error.message, new RegExp(`${name}\\.warc\\.wet\\.gz: corrupt or truncated gzip data \\(.*\\) \\((after \\d+ records.*|before the first record)\\)$`));
      assert.deepEqual(r.bad, []);
    }
  }
});
