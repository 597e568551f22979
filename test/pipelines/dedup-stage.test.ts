/**
 * The sample build's dedup stage through the real runtime: the planted copies of samples/dedup
 * (scripts/sample/dedup.ts) are removed in the known numbers, cluster ids land in the output, the
 * counts are in the stats, and 1 and 2 workers give byte-identical shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { readShard } from '../../src/io/shards.js';
import { runCli, tempDir, repoRoot } from '../helpers.js';

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl.zst')) out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

test('dedup stage of the sample: planted counts, cluster ids, same bytes with 1 and 2 workers', async () => {
  const sample = join(repoRoot, 'pipelines', 'sample.yaml');
  const a = tempDir('cm-dedup-a-');
  const b = tempDir('cm-dedup-b-');
  const r1 = await runCli(['build', sample, '--out', a, '--stage', 'dedup', '--workers', '1', '--json']);
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = await runCli(['build', sample, '--out', b, '--stage', 'dedup', '--workers', '2']);
  assert.equal(r2.code, 0, r2.stderr);

  const stats = JSON.parse(r1.stdout) as { stages: Array<{ name: string; sources: Record<string, { steps: Array<{ step: string; drops: Record<string, number> }> }> }> };
  const steps = stats.stages.find((s) => s.name === 'dedup')!.sources.commoncrawl!.steps;
  // scripts/sample/dedup.ts plants 8 exact and 10 near copies.
  assert.equal(steps.find((s) => s.step === 'exact_dedup')!.drops.duplicate, 8);
  assert.equal(steps.find((s) => s.step === 'minhash_dedup')!.drops.duplicate, 10);

  const fa = files(join(a, 'dedup'));
  const fb = files(join(b, 'dedup'));
  assert.ok(fa.size > 0);
  assert.deepEqual([...fa.keys()].sort(), [...fb.keys()].sort());
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${k} differs between 1 and 2 workers`);

  const docs: Doc[] = [];
  for (const k of [...fa.keys()].sort())
    for await (const d of readShard(join(a, 'dedup', k), { source: 'commoncrawl', inputName: k, onBad: () => assert.fail('bad record') })) docs.push(d);
  assert.equal(docs.length, 60);
  const clustered = docs.filter((d) => d.meta.dedup);
  // 8 pages with an exact copy and 10 with a near copy; pages 6 and 21 have both, so 16 survivors.
  assert.equal(clustered.length, 16);
  for (const d of clustered) assert.equal((d.meta.dedup as { cluster_id: string }).cluster_id, d.id);
});
