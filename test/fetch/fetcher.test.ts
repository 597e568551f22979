import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Fetcher, type FetchRecord } from '../../src/fetch/fetcher.js';
import { CorpusError } from '../../src/core/errors.js';
import { createLogger, setLogLevel } from '../../src/core/log.js';
import { tempDir } from '../helpers.js';

setLogLevel('error');
const body = randomBytes(300_000);
const sha256 = createHash('sha256').update(body).digest('hex');

type Behaviour = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/** Serves `body` with full Range support. */
function serveRange(req: IncomingMessage, res: ServerResponse): void {
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'accept-ranges': 'bytes' });
    res.end(body.subarray(start));
  } else {
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes', etag: '"v1"' });
    res.end(body);
  }
}

async function withServer(routes: Record<string, Behaviour>, fn: (base: string, log: Array<{ path: string; range?: string }>) => Promise<void>): Promise<void> {
  const attempts = new Map<string, number>();
  const log: Array<{ path: string; range?: string }> = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = attempts.get(path) ?? 0;
    attempts.set(path, n + 1);
    log.push({ path, range: req.headers.range });
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    route(req, res, n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await fn(base, log);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function fetcher(dir: string, records: FetchRecord[] = []): Fetcher {
  return new Fetcher({ cacheDir: dir, backoffMs: 5, maxBackoffMs: 20, retries: 6, timeoutMs: 5000, log: createLogger('test'), onFetched: (r) => records.push(r) });
}

test('a download survives a dropped connection, a 500, a 429 and a truncated body, resuming with Range', async () => {
  await withServer(
    {
      '/data.bin': (req, res, attempt) => {
        if (attempt === 0) {
          // Headers promise the whole body; the connection dies a third of the way in.
          res.writeHead(200, { 'content-length': body.length });
          res.write(body.subarray(0, 100_000), () => res.socket?.destroy());
        } else if (attempt === 1) res.writeHead(500).end('busy');
        else if (attempt === 2) res.writeHead(429, { 'retry-after': '0' }).end('slow down');
        else if (attempt === 3) {
          // A short body on a resumed range: the end comes early but cleanly.
          const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? 'bytes=0-')![1]);
          res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
          res.write(body.subarray(start, start + 50_000), () => res.socket?.destroy());
        } else serveRange(req, res);
      },
    },
    async (base, log) => {
      const dir = tempDir();
      const records: FetchRecord[] = [];
      const f = fetcher(dir, records);
      const got = await f.fetchFile({ url: `${base}/data.bin`, name: 'data.bin', sha256 });
      await f.close();
      assert.deepEqual(readFileSync(got.path), body);
      assert.equal(got.sha256, sha256);
      assert.equal(records.length, 1);
      assert.equal(records[0]!.bytes, body.length);
      // The later attempts asked only for what was missing.
      const starts = log.map((l) => (l.range ? Number(/bytes=(\d+)-/.exec(l.range)![1]) : 0));
      assert.equal(log.length, 5);
      assert.equal(starts[0], 0);
      assert.ok(starts[1]! > 0 && starts[1]! <= 100_000, `resumed at ${starts[1]}`);
      assert.ok(starts[4]! > starts[3]! && starts[4]! <= starts[3]! + 50_000, `resumed again at ${starts[4]} after ${starts[3]}`);
    },
  );
});

test('a server that ignores Range restarts the file and the result still verifies', async () => {
  await withServer(
    {
      '/norange.bin': (_req, res, attempt) => {
        res.writeHead(200, { 'content-length': body.length });
        if (attempt === 0) res.write(body.subarray(0, 70_000), () => res.socket?.destroy());
        else res.end(body);
      },
    },
    async (base) => {
      const f = fetcher(tempDir());
      const got = await f.fetchFile({ url: `${base}/norange.bin`, name: 'norange.bin' });
      await f.close();
      assert.deepEqual(readFileSync(got.path), body);
    },
  );
});

test('a checksum mismatch and a 404 fail with the URL in the message; a 404 is not retried', async () => {
  await withServer({ '/data.bin': serveRange }, async (base, log) => {
    const f = fetcher(tempDir());
    await assert.rejects(
      f.fetchFile({ url: `${base}/data.bin`, name: 'data.bin', sha256: '0'.repeat(64) }),
      (e: Error) => e instanceof CorpusError && /sha256 mismatch/.test(e.message) && e.message.includes('/data.bin'),
    );
    await assert.rejects(f.fetchFile({ url: `${base}/missing.bin`, name: 'missing.bin' }), (e: Error) => e instanceof CorpusError && /HTTP 404/.test(e.message));
    assert.equal(log.filter((l) => l.path === '/missing.bin').length, 1);
    await f.close();
  });
});

test('persistent 503s give up after the configured retries with a clear error', async () => {
  await withServer({ '/down': (_q, res) => res.writeHead(503).end() }, async (base, log) => {
    const f = new Fetcher({ cacheDir: tempDir(), backoffMs: 1, maxBackoffMs: 2, retries: 3, log: createLogger('t') });
    await assert.rejects(f.fetchBuffer(`${base}/down`), /giving up after 4 attempts: HTTP 503/);
    assert.equal(log.length, 4);
    await f.close();
  });
});

test('a completed download is reused from the cache without a request', async () => {
  await withServer({ '/data.bin': serveRange }, async (base, log) => {
    const dir = tempDir();
    const a = fetcher(dir);
    await a.fetchFile({ url: `${base}/data.bin`, name: 'data.bin' });
    await a.close();
    const b = fetcher(dir);
    const again = await b.fetchFile({ url: `${base}/data.bin`, name: 'data.bin' });
    await b.close();
    assert.equal(log.length, 1);
    assert.equal(again.sha256, sha256);
  });
});

test('file: URLs are read in place and verified; relative ones resolve against the base folder', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'local.bin'), body);
  const records: FetchRecord[] = [];
  const f = new Fetcher({ cacheDir: join(dir, 'cache'), baseDir: dir, onFetched: (r) => records.push(r) });
  const abs = await f.fetchFile({ url: pathToFileURL(join(dir, 'local.bin')).href, name: 'local.bin', sha256 });
  const rel = await f.fetchFile({ url: 'file:local.bin', name: 'local.bin' });
  assert.equal(abs.path, join(dir, 'local.bin'));
  assert.equal(rel.path, join(dir, 'local.bin'));
  assert.equal(records[1]!.sha256, sha256);
  await assert.rejects(f.fetchFile({ url: 'file:nope.bin', name: 'nope.bin' }), /nope\.bin: input file not found/);
  await f.close();
});
