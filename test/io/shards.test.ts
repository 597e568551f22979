import { test } from 'node:test';
import { isTmpName } from '../../src/io/atomic.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import { ShardWriter, readShard, type BadRecord } from '../../src/io/shards.js';
import { readLines } from '../../src/io/lines.js';
import { byteRanges } from '../../src/io/byte-ranges.js';
import { docToJson, type Doc } from '../../src/core/document.js';
import { CorpusError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const docs: Doc[] = Array.from({ length: 500 }, (_, i) => ({
  id: `c4/f.json.gz/${i}`,
  text: `Document ${i} — ünïcödé ${'word '.repeat(i % 50)}\nsecond line`,
  source: 'c4',
  meta: { url: `https://example.com/${i}`, n: i },
}));

test('writes RedPajama JSON lines with keys text, meta, id, source, and reads them back', async () => {
  const dir = tempDir();
  const w = new ShardWriter(dir, 'part-00000');
  for (const d of docs.slice(0, 3)) await w.write(d);
  await w.close();
  const files = await w.commit();
  assert.equal(files.length, 1);
  assert.match(files[0]!, /part-00000-000\.jsonl\.zst$/);
  const back = await collect(readShard(files[0]!, { source: 'x' }));
  assert.deepEqual(back, docs.slice(0, 3));
  // Key order on disk is the RedPajama order.
  const { decompress } = await import('zstd-napi');
  const firstLine = decompress(readFileSync(files[0]!)).toString().split('\n')[0]!;
  assert.deepEqual(Object.keys(JSON.parse(firstLine)), ['text', 'meta', 'id', 'source']);
});

test('rotates shards by uncompressed size and keeps temporary names until commit', async () => {
  const dir = tempDir();
  const w = new ShardWriter(dir, 'part-00003', { maxBytes: 20_000 });
  for (const d of docs) await w.write(d);
  await w.close();
  assert.ok(
    readdirSync(dir).every((f) => isTmpName(f)),
    'nothing final before commit',
  );
  const files = await w.commit();
  assert.ok(files.length > 3, `expected several shards, got ${files.length}`);
  assert.ok(readdirSync(dir).every((f) => !isTmpName(f)));
  const back: Doc[] = [];
  for (const f of files) back.push(...(await collect(readShard(f, { source: 'x' }))));
  assert.deepEqual(back, docs);
  assert.equal(w.stats.docs, docs.length);
  assert.equal(
    w.stats.file_bytes,
    files.reduce((a, f) => a + statSync(f).size, 0),
  );
});

test('the same documents give the same shard bytes', async () => {
  const a = tempDir();
  const b = tempDir();
  for (const dir of [a, b]) {
    const w = new ShardWriter(dir, 'part-00000', { maxBytes: 50_000 });
    for (const d of docs) await w.write(d);
    await w.close();
    await w.commit();
  }
  for (const f of readdirSync(a)) assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(b, f)));
});

test('reads .jsonl, .jsonl.gz, .json.gz (multi-member) and .jsonl.zst alike', async () => {
  const dir = tempDir();
  const lines = docs.slice(0, 20).map((d) => JSON.stringify({ text: d.text, meta: d.meta, id: d.id, source: d.source }));
  const body = Buffer.from(`${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'a.jsonl'), body);
  // Two gzip members, as block-written files have.
  writeFileSync(join(dir, 'b.json.gz'), Buffer.concat([gzipSync(Buffer.from(`${lines.slice(0, 7).join('\n')}\n`)), gzipSync(Buffer.from(`${lines.slice(7).join('\n')}\n`))]));
  writeFileSync(join(dir, 'c.jsonl.gz'), gzipSync(body));
  writeFileSync(join(dir, 'd.jsonl.zst'), compress(body));
  for (const f of ['a.jsonl', 'b.json.gz', 'c.jsonl.gz', 'd.jsonl.zst']) {
    assert.deepEqual(await collect(readShard(join(dir, f), { source: 'x' })), docs.slice(0, 20), f);
  }
});

test('byte ranges tile a JSONL file: every line read exactly once, whatever the split', async () => {
  const dir = tempDir();
  const path = join(dir, 'big.jsonl');
  const lines = docs.map((d) => JSON.stringify({ text: d.text }));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const size = statSync(path).size;
  for (const target of [97, 1000, 4096, size, size * 2]) {
    const seen: string[] = [];
    for (const r of byteRanges(size, target)) for await (const l of readLines(path, { range: r })) seen.push(l.bytes.toString());
    assert.deepEqual(seen, lines, `target ${target}`);
  }
  // One-byte ranges on a small file (no trailing newline): ranges starting mid-line own nothing.
  const small = join(dir, 'small.jsonl');
  writeFileSync(small, 'a\nbb\n\nccc');
  const seen: string[] = [];
  for (const r of byteRanges(statSync(small).size, 1)) for await (const l of readLines(small, { range: r })) seen.push(l.bytes.toString());
  assert.deepEqual(seen, ['a', 'bb', '', 'ccc']);
});

test('ids of id-less records come from the file name and line (or byte offset in a range)', async () => {
  const dir = tempDir();
  const path = join(dir, 'plain.jsonl');
  writeFileSync(path, '{"text":"a"}\n{"text":"b"}\n');
  const whole = await collect(readShard(path, { source: 'mine' }));
  assert.deepEqual(
    whole.map((d) => d.id),
    ['mine/plain.jsonl/0', 'mine/plain.jsonl/1'],
  );
  const ranged = await collect(readShard(path, { source: 'mine', range: { start: 0, end: 26 } }));
  assert.deepEqual(
    ranged.map((d) => d.id),
    ['mine/plain.jsonl/@0', 'mine/plain.jsonl/@13'],
  );
});

test('a malformed JSON line and invalid UTF-8 are quarantined with file and line, not lost silently', async () => {
  const dir = tempDir();
  const path = join(dir, 'bad.jsonl');
  writeFileSync(path, Buffer.concat([Buffer.from('{"text":"ok"}\n{"text": broken\n'), Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0x0a]), Buffer.from('{"text":"fine"}\n')]));
  const bad: BadRecord[] = [];
  const got = await collect(readShard(path, { source: 'x', onBad: (b) => bad.push(b) }));
  assert.deepEqual(
    got.map((d) => d.text),
    ['ok', 'fine'],
  );
  assert.deepEqual(
    bad.map((b) => [b.reason, b.record]),
    [
      ['malformed_json', 'line 2'],
      ['invalid_utf8', 'line 3'],
    ],
  );
  // Without a quarantine handler the same input is an error naming the file and line.
  await assert.rejects(collect(readShard(path, { source: 'x' })), (e: Error) => e instanceof CorpusError && e.message.includes('bad.jsonl') && e.message.includes('line 2'));
});

test('truncated gzip and zstd inputs fail with an error naming the file', async () => {
  const dir = tempDir();
  const body = Buffer.from(`${docs.map((d) => JSON.stringify({ text: d.text })).join('\n')}\n`);
  const gz = gzipSync(body);
  const zs = compress(body);
  writeFileSync(join(dir, 'cut.jsonl.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(join(dir, 'cut.jsonl.zst'), zs.subarray(0, Math.floor(zs.length / 2)));
  for (const f of ['cut.jsonl.gz', 'cut.jsonl.zst']) {
    await assert.rejects(collect(readShard(join(dir, f), { source: 'x' })), (e: Error) => {
      assert.ok(e instanceof CorpusError, `${f}: ${e}`);
      assert.match(e.message, new RegExp(f.replace('.', '\\.')));
      assert.match(e.message, /corrupt or truncated (gzip|zstd)/);
      return true;
    });
  }
});

test("a build's own shards are read with meta kept as bytes: same documents, and written again to the same bytes", async () => {
  const dir = tempDir();
  // Strings that look like the line's own keys, quotes and backslashes at the ends, and lines of other shapes.
  const tricky: Doc[] = [
    { id: 'a"b\\', text: 'ends with a backslash \\', source: 'src\\"', meta: { id: ',"id":"x","source":"y"}', nested: { id: 1, source: '"' } } },
    { id: '', text: '', source: 's', meta: {} },
    { id: 'q', text: '"quoted" \\"twice\\" 😀 \u2028', source: 's', meta: { quality_signals: { x: [[0, 3, 0.12345678]] }, text: '{"text":"' } },
    ...docs.slice(0, 50),
  ];
  const w = new ShardWriter(dir, 'part-00000');
  for (const d of tricky) await w.write(d);
  await w.close();
  const [file] = await w.commit();
  // A user's line with the keys in another order (read the usual way) at the end.
  const { decompress, compress: zc } = await import('zstd-napi');
  const lines = `${decompress(readFileSync(file!)).toString()}{"id":"u","meta":{"k":1},"text":"user","source":"s"}\n`;
  writeFileSync(file!, zc(Buffer.from(lines)));
  const plain = await collect(readShard(file!, { source: 'x' }));
  const lazy = await collect(readShard(file!, { source: 'x', ownShard: true }));
  assert.equal(lazy.length, tricky.length + 1);
  // Every line ShardWriter wrote took the fast path (meta behind a getter); the user's line did not.
  assert.deepEqual(
    lazy.map((d) => Object.getOwnPropertyDescriptor(d, 'meta')!.get !== undefined),
    [...tricky.map(() => true), false],
  );
  assert.deepEqual(
    lazy.map((d) => ({ ...d })),
    plain,
  );
  // Written back without reading meta: the same bytes as the fully parsed documents give.
  const again = await collect(readShard(file!, { source: 'x', ownShard: true }));
  const out1 = new ShardWriter(join(dir, 'a'), 'part-00000');
  const out2 = new ShardWriter(join(dir, 'b'), 'part-00000');
  for (const d of again) await out1.write(d);
  for (const d of plain) await out2.write(d);
  for (const o of [out1, out2]) await o.close();
  const [f1] = await out1.commit();
  const [f2] = await out2.commit();
  assert.deepEqual(readFileSync(f1!), readFileSync(f2!));
  // Meta read, then changed: the change is written.
  const [first] = await collect(readShard(file!, { source: 'x', ownShard: true }));
  const changed = { ...first!, meta: { ...first!.meta, extra: true } };
  assert.equal((JSON.parse(docToJson(changed)) as Doc).meta.extra, true);
  assert.equal(docToJson(first!), docToJson(plain[0]!));
});
