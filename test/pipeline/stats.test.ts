/**
 * The numbers a user reads, against what the build wrote: `stats --json` totals against the line
 * counts of the shards (counted by the `zstd` tool) and the token counts of the manifests; what
 * each stage read against the sizes of the shards it read; the table, the progress lines and
 * `status` in human units (done never above total, no ETA on finished phases, passes named by what
 * they do).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers.js';

interface Stats {
  stages: Array<{
    name: string;
    upstream: string[];
    totals: { docs: number; rejected_docs: number; read_bytes: number; tokens: Record<string, number> };
    passes: Record<string, { label: string; tasks: number }>;
  }>;
  tokens: Record<string, number>;
}

function files(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

const lines = (zst: string) => execFileSync('zstd', ['-dc', zst]).toString('utf8').split('\n').filter(Boolean).length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const UNIT = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 } as const;
const bytesOf = (s: string) => Number(s.split(' ')[0]) * UNIT[s.split(' ')[1] as keyof typeof UNIT];

test('stats --json totals equal the shards, the manifests and the bytes each stage read; table, progress and status read as a person would', async () => {
  const out = join(tempDir(), 'out');
  const b = await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out]);
  assert.equal(b.code, 0, b.stderr);
  const r = await runCli(['stats', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as Stats;
  assert.equal(stats.stages.length, 12);

  for (const st of stats.stages) {
    assert.equal(st.totals.docs, sum(files(join(out, st.name), '.jsonl.zst').map(lines)), `${st.name}: documents = lines of its shards`);
    assert.equal(st.totals.rejected_docs, sum(files(join(out, 'rejects', st.name), '.jsonl.zst').map(lines)), `${st.name}: rejects = lines of its reject shards`);
    // A stage reading earlier stages read exactly their shards.
    if (st.upstream.length)
      assert.equal(st.totals.read_bytes, sum(st.upstream.flatMap((u) => files(join(out, u), '.jsonl.zst')).map((f) => statSync(f).size)), `${st.name}: bytes read`);
  }
  const manifests = files(join(out, 'tokens', 'llama2'), '.manifest.json').map((f) => JSON.parse(readFileSync(f, 'utf8')) as { tokens: number });
  assert.ok(manifests.length > 0);
  const tokens = sum(manifests.map((m) => m.tokens));
  assert.deepEqual(stats.tokens, { llama2: tokens });
  const tok = stats.stages.find((s) => s.name === 'tokenize')!;
  assert.deepEqual(tok.totals.tokens, { llama2: tokens });
  assert.equal(tok.totals.docs, 0, 'the tokenize stage writes no documents');
  const dedup = stats.stages.find((s) => s.name === 'dedup')!;
  assert.deepEqual(
    Object.values(dedup.passes).map((p) => p.label),
    [
      'exact_dedup: hash',
      'exact_dedup: groups',
      'minhash_dedup: signatures',
      'minhash_dedup: buckets',
      'minhash_dedup: local',
      'minhash_dedup: cross',
      'minhash_dedup: roots',
      'minhash_dedup: labels',
      'minhash_dedup: survivors',
    ],
  );

  // The table: tokens, not "0 documents, 0 B"; passes by name; the (read) bytes of a later stage are its shards'.
  const table = b.stdout;
  const tokTotal = table.split('\n').find((l) => l.startsWith('  total:') && table.lastIndexOf('stage tokenize') < table.indexOf(l))!;
  assert.match(tokTotal, new RegExp(`llama2 ${tokens.toLocaleString('en-US')} tokens`));
  assert.doesNotMatch(tokTotal, /0 documents|0 B of text/);
  assert.match(table, /pass minhash_dedup: signatures: 4 tasks/);
  assert.doesNotMatch(table, /step\d+\./, 'no internal phase names');
  const filterQa = table
    .slice(table.indexOf('stage filter'))
    .split('\n')
    .find((l) => l.startsWith('stackexchange  (read)'))!;
  const qaShards = sum(files(join(out, 'qa'), '.jsonl.zst').map((f) => statSync(f).size));
  assert.ok(
    Math.abs(
      bytesOf(
        filterQa
          .trim()
          .split(/\s{2,}/)
          .at(-1)!,
      ) - qaShards,
    ) <= 50,
    `${filterQa} vs ${qaShards} B of qa shards`,
  );

  // Progress lines (not a terminal: plain lines): done never above total, no ETA once done.
  const progress = b.stderr.split('\n').filter((l) => /\d+\/\d+ tasks?/.test(l));
  assert.ok(progress.length > 20);
  for (const l of progress) {
    const t = /(\d+)\/(\d+) tasks?/.exec(l)!;
    assert.ok(Number(t[1]) <= Number(t[2]), l);
    const by = /, ([\d.]+ [KMG]?B)\/([\d.]+ [KMG]?B),/.exec(l);
    if (by) assert.ok(bytesOf(by[1]!) <= bytesOf(by[2]!), l);
    if (t[1] === t[2]) assert.doesNotMatch(l, /ETA/, l);
  }
  assert.ok(
    progress.some((l) => /minhash_dedup: roots: 1\/1 task, done in/.test(l)),
    'a reduce pass shows its tasks',
  );

  // status: human units (no long fractions), aligned columns, done phases say so.
  const s = await runCli(['status', out]);
  assert.equal(s.code, 0, s.stderr);
  const rows = s.stdout.trimEnd().split('\n');
  assert.doesNotMatch(s.stdout, /\d\.\d{3,}/);
  assert.equal(new Set(rows.map((x) => x.length)).size, 1, `aligned columns:\n${s.stdout}`);
  assert.match(s.stdout, /minhash_dedup: signatures/);
  for (const row of rows.slice(1)) assert.match(row, /done$/, row);
});

test('human units: rounded bytes, separated counts, short durations', async () => {
  const { humanBytes, humanCount, humanDuration } = await import('../../src/pipeline/stats.js');
  assert.equal(humanBytes(650.0856960971548), '650 B');
  assert.equal(humanBytes(999.6), '1.0 KB');
  assert.equal(humanBytes(20_049), '20.0 KB');
  assert.equal(humanBytes(176_432), '176 KB');
  assert.equal(humanBytes(1.4e12), '1.4 TB');
  assert.equal(humanCount(1001409), '1,001,409');
  assert.equal(humanDuration(0.04), '0.0s');
  assert.equal(humanDuration(12.4), '12s');
  assert.equal(humanDuration(185), '3m05s');
  assert.equal(humanDuration(7620), '2h07m');
});
