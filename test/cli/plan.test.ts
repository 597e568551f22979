import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli, tempDir } from '../helpers.js';

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
