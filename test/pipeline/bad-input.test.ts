/**
 * Bounded records, through real builds: a 1 GiB gzip bomb given as a C4, a JSON-lines and a WET
 * input, a 300 MB JSON line, and a WARC record whose Content-Length lies. Each build exits 0 with
 * the bad record quarantined (file and offset) and every good document kept; worker memory stays
 * under the bound README "Bad input" states. Inputs are generated here, never committed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { readShard } from '../../src/io/shards.js';
import { collect, runCli, tempDir } from '../helpers.js';

/** Writes `gzip(prefix + size bytes of `fill` + suffix)` without holding it: a bomb of about size/1000 bytes. */
async function gzipBomb(path: string, size: number, opts: { prefix?: string; fill?: number; suffix?: string } = {}): Promise<void> {
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(path);
  gz.pipe(out);
  const chunk = Buffer.alloc(1 << 20, opts.fill ?? 0);
  if (opts.prefix) gz.write(opts.prefix);
  for (let n = 0; n < size; n += chunk.length) if (!gz.write(chunk)) await once(gz, 'drain');
  gz.end(opts.suffix ?? '');
  await once(out, 'close');
}

const GIB = 1 << 30;

interface SourceStats {
  quarantined: Record<string, number>;
  read_counts: Record<string, number>;
  output: { docs: number };
}

async function build(file: string, out: string): Promise<{ stderr: string; sources: Record<string, SourceStats>; peakMb: number }> {
  const r = await runCli(['build', file, '--out', out, '--workers', '1', '--verbose']);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const st = await runCli(['stats', out, '--json']);
  const stats = JSON.parse(st.stdout) as { stages: Array<{ sources: Record<string, SourceStats> }> };
  const peaks = [...r.stderr.matchAll(/peak RSS (\d+) MB/g)].map((m) => Number(m[1]));
  assert.ok(peaks.length > 0, 'the worker reports its peak memory');
  return { stderr: r.stderr, sources: stats.stages[0]!.sources, peakMb: Math.max(...peaks) };
}

/** The quarantined records of a stage, as written to quarantine/. */
async function quarantined(out: string, stage: string, source: string): Promise<Array<{ reason: string; file: string; record: string }>> {
  const dir = join(out, 'quarantine', stage, source);
  const docs = [];
  for (const f of readdirSync(dir).sort()) docs.push(...(await collect(readShard(join(dir, f), { source }))));
  return docs.map((d) => d.meta as { reason: string; file: string; record: string });
}

const goodLines = (n: number, tag: string) => `${Array.from({ length: n }, (_, i) => JSON.stringify({ text: `${tag} document ${i} with enough words to keep` })).join('\n')}\n`;

test('a 1 GiB gzip bomb as a C4 and as a JSON-lines input is stopped and quarantined; the other files are read whole', async () => {
  const dir = tempDir();
  await gzipBomb(join(dir, 'c4-train.00000-of-00002.json.gz'), GIB);
  writeFileSync(join(dir, 'c4-train.00001-of-00002.json.gz'), gzipSync(goodLines(50, 'c4')));
  await gzipBomb(join(dir, 'bomb.jsonl.gz'), GIB);
  writeFileSync(join(dir, 'good.jsonl.gz'), gzipSync(goodLines(30, 'jsonl')));
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    `name: bombs
stages:
  - name: read
    inputs:
      - source: c4
        urls: ["file:c4-train.*.json.gz"]
      - source: jsonl
        urls: ["file:bomb.jsonl.gz", "file:good.jsonl.gz"]
`,
  );
  const out = join(dir, 'out');
  const { sources, peakMb } = await build(file, out);
  assert.equal(sources.c4!.output.docs, 50);
  assert.equal(sources.jsonl!.output.docs, 30);
  for (const s of ['c4', 'jsonl']) {
    assert.equal(sources[s]!.quarantined.decompression_bomb, 1, s);
    const q = (await quarantined(out, 'read', s)).find((x) => x.reason === 'decompression_bomb')!;
    assert.match(q.file, s === 'c4' ? /c4-train\.00000-of-00002\.json\.gz/ : /bomb\.jsonl\.gz/);
    assert.match(q.record, /^byte \d+ \(decompressed\), before the first line$/);
  }
  assert.ok(peakMb < 1024, `worker peak ${peakMb} MB`);
});

/** One WARC conversion record (WET). */
function wetRecord(i: number, text: string, declared?: number): string {
  const body = `Page ${i}\n${text}\n`;
  const len = declared ?? Buffer.byteLength(body);
  return `WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://example.com/${i}\r\nWARC-Date: 2023-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000${i}>\r\nContent-Type: text/plain\r\nContent-Length: ${len}\r\n\r\n${body}\r\n\r\n`;
}

function wetPipeline(dir: string, urls: string[]): string {
  const file = join(dir, 'p.yaml');
  writeFileSync(file, `name: wet\nstages:\n  - name: read\n    inputs:\n      - source: commoncrawl\n        urls: ${JSON.stringify(urls.map((u) => `file:${u}`))}\n`);
  return file;
}

test('a 1 GiB gzip bomb as a WET record is streamed past and quarantined; the records before it are kept', async () => {
  const dir = tempDir();
  const head = wetRecord(1, 'A first page with a few words on it.') + wetRecord(2, 'A second page, also fine.');
  const declared = GIB + 20;
  await gzipBomb(join(dir, 'bomb.warc.wet.gz'), GIB, {
    prefix: `${head}WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://example.com/3\r\nContent-Length: ${declared}\r\n\r\nPage 3\n`,
    fill: 0x61,
  });
  writeFileSync(join(dir, 'good.warc.wet.gz'), gzipSync(wetRecord(4, 'Another file, read whole.')));
  const out = join(dir, 'out');
  const { sources, peakMb } = await build(wetPipeline(dir, ['bomb.warc.wet.gz', 'good.warc.wet.gz']), out);
  const cc = sources.commoncrawl!;
  assert.equal(cc.output.docs, 3);
  assert.deepEqual(cc.quarantined, { decompression_bomb: 1 });
  const q = await quarantined(out, 'read', 'commoncrawl');
  assert.ok(q.every((x) => x.file === 'bomb.warc.wet.gz'));
  assert.ok(peakMb < 1024, `worker peak ${peakMb} MB`);
});

test('a WARC record with a false Content-Length (99,999,999) loses nothing: the reader resynchronises at the next record', async () => {
  const dir = tempDir();
  const body = wetRecord(1, 'The first document, whole.') + wetRecord(2, 'The second one lies about its length.', 99_999_999) + wetRecord(3, 'The third document, found again.');
  writeFileSync(join(dir, 'lies.warc.wet.gz'), gzipSync(body));
  const out = join(dir, 'out');
  const { sources } = await build(wetPipeline(dir, ['lies.warc.wet.gz']), out);
  const cc = sources.commoncrawl!;
  assert.equal(cc.output.docs, 3);
  assert.deepEqual(cc.quarantined, {});
  assert.equal(cc.read_counts.warc_resync, 1);
  assert.equal(cc.read_counts.warc_content_length_mismatch, 1);
  const docs = [];
  for (const f of readdirSync(join(out, 'read', 'commoncrawl')).sort()) docs.push(...(await collect(readShard(join(out, 'read', 'commoncrawl', f), { source: 'commoncrawl' }))));
  assert.deepEqual(
    docs.map((d) => d.text),
    ['The first document, whole.', 'The second one lies about its length.', 'The third document, found again.'],
  );
});

test('a 300 MB JSON line is streamed past and quarantined with its line; the worker stays under 1 GB', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  const path = join(dir, 'in', 'long.jsonl');
  const out = createWriteStream(path);
  out.write(goodLines(100, 'before'));
  out.write('{"text":"');
  const mb = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 300; i++) if (!out.write(mb)) await once(out, 'drain');
  out.write('"}\n');
  out.end(goodLines(100, 'after'));
  await once(out, 'close');
  const file = join(dir, 'p.yaml');
  writeFileSync(file, 'name: long\nsettings: { task_bytes: 1GiB }\nstages:\n  - name: read\n    inputs:\n      - source: jsonl\n        urls: ["file:in/long.jsonl"]\n');
  const o = join(dir, 'out');
  const { sources, peakMb, stderr } = await build(file, o);
  assert.equal(sources.jsonl!.output.docs, 200);
  assert.deepEqual(sources.jsonl!.quarantined, { record_too_large: 1 });
  assert.match(stderr, /quarantined .*long\.jsonl: byte \d+: record_too_large: a line of 31457\d{4} bytes is longer than max_record_bytes \(67108864\); streamed past/);
  assert.ok(peakMb < 1024, `worker peak ${peakMb} MB`);
});
