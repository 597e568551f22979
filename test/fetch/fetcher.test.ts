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
type Logged = { path: string; range?: string; ifRange?: string; ifNoneMatch?: string };

/**
 * Serves `data` (version `etag`) as a server should: Range honoured when If-Range (if sent) names
 * this version, the whole file otherwise; conditional GETs answered 304.
 */
function serveVersion(data: Buffer, etag: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  if (m && (ifRange === undefined || ifRange === etag)) {
    const start = Number(m[1]);
    res.writeHead(206, { 'content-length': data.length - start, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}`, 'accept-ranges': 'bytes', etag });
    res.end(data.subarray(start));
  } else {
    res.writeHead(200, { 'content-length': data.length, 'accept-ranges': 'bytes', etag });
    res.end(data);
  }
}

/** Serves `body` with full Range support. */
function serveRange(req: IncomingMessage, res: ServerResponse): void {
  serveVersion(body, '"v1"', req, res);
}

async function withServer(routes: Record<string, Behaviour>, fn: (base: string, log: Logged[]) => Promise<void>): Promise<void> {
  const attempts = new Map<string, number>();
  const log: Logged[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = attempts.get(path) ?? 0;
    attempts.set(path, n + 1);
    log.push({ path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, ifNoneMatch: req.headers['if-none-match'] });
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
          res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
          res.write(body.subarray(0, 100_000), () => res.socket?.destroy());
        } else if (attempt === 1) res.writeHead(500).end('busy');
        else if (attempt === 2) res.writeHead(429, { 'retry-after': '0' }).end('slow down');
        else if (attempt === 3) {
          // A short body on a resumed range: the end comes early but cleanly.
          const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? 'bytes=0-')![1]);
          res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, etag: '"v1"' });
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
      // Every resume named the version it continues (If-Range with the first response's ETag).
      assert.deepEqual(
        log.filter((l) => l.range).map((l) => l.ifRange),
        ['"v1"', '"v1"', '"v1"', '"v1"'],
      );
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

test('a cached download is revalidated with a conditional request (304: kept); offline or with a published checksum, no request', async () => {
  await withServer({ '/data.bin': serveRange }, async (base, log) => {
    const dir = tempDir();
    const a = fetcher(dir);
    await a.fetchFile({ url: `${base}/data.bin`, name: 'data.bin' });
    await a.close();
    const b = fetcher(dir);
    const again = await b.fetchFile({ url: `${base}/data.bin`, name: 'data.bin' });
    await b.close();
    assert.equal(log.length, 2);
    assert.equal(log[1]!.ifNoneMatch, '"v1"');
    assert.equal(again.sha256, sha256);
    const offline = new Fetcher({ cacheDir: dir, log: createLogger('t'), offline: true });
    assert.equal((await offline.fetchFile({ url: `${base}/data.bin`, name: 'data.bin' })).sha256, sha256);
    await assert.rejects(offline.fetchFile({ url: `${base}/other.bin`, name: 'other.bin' }), /other\.bin: not in the download cache \(--offline/);
    await offline.close();
    const vouched = fetcher(dir);
    await vouched.fetchFile({ url: `${base}/data.bin`, name: 'data.bin', sha256 });
    await vouched.close();
    assert.equal(log.length, 2, 'no request: offline, or the published checksum vouches for the cached copy');
  });
});

test('a cached file that changed on the server is fetched again; an unreachable server keeps the cached copy', async () => {
  const v2 = randomBytes(120_000);
  let current: { data: Buffer; etag: string } = { data: body, etag: '"v1"' };
  await withServer({ '/f.bin': (req, res) => serveVersion(current.data, current.etag, req, res) }, async (base) => {
    const dir = tempDir();
    const f = fetcher(dir);
    assert.equal((await f.fetchFile({ url: `${base}/f.bin`, name: 'f.bin' })).sha256, sha256);
    current = { data: v2, etag: '"v2"' };
    const got = await f.fetchFile({ url: `${base}/f.bin`, name: 'f.bin' });
    assert.deepEqual(readFileSync(got.path), v2);
    await f.close();
  });
  // The same cache, the server gone (connection refused): the copy is used, with a warning.
  const dir = tempDir();
  let gone = '';
  await withServer({ '/g.bin': serveRange }, async (base) => {
    const f = fetcher(dir);
    await f.fetchFile({ url: `${base}/g.bin`, name: 'g.bin' });
    await f.close();
    gone = base;
  });
  const warnings: string[] = [];
  const log = createLogger('t');
  log.warn = (m: string) => void warnings.push(m);
  const f = new Fetcher({ cacheDir: dir, backoffMs: 5, maxBackoffMs: 20, retries: 6, timeoutMs: 5000, log });
  const kept = await f.fetchFile({ url: `${gone}/g.bin`, name: 'g.bin' });
  await f.close();
  assert.equal(kept.sha256, sha256);
  assert.ok(
    warnings.some((w) => /g\.bin: cannot revalidate the cached copy \(cannot connect .*ECONNREFUSED/.test(w)),
    warnings.join('\n'),
  );
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

/**
 * The file changes on the server while a download is in flight: the first GET is cut after 64 KB,
 * then the server has version 2. `mode` says how the server answers the resume.
 */
function changingFile(v2: Buffer, mode: 'honours-if-range' | 'ignores-if-range'): Behaviour {
  return (req, res, attempt) => {
    if (attempt === 0) {
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"' });
      res.write(body.subarray(0, 64 * 1024), () => res.socket?.destroy());
      return;
    }
    if (mode === 'honours-if-range') return serveVersion(v2, '"v2"', req, res);
    // A broken server: Range served from the new version whatever If-Range says.
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      res.writeHead(206, { 'content-length': v2.length - start, 'content-range': `bytes ${start}-${v2.length - 1}/${v2.length}`, etag: '"v2"' });
      res.end(v2.subarray(start));
    } else serveVersion(v2, '"v2"', req, res);
  };
}

test('a file that changed on the server mid-download is never spliced: If-Range gets it whole, a 206 of another version restarts it', async () => {
  const v2 = Buffer.concat([randomBytes(64 * 1024), body.subarray(64 * 1024)]); // same size, different start
  const v2sha = createHash('sha256').update(v2).digest('hex');
  for (const mode of ['honours-if-range', 'ignores-if-range'] as const) {
    await withServer({ '/c.bin': changingFile(v2, mode) }, async (base, log) => {
      // No published checksum (C4, JSON lines, GitHub tarballs): only the validators protect the file.
      const f = fetcher(tempDir());
      const got = await f.fetchFile({ url: `${base}/c.bin`, name: 'c.bin' });
      await f.close();
      assert.deepEqual(readFileSync(got.path), v2, mode);
      assert.equal(got.sha256, v2sha);
      assert.equal(log[1]!.ifRange, '"v1"', 'the resume named the version it continues');
    });
    // With a published checksum of version 1 the download fails with one line (it is not version 1).
    await withServer({ '/c.bin': changingFile(v2, mode) }, async (base) => {
      const f = fetcher(tempDir());
      await assert.rejects(f.fetchFile({ url: `${base}/c.bin`, name: 'c.bin', sha256 }), (e: Error) => {
        assert.match(e.message, /c\.bin: sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}$/);
        return true;
      });
      await f.close();
    });
  }
});

test('a partial download without ETag or Last-Modified is not resumed; with only Last-Modified, If-Range uses it', async () => {
  for (const validator of ['none', 'last-modified'] as const) {
    const lm = 'Wed, 01 Jan 2025 00:00:00 GMT';
    await withServer(
      {
        '/n.bin': (req, res, attempt) => {
          const headers: Record<string, string | number> = { 'content-length': body.length };
          if (validator === 'last-modified') headers['last-modified'] = lm;
          if (attempt === 0) {
            res.writeHead(200, headers);
            res.write(body.subarray(0, 100_000), () => res.socket?.destroy());
          } else if (req.headers.range && req.headers['if-range'] === lm) {
            const start = Number(/bytes=(\d+)-/.exec(req.headers.range)![1]);
            res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'last-modified': lm });
            res.end(body.subarray(start));
          } else {
            res.writeHead(200, headers);
            res.end(body);
          }
        },
      },
      async (base, log) => {
        const f = fetcher(tempDir());
        const got = await f.fetchFile({ url: `${base}/n.bin`, name: 'n.bin' });
        await f.close();
        assert.deepEqual(readFileSync(got.path), body);
        if (validator === 'none') assert.equal(log[1]!.range, undefined, 'restarted from byte 0');
        else assert.deepEqual([log[1]!.ifRange, /bytes=(\d+)-/.test(log[1]!.range ?? '')], [lm, true]);
      },
    );
  }
});

test('a corrupt cached file (same size, other bytes) is discarded and fetched again', async () => {
  await withServer({ '/d.bin': serveRange }, async (base, log) => {
    const dir = tempDir();
    const f = fetcher(dir);
    const first = await f.fetchFile({ url: `${base}/d.bin`, name: 'd.bin' });
    const bad = Buffer.from(body);
    bad[1000] = bad[1000]! ^ 0xff;
    writeFileSync(first.path, bad);
    const again = await f.fetchFile({ url: `${base}/d.bin`, name: 'd.bin' });
    await f.close();
    assert.deepEqual(readFileSync(again.path), body);
    assert.equal(log.length, 2);
    assert.equal(log[1]!.ifNoneMatch, undefined, 'a full download, not a revalidation');
  });
});

test('permanent network errors fail after at most 2 quick attempts with one line: connection refused, 4xx', async () => {
  let refused = '';
  await withServer({}, async (base) => {
    refused = base;
  });
  const f = new Fetcher({ cacheDir: tempDir(), retries: 8, backoffMs: 10_000, maxBackoffMs: 30_000, log: createLogger('t') });
  // A backoff of 10 s would make a retried failure take minutes; these fail on their first quick retry.
  const t0 = Date.now();
  await assert.rejects(f.fetchFile({ url: `${refused}/x.bin`, name: 'x.bin' }), (e: Error) => {
    assert.ok(e instanceof CorpusError);
    assert.match(e.message, /x\.bin: giving up after 2 attempts: cannot connect \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    return true;
  });
  await assert.rejects(f.fetchBuffer(`${refused}/listing.txt`), /giving up after 2 attempts: cannot connect/);
  assert.ok(Date.now() - t0 < 10_000, 'no backoff between the two attempts');
  await f.close();
  await withServer({ '/gone': (_q, res) => res.writeHead(410).end() }, async (base, log) => {
    const g = new Fetcher({ cacheDir: tempDir(), retries: 8, backoffMs: 10_000, log: createLogger('t') });
    await assert.rejects(g.fetchFile({ url: `${base}/gone`, name: 'gone' }), /gone: HTTP 410$/);
    await g.close();
    assert.equal(log.length, 1);
  });
});
