import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readShard } from '../../src/io/shards.js';
import { outputHashes, repoRoot, runCli, shardHashes, tempDir, twoStagePipeline } from '../helpers.js';

async function countDocs(dir: string): Promise<number> {
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.zst'))) for await (const _ of readShard(join(dir, f), { source: 'x' })) n++;
  return n;
}

const sample = join(repoRoot, 'pipelines', 'sample.yaml');

test('the sample builds to byte-identical shards with 1 and 2 workers, and stats match the shards', async () => {
  const a = tempDir();
  const b = tempDir();
  const r1 = await runCli(['build', sample, '--out', a, '--workers', '1', '--json']);
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = await runCli(['build', sample, '--out', b, '--workers', '2']);
  assert.equal(r2.code, 0, r2.stderr);
  const ha = shardHashes(a);
  assert.ok(Object.keys(ha).length >= 4, 'several shards');
  assert.deepEqual(shardHashes(b), ha);
  // stats --json: totals equal the documents actually in the shards.
  const st = await runCli(['stats', a, '--json']);
  assert.equal(st.code, 0, st.stderr);
  const stats = JSON.parse(st.stdout) as { stages: Array<{ name: string; sources: Record<string, { output: { docs: number } }>; totals: { docs: number } }> };
  for (const stage of stats.stages) {
    for (const [source, s] of Object.entries(stage.sources)) {
      const dir = join(a, stage.name, source);
      // A stage with write_documents: false (tokenize) writes no document shards.
      assert.equal(s.output.docs, existsSync(dir) ? await countDocs(dir) : 0, `${stage.name}/${source}`);
    }
  }
  assert.deepEqual(JSON.parse(r1.stdout), stats);
  // A rerun finds everything complete and changes nothing.
  const again = await runCli(['build', sample, '--out', a]);
  assert.equal(again.code, 0);
  assert.match(again.stderr, /already complete/);
  assert.deepEqual(shardHashes(a), ha);
});

function bigPipeline(dir: string, readSteps = ''): string {
  return twoStagePipeline(dir, { docs: 3000, taskBytes: '8KiB', readSteps });
}

/** Markers (`NNNNNN.json`) present in a phase folder. */
function markers(out: string, stage: string, phase: string): number {
  const dir = join(out, '_state', stage, phase);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).length : 0;
}

/** Starts a build and SIGKILLs it once `ready` holds (polled); resolves with what the killed run left. */
async function buildKilledWhen(file: string, out: string, ready: () => boolean): Promise<void> {
  const run = runCli(['build', file, '--out', out, '--workers', '2']);
  const poll = setInterval(() => {
    if (ready()) run.child.kill('SIGKILL');
  }, 5);
  const r = await run;
  clearInterval(poll);
  assert.equal(r.signal, 'SIGKILL', `the build ended before it could be killed: ${r.stderr.slice(-2000)}`);
}

test('a build killed with SIGKILL at several points, rerun each time, gives the same bytes in every output file, token shards included', async () => {
  const dir = tempDir();
  const file = twoStagePipeline(dir, { docs: 3000, taskBytes: '8KiB', readSteps: '      - step: slow\n        ms: 1', tokenize: true });
  const clean = join(dir, 'clean');
  const r = await runCli(['build', file, '--out', clean, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const want = outputHashes(clean);
  assert.ok(
    Object.keys(want).some((f) => f.startsWith('tokens/llama2/') && f.endsWith('.bin')),
    'token shards are compared too',
  );
  assert.ok(Object.keys(want).some((f) => f.endsWith('.idx')) && Object.keys(want).some((f) => f.endsWith('.manifest.json')));
  const total = markers(clean, 'read', 'main');

  const killed = join(dir, 'killed');
  // While the first stage runs; while the second stage's scan pass runs; while tokenizing.
  await buildKilledWhen(file, killed, () => markers(killed, 'read', 'main') >= 3);
  assert.ok(markers(killed, 'read', 'main') < total);
  await buildKilledWhen(file, killed, () => markers(killed, 'stamp', 'step0.count') >= 1);
  assert.ok(markers(killed, 'stamp', 'main') < total);
  await buildKilledWhen(file, killed, () => markers(killed, 'tok', 'main') >= 2);
  assert.ok(markers(killed, 'tok', 'main') < total);

  const resumed = await runCli(['build', file, '--out', killed, '--workers', '1']);
  assert.equal(resumed.code, 0, resumed.stderr);
  // The dead builds' locks were taken over, each with a warning naming it.
  assert.match(resumed.stderr, /taking over from corpusmill build, run [0-9a-f]{8}, pid \d+ on .*which is no longer running/);
  assert.deepEqual(outputHashes(killed), want);
  const v = await runCli(['verify', join(killed, 'tokens', 'llama2')]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /complete against .*catalog\.sqlite/);
  // Nothing half-written is left behind.
  const leftovers: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.includes('.tmp')) leftovers.push(e.name);
    }
  };
  walk(killed);
  assert.deepEqual(leftovers, []);
});

test('passes of a global step see the whole stage before the main pass', async () => {
  const dir = tempDir();
  const file = bigPipeline(dir);
  const out = join(dir, 'out');
  const r = await runCli(['build', file, '--out', out, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  let words = 0;
  const totals = new Set<unknown>();
  for (const f of readdirSync(join(out, 'read', 'jsonl')).sort())
    for await (const d of readShard(join(out, 'read', 'jsonl', f), { source: 'x' })) words += d.text.split(/\s+/).filter(Boolean).length;
  for (const f of readdirSync(join(out, 'stamp', 'jsonl')).sort())
    for await (const d of readShard(join(out, 'stamp', 'jsonl', f), { source: 'x' })) totals.add(d.meta.corpus_words);
  assert.deepEqual([...totals], [words]);
});

test('a pipeline changed after a build is refused unless --force, which rebuilds that stage', async () => {
  const dir = tempDir();
  const file = bigPipeline(dir);
  const out = join(dir, 'out');
  assert.equal((await runCli(['build', file, '--out', out])).code, 0);
  writeFileSync(file, readFileSync(file, 'utf8').replace('min_words: 8', 'min_words: 9'));
  const refused = await runCli(['build', file, '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /stage read .* different configuration; rerun with --force/);
  const forced = await runCli(['build', file, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
});

test('a rerun removes the temporary files killed processes left anywhere in the output folder, except in the download cache', async () => {
  const dir = tempDir();
  const file = twoStagePipeline(dir, { docs: 50, taskBytes: '8KiB' });
  const out = join(dir, 'out');
  const first = await runCli(['build', file, '--out', out, '--workers', '1', '-q']);
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(join(out, 'stats.json.tmp-999-1'), '{"half');
  mkdirSync(join(out, 'mix.tmp-999-2'));
  writeFileSync(join(out, 'mix.tmp-999-2', 'mix_00000.bin'), 'partial');
  // A scan pass's state file, deep under _work/, and a file in the download cache (which another output folder may share).
  mkdirSync(join(out, '_work', 'stamp', 'counts'), { recursive: true });
  writeFileSync(join(out, '_work', 'stamp', 'counts', '3.json.tmp-999-3'), '{"wor');
  mkdirSync(join(out, 'cache'), { recursive: true });
  writeFileSync(join(out, 'cache', 'x.json.tmp-999-4'), 'another build');
  const again = await runCli(['build', file, '--out', out, '--workers', '1', '-q']);
  assert.equal(again.code, 0, again.stderr);
  const left: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.includes('.tmp-')) left.push(relative(out, join(d, e.name)));
    }
  };
  walk(out);
  assert.deepEqual(left, [join('cache', 'x.json.tmp-999-4')]);
  assert.ok(existsSync(join(out, 'stats.json')));
});
