/**
 * Listing CommonCrawl segments through the real fetch layer: a loopback HTTP server serves a
 * `crawl-data/CC-MAIN-<dump>/wet.paths.gz` and its segments; the source lists them, the fetcher
 * downloads them, and the reader turns them into documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { once } from 'node:events';
import { commonCrawlSource, parsePathsListing } from '../../../src/sources/commoncrawl/source.js';
import { Fetcher } from '../../../src/fetch/fetcher.js';
import { createLogger } from '../../../src/core/log.js';
import { collect, readContext } from '../../helpers.js';

function wet(records: [string, string][]): Buffer {
  const info = 'WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n';
  const parts = [
    info,
    ...records.map(
      ([url, body]) =>
        `WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: ${url}\r\nWARC-Date: 2023-02-03T04:05:06Z\r\nWARC-Block-Digest: sha1:${url.length}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n\r\n`,
    ),
  ];
  return Buffer.concat(parts.map((p) => gzipSync(p)));
}

const SEG = (i: number) => `crawl-data/CC-MAIN-2023-06/segments/1674764494826.88/wet/CC-MAIN-20230126210844-20230127000844-0000${i}.warc.wet.gz`;

async function serve(files: Record<string, Buffer>): Promise<{ server: Server; base: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').slice(1));
    hits.push(path);
    const body = files[path];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, base: `http://127.0.0.1:${addr.port}/`, hits };
}

test('segments are listed from wet.paths.gz under base_url and read after download', async () => {
  const files: Record<string, Buffer> = {
    'crawl-data/CC-MAIN-2023-06/wet.paths.gz': gzipSync(`${[SEG(0), SEG(1), SEG(2)].join('\n')}\n`),
    [SEG(0)]: wet([['https://a.example/one', 'Page one\nFirst text line.']]),
    [SEG(1)]: wet([
      ['https://b.example/two', 'Page two\nSecond text line.'],
      ['https://b.example/three', 'Page three\nThird.'],
    ]),
  };
  const { server, base, hits } = await serve(files);
  try {
    const fetcher = new Fetcher({ cacheDir: mkdtempSync(join(tmpdir(), 'cc-cache-')), retries: 0 });
    const env = { pipelineDir: '.', outDir: '.', log: createLogger('t'), fetcher, taskBytes: 1 << 26 };
    const p = commonCrawlSource.params.parse({ base_url: base, dumps: ['2023-06'], max_segments_per_dump: 2 });
    const remote = await commonCrawlSource.list(p, env);
    assert.deepEqual(
      remote.map((r) => r.name),
      [SEG(0), SEG(1)],
    );
    assert.deepEqual(
      remote.map((r) => r.url),
      [base + SEG(0), base + SEG(1)],
    );
    const local = await Promise.all(remote.map((r) => fetcher.fetchFile(r)));
    const tasks = await commonCrawlSource.plan(local, p, env);
    assert.equal(tasks.length, 2);
    const docs = [];
    for (const t of tasks) docs.push(...(await collect(commonCrawlSource.read(t, p, readContext()))));
    assert.deepEqual(
      docs.map((d) => [d.meta.url, d.text, d.meta.cc_segment]),
      [
        ['https://a.example/one', 'First text line.', SEG(0)],
        ['https://b.example/two', 'Second text line.', SEG(1)],
        ['https://b.example/three', 'Third.', SEG(1)],
      ],
    );
    assert.equal(hits.filter((h) => h.endsWith('wet.paths.gz')).length, 1);
  } finally {
    server.close();
  }
});

test('the default dumps are RedPajama v1 five, and a missing listing is an error naming its URL', async () => {
  const p = commonCrawlSource.params.parse({});
  assert.deepEqual(p.dumps, ['2019-30', '2020-05', '2021-04', '2022-05', '2023-06']);
  assert.equal(p.base_url, 'https://data.commoncrawl.org/');
  const { server, base } = await serve({});
  try {
    const fetcher = new Fetcher({ cacheDir: mkdtempSync(join(tmpdir(), 'cc-cache-')), retries: 0 });
    const env = { pipelineDir: '.', outDir: '.', log: createLogger('t'), fetcher, taskBytes: 1 << 26 };
    await assert.rejects(commonCrawlSource.list(commonCrawlSource.params.parse({ base_url: base, dumps: ['2019-30'] }), env), /CC-MAIN-2019-30\/wet\.paths\.gz/);
  } finally {
    server.close();
  }
});

test('a plain (uncompressed) listing is accepted too, blank lines ignored', () => {
  assert.deepEqual(parsePathsListing(Buffer.from('a/b.warc.wet.gz\n\n c/d.warc.wet.gz \n'), 'x'), ['a/b.warc.wet.gz', 'c/d.warc.wet.gz']);
});
