/**
 * Validated downloads inside real builds, against a loopback HTTP server: a file that changes on
 * the server while its download is resumed (the build reads the new version, never a splice), a
 * cached copy that no longer decompresses (discarded, fetched again once, the task rerun), and a
 * server whose file is itself corrupt (fetched again once, then one line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { outputHashes, runCli, tempDir } from '../helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

async function serve(handler: Handler, fn: (base: string, hits: IncomingMessage[]) => Promise<void>): Promise<void> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    handler(req, res, hits.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** Serves one version of a file like a well-behaved server (ETag, Range with If-Range, 304). */
function version(data: Buffer, etag: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  if (m && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag)) {
    const start = Number(m[1]);
    res.writeHead(206, { 'content-length': data.length - start, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}`, etag });
    res.end(data.subarray(start));
  } else res.writeHead(200, { 'content-length': data.length, etag }).end(data);
}

const lines = (tag: string, n: number) =>
  Buffer.from(`${Array.from({ length: n }, (_, i) => JSON.stringify({ text: `${tag} document ${i} ${'with some words '.repeat(8)}` })).join('\n')}\n`);

function pipeline(dir: string, url: string, cache?: string): string {
  const file = join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: p\n${cache ? `settings: { cache_dir: ${JSON.stringify(cache)} }\n` : ''}stages:\n  - name: read\n    inputs:\n      - source: jsonl\n        urls: [${JSON.stringify(url)}]\n`,
  );
  return file;
}

test('a file that changed on the server while its download resumed: the build reads the new version whole, whatever the server does with If-Range', async () => {
  const v1 = lines('old', 2000);
  const v2 = lines('new', 2100);
  const dir = tempDir();
  let want: Record<string, string> = {};
  await serve(
    (req, res) => version(v2, '"v2"', req, res),
    async (base) => {
      const out = join(dir, 'reference');
      assert.equal((await runCli(['build', pipeline(dir, `${base}/data.jsonl`), '--out', out])).code, 0);
      want = outputHashes(out);
    },
  );
  for (const ignoresIfRange of [false, true]) {
    await serve(
      (req, res, n) => {
        if (n === 0) {
          // The first GET dies after 64 KB; by the retry the server has version 2.
          res.writeHead(200, { 'content-length': v1.length, etag: '"v1"' });
          res.write(v1.subarray(0, 64 * 1024), () => res.socket?.destroy());
        } else if (ignoresIfRange && req.headers.range) {
          const start = Number(/bytes=(\d+)-/.exec(req.headers.range)![1]);
          res.writeHead(206, { 'content-length': v2.length - start, 'content-range': `bytes ${start}-${v2.length - 1}/${v2.length}`, etag: '"v2"' });
          res.end(v2.subarray(start));
        } else version(v2, '"v2"', req, res);
      },
      async (base, hits) => {
        const out = join(dir, `changed-${ignoresIfRange}`);
        const r = await runCli(['build', pipeline(dir, `${base}/data.jsonl`), '--out', out]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(hits[1]!.headers['if-range'], '"v1"');
        assert.deepEqual(outputHashes(out), want);
      },
    );
  }
});

test('a cached download that no longer decompresses is fetched again once and its task rerun; a server sending corrupt bytes fails with one line', async () => {
  const good = gzipSync(lines('cached', 500));
  const dir = tempDir();
  const cache = join(dir, 'cache');
  await serve(
    (req, res) => version(good, '"g1"', req, res),
    async (base, hits) => {
      const first = join(dir, 'first');
      assert.equal((await runCli(['build', pipeline(dir, `${base}/data.jsonl.gz`, cache), '--out', first])).code, 0);
      const cached = join(cache, `127.0.0.1_${new URL(base).port}`, 'data.jsonl.gz');
      const damage = () => {
        const bytes = readFileSync(cached);
        bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff; // in the CRC32 trailer: same size
        writeFileSync(cached, bytes);
      };
      // Damaged in place (its mtime moves): the cache check hashes it again, discards it, fetches it again.
      damage();
      const second = join(dir, 'second');
      let before = hits.length;
      const r2 = await runCli(['build', pipeline(dir, `${base}/data.jsonl.gz`, cache), '--out', second]);
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stderr, /data\.jsonl\.gz: discarding the cached copy \(sha256 [0-9a-f]{64} differs from the [0-9a-f]{64} it was downloaded with\); fetching it again/);
      assert.equal(hits.length - before, 1, 'one download, no revalidation');
      assert.deepEqual(outputHashes(second), outputHashes(first));
      // Rotted without a trace (its record updated to the new mtime): only decompressing it can tell.
      damage();
      const metaPath = `${cached}.meta.json`;
      writeFileSync(metaPath, JSON.stringify({ ...JSON.parse(readFileSync(metaPath, 'utf8')), mtime_ms: statSync(cached).mtimeMs }));
      const third = join(dir, 'third');
      before = hits.length;
      const r = await runCli(['build', pipeline(dir, `${base}/data.jsonl.gz`, cache), '--out', third]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /data\.jsonl\.gz: the cached copy cannot be read \(.*corrupt or truncated gzip data .*\); fetching it again/);
      assert.match(r.stderr, /fetched again \(sha256 [0-9a-f]{64}\); running read\/main#0 again/);
      assert.equal(hits.length - before, 2, 'one revalidation (304), one download');
      assert.deepEqual(outputHashes(third), outputHashes(first));
    },
  );
  // The server's own file is cut short (with a matching Content-Length): fetched again once, same bytes, one line.
  const cut = good.subarray(0, good.length - 100);
  await serve(
    (req, res) => version(cut, '"c1"', req, res),
    async (base, hits) => {
      const out = join(dir, 'cut');
      const r = await runCli(['build', pipeline(dir, `${base}/cut.jsonl.gz`), '--out', out]);
      assert.equal(r.code, 1);
      const last = r.stderr.trim().split('\n').at(-1)!;
      assert.match(
        last,
        /^corpusmill: .*cut\.jsonl\.gz: corrupt or truncated gzip data \(unexpected end of file\) after line \d+ \(fetched again: the server sends the same bytes\)$/,
      );
      assert.equal(hits.filter((h) => !h.headers['if-none-match']).length, 2, 'downloaded twice, no more');
    },
  );
});

test('with the server gone, a build revalidates nothing under --offline and warns without it; both read the cache', async () => {
  const data = lines('offline', 300);
  const dir = tempDir();
  const cache = join(dir, 'cache');
  let url = '';
  await serve(
    (req, res) => version(data, '"o1"', req, res),
    async (base) => {
      url = `${base}/data.jsonl`;
      assert.equal((await runCli(['build', pipeline(dir, url, cache), '--out', join(dir, 'online')])).code, 0);
    },
  );
  const offline = await runCli(['build', pipeline(dir, url, cache), '--out', join(dir, 'offline'), '--offline']);
  assert.equal(offline.code, 0, offline.stderr);
  assert.doesNotMatch(offline.stderr, /revalidate|retry/);
  const online = await runCli(['build', pipeline(dir, url, cache), '--out', join(dir, 'again')]);
  assert.equal(online.code, 0, online.stderr);
  assert.match(online.stderr, /data\.jsonl: cannot revalidate the cached copy \(cannot connect \(connect ECONNREFUSED .*\)\); using it/);
  assert.deepEqual(outputHashes(join(dir, 'offline')), outputHashes(join(dir, 'online')));
  assert.deepEqual(outputHashes(join(dir, 'again')), outputHashes(join(dir, 'online')));
  // Offline, an input that is not cached is one line naming it.
  const missing = await runCli(['build', pipeline(dir, url.replace('data.jsonl', 'other.jsonl'), cache), '--out', join(dir, 'missing'), '--offline']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').at(-1), `corpusmill: ${url.replace('data.jsonl', 'other.jsonl')}: not in the download cache (--offline makes no request)`);
});
