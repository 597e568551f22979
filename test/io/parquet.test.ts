/**
 * Parquet shards and Parquet input (src/io/parquet.ts), proved with an independent implementation
 * (parquet-wasm, the Rust `parquet` crate): files corpusmill writes are read back by it with
 * identical rows, and files it writes (every common codec, dictionary or plain, nested meta) are
 * read by corpusmill as the same documents as the same rows in JSON lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { ParquetShardWriter, readParquetDocs } from '../../src/io/parquet.js';
import { openDocWriter } from '../../src/io/doc-writer.js';
import { isDocumentFile, readShard, type BadRecord } from '../../src/io/shards.js';
import { tempDir } from '../helpers.js';
import { arrow, type Codec, footer, readRows, writeTable } from './parquet-reference.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Documents of every shape a stage writes: unicode, empty and nested meta, long text, empty text. */
function sampleDocs(n: number): Doc[] {
  const words = ['naïve', 'Привет', '日本語', 'emoji 🎉', 'tab\there', 'quote "x"', 'line\nbreak', 'plain'];
  return Array.from({ length: n }, (_, i) => ({
    id: `src/file.jsonl/${i}`,
    source: i % 5 === 0 ? 'wikipedia' : 'commoncrawl',
    text: i === 3 ? '' : `${words[i % words.length]} `.repeat(1 + ((i * 37) % 400)),
    meta: i % 4 === 0 ? {} : { url: `https://example.com/${i}`, score: i / 7, n: i, tags: ['a', i], nested: { ok: i % 2 === 0, none: null } },
  }));
}

async function writeShards(dir: string, docs: Doc[], opts: { maxBytes?: number; settleEvery?: number } = {}): Promise<string[]> {
  const w = new ParquetShardWriter(dir, 'part-00000', { maxBytes: opts.maxBytes });
  for (const [i, d] of docs.entries()) {
    w.enqueue(d);
    if (i % (opts.settleEvery ?? 1) === 0) await w.settle();
  }
  await w.close();
  return w.commit();
}

test('a Parquet shard is read back by an independent reader (parquet-wasm) with identical rows, zstd, one row group per ~1 MiB block', async () => {
  const dir = tempDir();
  const docs = sampleDocs(3000);
  const [file] = await writeShards(dir, docs);
  assert.match(file!, /part-00000-000\.parquet$/);
  const rows = readRows(file!);
  assert.deepEqual(
    rows.map((r) => Object.keys(r)),
    docs.map(() => ['text', 'meta', 'id', 'source']),
  );
  assert.deepEqual(
    rows.map((r) => ({ text: r.text, meta: JSON.parse(r.meta as string), id: r.id, source: r.source })),
    docs,
  );
  const f = await footer(file!);
  assert.deepEqual(f.codecs, new Set(['ZSTD']));
  assert.equal(f.createdBy, 'corpusmill');
  // Row groups close after the block that reaches 1 MiB of text+meta+id+source bytes.
  const expected: number[] = [];
  let rowsInGroup = 0;
  let bytes = 0;
  for (const d of docs) {
    rowsInGroup++;
    bytes += Buffer.byteLength(d.text) + Buffer.byteLength(JSON.stringify(d.meta)) + Buffer.byteLength(d.id) + Buffer.byteLength(d.source);
    if (bytes >= 1 << 20) {
      expected.push(rowsInGroup);
      rowsInGroup = 0;
      bytes = 0;
    }
  }
  if (rowsInGroup) expected.push(rowsInGroup);
  assert.ok(expected.length > 3, `${expected.length} row groups`);
  assert.deepEqual(f.rowGroups, expected);
});

test('shard bytes depend only on the documents (not on when the writer is awaited), and files rotate at max bytes', async () => {
  const docs = sampleDocs(1500);
  const a = await writeShards(tempDir(), docs, { maxBytes: 1 << 20 });
  const b = await writeShards(tempDir(), docs, { maxBytes: 1 << 20, settleEvery: 97 });
  assert.ok(a.length >= 2, `${a.length} files`);
  assert.deepEqual(
    a.map((f) => readFileSync(f)),
    b.map((f) => readFileSync(f)),
  );
  assert.deepEqual(
    a.flatMap((f) => readRows(f).map((r) => r.id)),
    docs.map((d) => d.id),
  );
});

test('readShard reads a Parquet shard back as the documents written; the stage writer interface picks the format', async () => {
  const dir = tempDir();
  const docs = sampleDocs(200);
  for (const format of ['jsonl', 'parquet'] as const) {
    const w = openDocWriter(format, join(dir, format), 'part-00003');
    for (const d of docs) await w.write(d);
    await w.close();
    const [file] = await w.commit();
    assert.ok(isDocumentFile(file!));
    assert.equal(w.stats.docs, docs.length);
    assert.deepEqual(await collect(readShard(file!, { source: 'x' })), docs);
  }
});

test('abort removes the temporary files', async () => {
  const dir = tempDir();
  const w = new ParquetShardWriter(dir, 'part-00000');
  for (const d of sampleDocs(10)) w.enqueue(d);
  await w.abort();
  assert.deepEqual(readdirSync(dir), []);
});

/** The same rows as an Arrow table (for parquet-wasm) and as JSON lines (for the jsonl reader). */
function redPajamaRows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    text: `Document ${i}: ${'some words '.repeat(1 + (i % 13))}é`,
    id: i % 6 === 5 ? null : `doc-${i}`,
    source: i % 3 === 0 ? 'c4' : null,
    meta: { url: `https://e.com/${i}`, timestamp: `2019-04-25T12:57:${String(i % 60).padStart(2, '0')}Z`, token_count: i * 3, lang: { code: 'en', score: 0.5 + i / 100 } },
  }));
}

const metaType = new arrow.Struct([
  new arrow.Field('url', new arrow.Utf8(), true),
  new arrow.Field('timestamp', new arrow.Utf8(), true),
  new arrow.Field('token_count', new arrow.Int64(), true),
  new arrow.Field('lang', new arrow.Struct([new arrow.Field('code', new arrow.Utf8(), true), new arrow.Field('score', new arrow.Float64(), true)]), true),
]);

function redPajamaTable(rows: ReturnType<typeof redPajamaRows>): arrow.Table {
  return new arrow.Table({
    text: arrow.vectorFromArray(
      rows.map((r) => r.text),
      new arrow.Utf8(),
    ),
    id: arrow.vectorFromArray(
      rows.map((r) => r.id),
      new arrow.Utf8(),
    ),
    source: arrow.vectorFromArray(
      rows.map((r) => r.source),
      new arrow.Utf8(),
    ),
    meta: arrow.vectorFromArray(
      rows.map((r) => ({ ...r.meta, token_count: BigInt(r.meta.token_count) })),
      metaType,
    ),
  });
}

for (const codec of ['SNAPPY', 'ZSTD', 'GZIP', 'BROTLI', 'LZ4_RAW', 'UNCOMPRESSED'] as Codec[]) {
  test(`a Parquet input (${codec}) gives the same documents as the same rows in JSON lines`, async () => {
    const dir = tempDir();
    const rows = redPajamaRows(120);
    const pq = join(dir, 'rows.parquet');
    const jl = join(dir, 'rows.jsonl');
    writeTable(pq, redPajamaTable(rows), codec, 32, { dictionary: codec !== 'UNCOMPRESSED' });
    // JSON lines without the null fields, as a JSON writer that skips nulls would write them.
    writeFileSync(jl, `${rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)))).join('\n')}\n`);
    const fromJsonl = await collect(readShard(jl, { source: 'mine', inputName: 'rows' }));
    const fromParquet = await collect(readParquetDocs(pq, { source: 'mine', inputName: 'rows' }));
    assert.equal(fromParquet.length, 120);
    assert.deepEqual(fromParquet, fromJsonl);
    assert.equal(fromParquet[5]!.id, 'mine/rows/5');
    // Row groups as units: rows 32-63 only, with the ids of their place in the file.
    const part = await collect(readParquetDocs(pq, { source: 'mine', inputName: 'rows', rowGroups: [1, 2] }));
    assert.deepEqual(part, fromJsonl.slice(32, 64));
  });
}

test('FineWeb-style flat columns become meta with meta_columns; int64, float, timestamp and list values become JSON', async () => {
  const dir = tempDir();
  const pq = join(dir, 'fineweb.parquet');
  const table = new arrow.Table({
    text: arrow.vectorFromArray(['first page', 'second page'], new arrow.Utf8()),
    id: arrow.vectorFromArray(['<urn:uuid:1>', '<urn:uuid:2>'], new arrow.Utf8()),
    url: arrow.vectorFromArray(['http://a.com/', 'http://b.com/'], new arrow.Utf8()),
    token_count: arrow.vectorFromArray([5n, 9007199254740993n], new arrow.Int64()),
    language_score: arrow.vectorFromArray([0.97, Number.NaN], new arrow.Float64()),
    crawled: arrow.vectorFromArray([Date.UTC(2013, 4, 18, 7, 24, 47), Date.UTC(2024, 0, 1)], new arrow.TimestampMillisecond()),
    tags: arrow.vectorFromArray([['a', 'b'], []], new arrow.List(new arrow.Field('item', new arrow.Utf8(), true))),
  });
  writeTable(pq, table, 'SNAPPY', 1000);
  const docs = await collect(readParquetDocs(pq, { source: 'fineweb', columns: { metaColumns: '*' } }));
  assert.deepEqual(docs, [
    {
      id: '<urn:uuid:1>',
      text: 'first page',
      source: 'fineweb',
      meta: { url: 'http://a.com/', token_count: 5, language_score: 0.97, crawled: '2013-05-18T07:24:47.000Z', tags: ['a', 'b'] },
    },
    // int64 beyond 2^53 becomes the number JSON.parse would give; NaN (no JSON number) becomes null.
    {
      id: '<urn:uuid:2>',
      text: 'second page',
      source: 'fineweb',
      meta: { url: 'http://b.com/', token_count: 9007199254740992, language_score: null, crawled: '2024-01-01T00:00:00.000Z', tags: [] },
    },
  ]);
  const some = await collect(readParquetDocs(pq, { source: 'fineweb', columns: { metaColumns: ['url'], id: 'url', text: 'text' } }));
  assert.deepEqual(some[0], { id: 'http://a.com/', text: 'first page', source: 'fineweb', meta: { url: 'http://a.com/' } });
});

test('bad rows are quarantined with file and row; a missing column or a file that is not Parquet is an error naming the file', async () => {
  const dir = tempDir();
  const pq = join(dir, 'holes.parquet');
  const table = new arrow.Table({
    content: arrow.vectorFromArray(['ok', null, 'also ok'], new arrow.Utf8()),
    meta: arrow.vectorFromArray(['{"a": 1}', '{}', 'not json'], new arrow.Utf8()),
  });
  writeTable(pq, table, 'ZSTD', 1000);
  const bad: BadRecord[] = [];
  const docs = await collect(readParquetDocs(pq, { source: 's', columns: { text: 'content' }, onBad: (b) => bad.push(b) }));
  assert.deepEqual(docs, [{ id: 's/holes.parquet/0', text: 'ok', source: 's', meta: { a: 1 } }]);
  assert.deepEqual(
    bad.map((b) => [b.reason, b.file, b.record]),
    [
      ['bad_document', pq, 'row 1'],
      ['bad_document', pq, 'row 2'],
    ],
  );
  assert.match(bad[0]!.detail, /expected a string "content" column, got null/);
  assert.match(bad[1]!.detail, /"meta" column is not JSON/);
  await assert.rejects(collect(readParquetDocs(pq, { source: 's' })), (e: Error) => e.message.includes(pq) && /no text column "text" \(columns: content, meta\)/.test(e.message));
  const notParquet = join(dir, 'fake.parquet');
  writeFileSync(notParquet, 'text,id\nhello,1\n');
  await assert.rejects(collect(readShard(notParquet, { source: 's' })), (e: Error) => e.message.includes(notParquet) && /not a readable Parquet file/.test(e.message));
  // Without onBad a bad row is an error naming the file and the row.
  await assert.rejects(collect(readParquetDocs(pq, { source: 's', columns: { text: 'content' } })), (e: Error) => e.message.includes(pq) && e.message.includes('row 1'));
});

test('a corrupt row group is quarantined with its rows; the other row groups are read', async () => {
  const dir = tempDir();
  const pq = join(dir, 'corrupt.parquet');
  const rows = redPajamaRows(64);
  writeTable(pq, redPajamaTable(rows), 'ZSTD', 32);
  const bytes = readFileSync(pq);
  // Overwrite the middle of the first row group's data (after the 4-byte magic) with garbage.
  for (let i = 200; i < 600; i++) bytes[i] = (i * 131) & 0xff;
  writeFileSync(pq, bytes);
  const bad: BadRecord[] = [];
  const docs = await collect(readParquetDocs(pq, { source: 's', onBad: (b) => bad.push(b) }));
  assert.deepEqual(
    docs.map((d) => d.id),
    rows.slice(32).map((r, i) => r.id ?? `s/corrupt.parquet/${32 + i}`),
  );
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.reason, 'parquet_unreadable_row_group');
  assert.equal(bad[0]!.record, 'row group 0 (rows 0-31)');
  assert.match(bad[0]!.detail, /^32 rows lost: /);
  assert.ok(existsSync(pq));
});
