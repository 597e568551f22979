import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { runCli, tempDir } from '../helpers.js';

test('fetch downloads every input over HTTP once, records it in the catalog, and build then reads the cache after a conditional request', async () => {
  const files: Record<string, Buffer> = {
    '/data/a.jsonl': Buffer.from(`${Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `alpha document number ${i} with enough words` })).join('\n')}\n`),
    '/data/b.jsonl': Buffer.from(`${Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `beta document number ${i} with enough words` })).join('\n')}\n`),
  };
  const hits: string[] = [];
  const conditional: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const body = files[req.url!];
    if (!body) return void res.writeHead(404).end();
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      conditional.push(req.url!);
      return void res.writeHead(304, { etag }).end();
    }
    res.writeHead(200, { 'content-length': body.length, etag }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, `name: p\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: ["${base}/data/a.jsonl", "${base}/data/b.jsonl"]\n`);
    const out = join(dir, 'out');
    const f = await runCli(['fetch', file, '--out', out, '--json']);
    assert.equal(f.code, 0, f.stderr);
    const listed = JSON.parse(f.stdout) as Array<{ url: string; bytes: number; sha256: string; etag: string }>;
    assert.deepEqual(
      listed.map((r) => r.url),
      [`${base}/data/a.jsonl`, `${base}/data/b.jsonl`],
    );
    assert.equal(listed[0]!.bytes, files['/data/a.jsonl']!.length);
    assert.equal(listed[0]!.sha256, createHash('sha256').update(files['/data/a.jsonl']!).digest('hex'));
    assert.match(listed[0]!.etag, /^"[0-9a-f]{32}"$/);
    const b = await runCli(['build', file, '--out', out, '--json']);
    assert.equal(b.code, 0, b.stderr);
    // Each file downloaded once; planning the build revalidated each cached copy (304, no body).
    assert.equal(hits.length - conditional.length, 2, 'each file downloaded once');
    assert.deepEqual(conditional.sort(), ['/data/a.jsonl', '/data/b.jsonl']);
    const stats = JSON.parse(b.stdout) as { stages: Array<{ totals: { docs: number } }> };
    assert.equal(stats.stages[0]!.totals.docs, 80);
    const db = new Database(join(out, 'catalog.sqlite'), { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM fetches').get() as { n: number }).n, 2);
    db.close();
  } finally {
    await new Promise((r) => server.close(r));
  }
});
