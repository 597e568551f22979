/**
 * The WARC reader and the CommonCrawl sources on the real files in test/data/commoncrawl_warc
 * (Common Crawl WET/WARC/WAT, cc_net's fixture, wget and ClueWeb09 WARCs, a clipped file), plus
 * small files written here for each framing fault.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSegment } from '../../../src/sources/commoncrawl/source.js';
import { readWarcRecords } from '../../../src/sources/commoncrawl/warc.js';
import type { Doc } from '../../../src/core/document.js';
import { CorpusError } from '../../../src/core/errors.js';
import { collect, readContext, testData } from '../../helpers.js';

const dir = join(testData, 'commoncrawl_warc');
const params = { base_url: '', dumps: ['2023-06'], max_record_bytes: 64 << 20 };

async function readFile(path: string, name = path.split('/').pop()!) {
  const ctx = readContext();
  const docs: Doc[] = await collect(readSegment({ path, name, url: `file://${path}`, bytes: statSync(path).size }, params, ctx));
  return { docs, ctx };
}

test('Common Crawl WET (CC-MAIN-2024-22): headers read by name, not position', async () => {
  const { docs, ctx } = await readFile(join(dir, 'cc-whirlwind-CC-MAIN-2024-22.warc.wet.gz'), 'crawl-data/CC-MAIN-2024-22/x.warc.wet.gz');
  assert.equal(docs.length, 1);
  const m = docs[0]!.meta;
  // In this dump Content-Length sits before WARC-Block-Digest: cc_net's headers[6] would be wrong.
  assert.equal(m.url, 'https://an.wikipedia.org/wiki/Escopete');
  assert.equal(m.timestamp, '2024-05-18T01:58:10Z');
  assert.equal(m.digest, 'sha1:RDTSR52RUHWDA7QK4BK7OUHU3EXTXYUL');
  assert.deepEqual(m.cc_languages, ['spa']);
  assert.equal(m.source_domain, 'an.wikipedia.org');
  assert.equal(m.title, 'Escopete - Biquipedia, a enciclopedia libre');
  assert.equal(m.cc_segment, 'crawl-data/CC-MAIN-2024-22/x.warc.wet.gz');
  assert.equal(m.warc_record_id, 'urn:uuid:ba729a40-ff84-4085-8d48-0a5b2ee0c42d');
  assert.equal(docs[0]!.id, 'commoncrawl/crawl-data/CC-MAIN-2024-22/x.warc.wet.gz/1');
  assert.ok(docs[0]!.text.startsWith('Ir al contenido\nMenú principal\n'));
  assert.deepEqual(ctx.counts, { record_warcinfo: 1 });
  assert.deepEqual(ctx.bad, []);
});

test("cc_net's sample WET: wrong Content-Length values are detected and the records still read whole", async () => {
  const { docs, ctx } = await readFile(join(dir, 'ccnet-sample.warc.wet'));
  assert.deepEqual(
    docs.map((d) => d.meta.url),
    ['http://sample_english.com', 'http://sample_chinese.zh', 'http://sample_russian.ru'],
  );
  assert.equal(docs[0]!.meta.title, 'Famous Mark Twain Quotes');
  assert.equal(
    docs[0]!.text,
    [
      "Don't part with your illusions. When they are gone you may still exist, but you have ceased to live.",
      'Education: that which reveals to the wise, and conceals from the stupid, the vast limits of their knowledge.',
      'Facts are stubborn things, but statistics are more pliable.',
      "Fiction is obliged to stick to possibilities. Truth isn't.",
    ].join('\n'),
  );
  assert.equal(docs[2]!.text.split('\n').length, 4);
  assert.ok(ctx.counts.warc_content_length_mismatch! >= 3);
  assert.equal(ctx.bad.length, 0);
});

test('Common Crawl WARC (CC-MAIN-2020-34): 16 HTML responses; GB2312 and windows-1251 pages decode', async () => {
  const { docs, ctx } = await readFile(join(dir, 'resiliparse-CC-MAIN-2020-34-warcfile.warc.gz'));
  assert.equal(docs.length, 16);
  assert.deepEqual(ctx.counts, { record_warcinfo: 1, record_request: 17, record_metadata: 16 });
  const charsets = new Set(docs.map((d) => d.meta.charset));
  assert.ok(charsets.has('gbk'), `charsets: ${[...charsets]}`);
  assert.ok(charsets.has('windows-1251'), `charsets: ${[...charsets]}`);
  for (const d of docs) assert.ok(!d.text.includes('\ufffd'), `${d.meta.url} has replacement characters`);
  const ru = docs.find((d) => d.meta.charset === 'windows-1251')!;
  assert.match(ru.text, /[а-яА-Я]{4,}/);
  const zh = docs.filter((d) => d.meta.charset === 'gbk');
  assert.ok(zh.some((d) => /[\u4e00-\u9fff]{4,}/.test(d.text)));
  for (const d of docs) assert.ok(!/<script|function\s*\(|\{\s*var /.test(d.text), `${d.meta.url} kept script text`);
});

test('ClueWeb09 WARC/0.18 in EUC-JP with a malformed WARC-Date and a stale Content-Encoding', async () => {
  const { docs, ctx } = await readFile(join(dir, 'resiliparse-clueweb09-quirk-eucjp.warc.gz'));
  assert.equal(docs.length, 29);
  assert.deepEqual(ctx.bad, []);
  for (const d of docs) {
    assert.equal(d.meta.charset, 'euc-jp');
    assert.equal(d.meta.timestamp, undefined, 'an invalid date is not turned into a timestamp');
    assert.equal(d.meta.warc_date, '2008-10-294T05:21:46-0700');
    assert.equal(d.meta.content_encoding_ignored, true);
    assert.ok(!d.text.includes('\ufffd'));
  }
  assert.match(docs[0]!.meta.title as string, /ヘッドポーター/);
  assert.match(docs[0]!.text, /[\u3040-\u30ff\u4e00-\u9fff]{4,}/);
});

test('a clipped gzip file fails its task with one line naming the file and how far it was read, never a crash', async () => {
  const path = join(dir, 'resiliparse-clipped.warc.gz');
  const ctx = readContext();
  const docs: Doc[] = [];
  await assert.rejects(
    (async () => {
      for await (const d of readSegment({ path, name: 'clipped.warc.gz', url: `file://${path}`, bytes: statSync(path).size }, params, ctx)) docs.push(d);
    })(),
    (e: Error) => {
      assert.ok(e instanceof CorpusError);
      assert.match(
        e.message,
        /resiliparse-clipped\.warc\.gz: corrupt or truncated gzip data \(unexpected end of file\) \((before the first record|after \d+ records, the last record \d+ at byte \d+)\)$/,
      );
      assert.equal(e.message.split('\n').length, 1);
      return true;
    },
  );
  assert.deepEqual(ctx.bad, []);
});

test('wget WARC: angle-bracketed target URIs, request/resource records counted', async () => {
  const { docs, ctx } = await readFile(join(dir, 'dolma-sample-0000.warc.gz'));
  assert.equal(docs.length, 22);
  assert.ok(docs.every((d) => /^https?:\/\//.test(d.meta.url as string)));
  assert.deepEqual(ctx.counts, { record_warcinfo: 1, record_request: 22, record_resource: 2, record_metadata: 1 });
});

test('WAT metadata and warcio revisit records yield no documents but are counted', async () => {
  const wat = await readFile(join(dir, 'cc-whirlwind-CC-MAIN-2024-22.warc.wat.gz'));
  assert.equal(wat.docs.length, 0);
  assert.deepEqual(wat.ctx.counts, { record_warcinfo: 1, record_metadata: 1 });
  const warcio = await readFile(join(dir, 'warcio-example.warc.gz'));
  assert.equal(warcio.docs.length, 1);
  assert.match(warcio.docs[0]!.text, /^Example Domain\nThis domain is/);
  assert.equal(warcio.ctx.counts.record_revisit, 1);
});

// ---- framing faults, on files written here ----

function wetRecord(url: string, body: string, opts: { length?: number | null; eol?: string } = {}): string {
  const eol = opts.eol ?? '\r\n';
  const len = opts.length === undefined ? Buffer.byteLength(body) : opts.length;
  const headers = ['WARC/1.0', 'WARC-Type: conversion', `WARC-Target-URI: ${url}`, 'WARC-Date: 2023-02-01T10:00:00Z', 'WARC-Block-Digest: sha1:AAAA'];
  if (len !== null) headers.push(`Content-Length: ${len}`);
  return headers.join(eol) + eol + eol + body + eol + eol;
}

async function records(data: string | Buffer, maxRecordBytes?: number) {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  // Feed in small chunks so that every boundary case crosses a chunk edge.
  async function* chunks() {
    for (let i = 0; i < buf.length; i += 7) yield buf.subarray(i, i + 7);
  }
  return collect(readWarcRecords(chunks(), { maxRecordBytes }));
}

test('Content-Length is honoured when consistent, even if the body contains a WARC/1.0 line', async () => {
  const body = 'Title\nA page about the format:\nWARC/1.0\nis the version line.\n';
  const recs = await records(wetRecord('http://a/', body) + wetRecord('http://b/', 'T\nx\n'));
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.body.toString(), body);
  assert.deepEqual(recs[0]!.issues, []);
});

test('too long and too short Content-Length: the record ends at the next version line, flagged', async () => {
  const recs = await records(
    wetRecord('http://a/', 'Title\nbody a\n', { length: 500 }) + wetRecord('http://b/', 'Title\nbody b is here\n', { length: 5 }) + wetRecord('http://c/', 'T\nc\n'),
  );
  assert.deepEqual(
    recs.map((r) => r.headers.get('warc-target-uri')),
    ['http://a/', 'http://b/', 'http://c/'],
  );
  assert.equal(recs[0]!.body.toString(), 'Title\nbody a');
  assert.equal(recs[1]!.body.toString(), 'Title\nbody b is here');
  assert.deepEqual(recs[0]!.issues, ['content_length_mismatch']);
  assert.deepEqual(recs[1]!.issues, ['content_length_mismatch']);
  assert.deepEqual(recs[2]!.issues, []);
});

test('LF-only files and a missing Content-Length are read', async () => {
  const recs = await records(wetRecord('http://a/', 'T\nbody\n', { eol: '\n', length: null }) + wetRecord('http://b/', 'T\nb\n', { eol: '\n' }));
  assert.equal(recs.length, 2);
  assert.deepEqual(recs[0]!.issues, ['content_length_missing']);
  assert.equal(recs[0]!.body.toString(), 'T\nbody');
});

test('a stream cut inside a record yields it flagged truncated; garbage before a record is reported', async () => {
  const full = wetRecord('http://a/', 'Title\nsome text that is cut off');
  const recs = await records(`garbage line\r\n\r\n${wetRecord('http://z/', 'T\nz\n')}${full.slice(0, full.length - 12)}`);
  assert.deepEqual(
    recs.map((r) => r.issues),
    [['malformed_header'], [], ['truncated']],
  );
  assert.equal(recs[1]!.headers.get('warc-target-uri'), 'http://z/');
});

test('the WET source quarantines truncated records, counts empty ones and reads the rest of a multi-member gzip', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wet-'));
  const path = join(tmp, 'seg.warc.wet.gz');
  const members = [
    wetRecord('http://a/', 'Title A\nline a\n'),
    wetRecord('http://e/', '\n  \n'),
    wetRecord('http://b/', 'Title B\n\n  line b  \n\n'),
    'WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 999\r\n\r\nTitle C\npartial',
  ];
  writeFileSync(path, Buffer.concat(members.map((m) => gzipSync(m))));
  const { docs, ctx } = await readFile(path);
  assert.deepEqual(
    docs.map((d) => d.text),
    ['line a', 'line b'],
  );
  assert.deepEqual(
    ctx.bad.map((q) => q.reason),
    ['warc_truncated_record'],
  );
  assert.equal(ctx.counts.warc_truncated, 1);
  assert.equal(ctx.counts.conversion_empty, 1, 'a conversion record without text is counted');
});

test('a record larger than max_record_bytes is streamed past and flagged, the next one still read', async () => {
  const big = `Title\n${'a long line of text\n'.repeat(30)}`;
  const recs = await records(wetRecord('http://a/', big) + wetRecord('http://b/', 'T\nb\n'), 64);
  assert.deepEqual(
    recs.map((r) => [r.headers.get('warc-target-uri'), r.issues, r.body.length]),
    [
      ['http://a/', ['oversized'], 64],
      ['http://b/', [], 4],
    ],
  );
});
