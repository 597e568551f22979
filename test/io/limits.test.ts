/**
 * The record-size and decompression-ratio caps of every reader, on files written here: lines (with
 * and without a handler, across ranges), JSON array elements, wiki pages, Posts.xml rows, LaTeX
 * files, books, and gzip / zstd / bzip2 bombs. Over-size records are reported with their offset and
 * the records around them read whole; nothing over the cap is ever held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import { CorpusError } from '../../src/core/errors.js';
import { DecompressionBombError, openDecompressed } from '../../src/io/compression.js';
import { readJsonRecords } from '../../src/io/json-records.js';
import { readJsonLines } from '../../src/io/jsonl.js';
import { readLines, type OversizeLine } from '../../src/io/lines.js';
import { splitLineFile } from '../../src/io/byte-ranges.js';
import { stackexchangeSource } from '../../src/sources/stackexchange/source.js';
import { asUtf8, splitPages, type DumpPart } from '../../src/sources/wikipedia/dump.js';
import { collect, readContext, tempDir } from '../helpers.js';

const CAP = 1000;
const long = 'x'.repeat(5000);

test('lines over the cap are handed over with offset, size and head, never held; without a handler they are an error naming the file', async () => {
  const dir = tempDir();
  const path = join(dir, 'l.txt');
  writeFileSync(path, `short 1\n${long}\nshort 2\n${long}`);
  const over: OversizeLine[] = [];
  const lines = await collect(readLines(path, { maxLineBytes: CAP, onOversize: (l) => over.push(l) }));
  assert.deepEqual(
    lines.map((l) => [l.bytes.toString(), l.offset, l.index]),
    [
      ['short 1', 0, 0],
      ['short 2', 5009, 2],
    ],
  );
  assert.deepEqual(
    over.map((l) => [l.offset, l.index, l.size, l.head.length]),
    [
      [8, 1, 5000, 1024],
      [5017, 3, 5000, 1024],
    ],
  );
  await assert.rejects(
    collect(readLines(path, { maxLineBytes: CAP })),
    (e: Error) => e instanceof CorpusError && /l\.txt: byte 8: a line of 5000 bytes is longer than the 1000-byte record limit/.test(e.message),
  );
  // Split into ranges: the long line is reported once, by the range it starts in.
  for (const target of [7, 100, 3000]) {
    const seen: number[] = [];
    const texts: string[] = [];
    for (const s of splitLineFile(path, 10_026, target))
      for await (const l of readLines(path, { range: s.range, maxLineBytes: CAP, onOversize: (x) => seen.push(x.offset) })) texts.push(l.bytes.toString());
    assert.deepEqual(seen, [8, 5017], `ranges of ${target}`);
    assert.deepEqual(texts, ['short 1', 'short 2']);
  }
});

test('JSON lines and array elements over the cap are bad records; the others read', async () => {
  const dir = tempDir();
  const jsonl = join(dir, 'a.jsonl.gz');
  writeFileSync(jsonl, gzipSync(`{"n":1}\n{"text":"${long}"}\n{"n":3}\n`));
  const bad: Array<{ reason: string; record: string | number }> = [];
  const rows = await collect(readJsonLines(jsonl, { convert: (l) => l.value, maxRecordBytes: CAP, onBad: (b) => bad.push(b) }));
  assert.deepEqual(rows, [{ n: 1 }, { n: 3 }]);
  assert.deepEqual(bad, [
    {
      reason: 'record_too_large',
      file: jsonl,
      record: 'line 2',
      detail: 'a line of 5011 bytes is longer than max_record_bytes (1000); streamed past',
      raw: `{"text":"${long}`.slice(0, 200),
    },
  ]);
  const arr = join(dir, 'b.json');
  writeFileSync(arr, `[{"n":1}, {"text":"${long}"}, {"n":3}]`);
  const recs = await collect(readJsonRecords(arr, { maxRecordBytes: CAP }));
  assert.deepEqual(
    recs.map((r) => r.value ?? r.reason),
    [{ n: 1 }, 'record_too_large', { n: 3 }],
  );
  assert.equal(recs[1]!.offset, 10);
});

test('a wiki page over the cap is skipped to its </page> and reported; the next page reads', async () => {
  const page = (id: number, body: string) => `<page><title>P${id}</title><ns>0</ns><id>${id}</id><revision><text>${body}</text></revision></page>\n`;
  const xml = Buffer.from(`<mediawiki><siteinfo/>\n${page(1, 'one')}${page(2, long)}${page(3, 'three')}</mediawiki>\n`);
  // However the bytes are chunked.
  for (const size of [1, 7, 64, 100_000]) {
    const chunks = async function* () {
      for (let i = 0; i < xml.length; i += size) yield xml.subarray(i, i + size);
    };
    const parts: DumpPart[] = await collect(splitPages(asUtf8(chunks()), CAP));
    const summary = parts.map((p) => (p.kind === 'page' ? `page@${p.offset}` : p.kind === 'oversize' ? `oversize@${p.offset}+${p.size}` : 'header'));
    const second = xml.indexOf('<page><title>P2');
    const third = xml.indexOf('<page><title>P3');
    assert.deepEqual(summary, ['header', `page@${xml.indexOf('<page>')}`, `oversize@${second}+${third - 1 - second}`, `page@${third}`], `chunks of ${size}`);
  }
});

test('a Posts.xml row over max_record_bytes is quarantined with its byte offset', async () => {
  const dir = tempDir();
  const path = join(dir, 'Posts.xml');
  const row = (id: number, body: string) => `  <row Id="${id}" PostTypeId="1" Score="1" Title="T${id}" Body="${body}" />\n`;
  writeFileSync(path, `<?xml version="1.0" encoding="utf-8"?>\n<posts>\n${row(1, 'a')}${row(2, long)}${row(3, 'c')}</posts>\n`);
  const ctx = Object.assign(readContext(), { limits: { maxRecordBytes: CAP, maxDecompressionRatio: 100 } });
  const docs = await collect(stackexchangeSource.read({ path, name: 'x.stackexchange.com.7z', url: pathToFileURL(path).href, bytes: 0 }, {} as never, ctx));
  assert.deepEqual(
    docs.map((d) => d.meta.post_id),
    [1, 3],
  );
  assert.equal(ctx.bad.length, 1);
  assert.equal(ctx.bad[0]!.reason, 'record_too_large');
  assert.equal(ctx.bad[0]!.record, `byte ${`<?xml version="1.0" encoding="utf-8"?>\n<posts>\n${row(1, 'a')}`.length}`);
});

test('gzip, zstd and bzip2 bombs stop past the ratio cap with DecompressionBombError; ordinary data passes', async () => {
  const dir = tempDir();
  const zeros = Buffer.alloc(64 << 20);
  const files: Record<string, Buffer> = {
    'z.bin.gz': gzipSync(zeros),
    'z.bin.zst': compress(zeros),
    'z.bin.bz2': execFileSync('bzip2', ['-c'], { input: zeros, maxBuffer: 1 << 30 }),
  };
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, data);
    let got = 0;
    await assert.rejects(
      (async () => {
        for await (const c of openDecompressed(path, { maxRatio: 50, slack: 1 << 20 })) got += (c as Buffer).length;
      })(),
      (e: Error) => e instanceof DecompressionBombError && e.message.startsWith(`${path}: decompression bomb: `),
      name,
    );
    assert.ok(got < 32 << 20, `${name}: stopped after ${got} bytes`);
    // Without the cap the same file reads whole.
    let all = 0;
    for await (const c of openDecompressed(path, { maxRatio: Infinity })) all += (c as Buffer).length;
    assert.equal(all, zeros.length, name);
  }
  // Text compresses a few times, far below the default cap.
  const text = join(dir, 't.jsonl.gz');
  writeFileSync(text, gzipSync(Buffer.from(Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ text: `line ${i} ${Math.sin(i)}` })).join('\n'))));
  assert.equal((await collect(readJsonLines(text, { convert: (l) => l.value }))).length, 20_000);
});

test('a LaTeX file and a book over max_record_bytes are quarantined, named, not read', async () => {
  const { arxivSource } = await import('../../src/sources/arxiv/source.js');
  const { pg19Source } = await import('../../src/sources/books/source.js');
  const tar = (await import('tar-stream')).default;
  const limits = { maxRecordBytes: CAP, maxDecompressionRatio: 100 };
  const ctx = Object.assign(readContext(), { limits });
  // A monthly tar with two papers: one fine, one whose LaTeX file is over the cap.
  const tex = (body: string) => gzipSync(`\\documentclass{article}\\begin{document}\\section{A}${body}\\end{document}`);
  const pack = tar.pack();
  pack.entry({ name: '2301/2301.00001.gz' }, tex('A short paper.'));
  pack.entry({ name: '2301/2301.00002.gz' }, tex(long));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const tarDir = tempDir();
  const tarPath = join(tarDir, 'arXiv_src_2301_001.tar');
  writeFileSync(tarPath, Buffer.concat(chunks));
  const papers = await collect(arxivSource.read({ path: tarPath, name: 'arXiv_src_2301_001.tar', url: pathToFileURL(tarPath).href, bytes: 0 }, arxivSource.params.parse({}), ctx));
  assert.deepEqual(
    papers.map((d) => d.meta.arxiv_id),
    ['2301.00001'],
  );
  assert.deepEqual(
    ctx.bad.map((b) => [b.reason, b.file, b.record]),
    [['record_too_large', 'arXiv_src_2301_001.tar', '2301/2301.00002.gz']],
  );
  assert.match(ctx.bad[0]!.detail, /main\.tex: a LaTeX file of \d+ bytes is longer than max_record_bytes \(1000\)/);
  const dir = tempDir();
  writeFileSync(join(dir, '1.txt'), 'A short book.');
  writeFileSync(join(dir, '2.txt'), long);
  const books = Object.assign(readContext(), { limits });
  const task = {
    path: dir,
    name: 'pg19',
    url: '',
    bytes: 0,
    extra: { books: [1, 2].map((i) => ({ path: join(dir, `${i}.txt`), name: `train/${i}.txt`, bytes: 0, meta: { gutenberg_id: i } })) },
  };
  const docs = await collect(pg19Source.read(task, {} as never, books));
  assert.deepEqual(
    docs.map((d) => d.text),
    ['A short book.\n'],
  );
  assert.deepEqual(
    books.bad.map((b) => [b.reason, b.file]),
    [['record_too_large', 'train/2.txt']],
  );
});
