import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot, runCli, tempDir } from '../helpers.js';

test('plan sizes inputs with sampled HEAD requests, downloads no data, and estimates CPU-hours', async () => {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    methods.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-length': 1_000_000 }).end(req.method === 'HEAD' ? undefined : Buffer.alloc(1_000_000));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      `name: p\nstages:\n  - name: a\n    inputs:\n      - source: c4\n        base_url: http://127.0.0.1:${(server.address() as AddressInfo).port}/c4/\n        max_files: 40\n`,
    );
    const r = await runCli(['plan', file, '--out', join(dir, 'out'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as {
      inputs: Array<{ files: number; bytes: number; sized: number; estimated: boolean; cpu_hours: number; rate_mb_s_per_core: number }>;
      total_bytes: number;
    };
    const c4 = plan.inputs[0]!;
    assert.equal(c4.files, 40);
    assert.equal(c4.sized, 16);
    assert.equal(c4.estimated, true);
    assert.equal(c4.bytes, 40_000_000);
    assert.ok(Math.abs(c4.cpu_hours - 40 / c4.rate_mb_s_per_core / 3600) < 1e-9);
    assert.ok(
      methods.every((m) => m.startsWith('HEAD ')),
      `only HEAD requests: ${methods.filter((m) => !m.startsWith('HEAD'))}`,
    );
    assert.equal(methods.length, 16);
    assert.ok(methods[0]!.includes('/c4/en/c4-train.00000-of-01024.json.gz'));
  } finally {
    await new Promise((r) => server.close(r));
  }
});

/** A loopback port nothing listens on (connections are refused at once). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('plan offline: answers, sizes what is local, names each listing it could not reach, falls back on an earlier build', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', 'own.jsonl'), `${JSON.stringify({ text: 'a local document' })}\n`.repeat(100));
  // StackExchange served from the repository's sample over loopback, for a first build.
  const files = join(repoRoot, 'samples', 'stackexchange');
  const server = createServer((req, res) => {
    const p = join(files, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!existsSync(p)) return res.writeHead(404).end();
    const data = readFileSync(p);
    res.writeHead(200, { 'content-length': data.length }).end(req.method === 'HEAD' ? undefined : data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const se = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const down = `http://127.0.0.1:${await closedPort()}/`;
  const file = join(dir, 'p.yaml');
  const pipeline = (seUrl: string) =>
    `name: p\nstages:\n  - name: own\n    inputs:\n      - source: jsonl\n        urls: ["file:in/own.jsonl"]\n` +
    `  - name: web\n    inputs:\n      - source: c4\n        base_url: ${down}\n        max_files: 3\n` +
    `  - name: qa\n    inputs:\n      - source: stackexchange\n        base_url: ${seUrl}\n        top: 1\n`;
  const out = join(dir, 'out');
  try {
    writeFileSync(file, pipeline(se));
    const b = await runCli(['build', file, '--out', out, '--stage', 'qa', '-q']);
    assert.equal(b.code, 0, b.stderr);
  } finally {
    await new Promise((r) => server.close(r));
  }
  type Plan = { inputs: Array<{ stage: string; files: number; bytes: number; from: string; unreachable?: string }>; total_bytes: number; unreachable: number };
  // The StackExchange listing is now unreachable too: the earlier build's frozen task list sizes it.
  const r = await runCli(['plan', file, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as Plan;
  const by = Object.fromEntries(plan.inputs.map((i) => [i.stage, i]));
  assert.equal(by.own!.bytes, Buffer.byteLength(`${JSON.stringify({ text: 'a local document' })}\n`) * 100);
  assert.equal(by.own!.unreachable, undefined);
  assert.equal(by.web!.files, 3);
  assert.match(by.web!.unreachable!, /no file could be sized: .*ECONNREFUSED/);
  assert.equal(by.qa!.from, 'catalog');
  assert.ok(by.qa!.bytes > 0 && by.qa!.files > 0);
  assert.equal(plan.unreachable, 1);
  assert.equal(plan.total_bytes, by.own!.bytes + by.qa!.bytes);
  // Without an earlier build the listing is named as unreachable, once, and the plan still answers.
  const fresh = await runCli(['plan', file, '--out', join(dir, 'fresh')]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, new RegExp(`qa/stackexchange: not reachable, left out of the totals: .*${se.replace(/[/.]/g, '\\$&')}stackexchange_files\\.xml`));
  assert.match(fresh.stdout, /^total of the reachable inputs: /m);
  assert.equal(fresh.stderr.split('\n').filter((l) => l.includes('stackexchange_files.xml')).length, 1, `asked once, no retries:\n${fresh.stderr}`);
  assert.doesNotMatch(fresh.stderr, /retry/);
});
