import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeProgram } from '../../src/cli/main.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

test('every command has --help', async () => {
  const program = makeProgram();
  const names = program.commands.map((c) => c.name());
  for (const n of ['build', 'fetch', 'stats', 'inspect', 'status', 'logs', 'report', 'plan', 'mix', 'verify', 'encode', 'count', 'tokenize']) assert.ok(names.includes(n), n);
  for (const c of program.commands) {
    const help = c.helpInformation();
    assert.match(help, new RegExp(`^Usage: corpusmill ${c.name()}`), c.name());
    assert.ok(c.description().length > 10, `${c.name()} describes itself`);
  }
  // And as a user types it: exit 0, help on stdout.
  for (const name of ['build', 'mix']) {
    const r = await runCli([name, '--help']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: corpusmill ${name}`));
  }
});

test('a missing pipeline file is a usage error: exit 2, one line, no stack', async () => {
  const r = await runCli(['build', 'nope.yaml']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^corpusmill: nope\.yaml: cannot read the pipeline file/);
});

test('bad input data fails the work: exit 1 with the file named; --verbose adds the stack', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  const gz = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => JSON.stringify({ text: `doc ${i} `.repeat(20) })).join('\n')));
  writeFileSync(join(dir, 'in', 'cut.jsonl.gz'), gz.subarray(0, gz.length >> 1));
  writeFileSync(join(dir, 'p.yaml'), 'name: p\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: ["file:in/cut.jsonl.gz"]\n');
  const r = await runCli(['build', join(dir, 'p.yaml'), '--out', join(dir, 'out'), '--workers', '1']);
  assert.equal(r.code, 1);
  const last = r.stderr.trim().split('\n').at(-1)!;
  assert.match(last, /^corpusmill: .*cut\.jsonl\.gz: corrupt or truncated gzip data .* after line \d+$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const v = await runCli(['build', join(dir, 'p.yaml'), '--out', join(dir, 'out'), '--workers', '1', '--verbose']);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /\n\s+at /);
});

test('inspect prints documents of a shard, by position or by id', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const b = await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out, '--stage', 'ingest', '-q']);
  assert.equal(b.code, 0, b.stderr);
  const shardDir = join(out, 'ingest', 'c4');
  const shard = join(shardDir, readdirSync(shardDir).sort()[0]!);
  const r = await runCli(['inspect', shard, '--n', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const docs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; source: string; meta: { url: string } });
  assert.equal(docs.length, 2);
  assert.equal(docs[0]!.source, 'c4');
  assert.match(docs[0]!.id, /^c4\/c4-train\.00000-of-00002\.json\.gz\/\d+$/);
  const byId = await runCli(['inspect', shard, '--id', docs[1]!.id]);
  assert.equal(byId.code, 0);
  assert.ok(byId.stdout.includes(docs[1]!.id) && byId.stdout.includes(docs[1]!.meta.url));
  const missing = await runCli(['inspect', shard, '--id', 'nope']);
  assert.equal(missing.code, 2);
  // A folder reads its shards in name order: skipping past the first shard's documents reaches the second's.
  const shards = readdirSync(shardDir).sort();
  assert.ok(shards.length >= 2, 'the sample writes at least two c4 shards');
  const firstCount = (await runCli(['inspect', shard, '--n', '100000', '--json'])).stdout.trim().split('\n').length;
  const second = (await runCli(['inspect', join(shardDir, shards[1]!), '--n', '1', '--json'])).stdout.trim();
  const across = await runCli(['inspect', shardDir, '--skip', String(firstCount), '--n', '1', '--json']);
  assert.equal(across.code, 0, across.stderr);
  assert.equal(across.stdout.trim(), second);
  const lastId = (JSON.parse(second) as { id: string }).id;
  assert.ok((await runCli(['inspect', join(out, 'ingest'), '--id', lastId])).stdout.includes(lastId));
  const empty = await runCli(['inspect', join(dir, 'nothing-here')]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /nothing-here: no such file or folder/);
});

test('every usage error exits 2 with one line naming it, commander errors included', async () => {
  const sample = join(repoRoot, 'pipelines', 'sample.yaml');
  for (const args of [
    ['build', sample, '--workers', 'abc'],
    ['task', sample],
    ['dedup', 'params', '--threshold', '1.5'],
    ['build', sample, '--no-such-option'],
    ['no-such-command'],
    [],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `corpusmill ${args.join(' ')}: ${r.stderr}`);
    if (args.length) assert.match(r.stderr, /^corpusmill: error: /, args.join(' '));
  }
  assert.equal((await runCli(['--help'])).code, 0);
});

test('Ctrl-C stops a build with one line saying how to resume, exit 130', async () => {
  const out = join(tempDir(), 'out');
  const run = runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out]);
  let stderr = '';
  await new Promise<void>((resolve) => {
    run.child.stderr!.on('data', (d) => {
      stderr += d;
      if (/planned \d+ read tasks/.test(stderr)) resolve();
    });
  });
  run.child.kill('SIGINT');
  const r = await run;
  assert.equal(r.code, 130, r.stderr);
  const last = r.stderr.trim().split('\n').at(-1)!;
  assert.match(last, /^corpusmill: interrupted; finished tasks are kept, resume with: corpusmill build \S+sample\.yaml --out \S+out$/);
  assert.equal(r.stderr.match(/interrupted/g)!.length, 1);
});

test('build --limit N: a trial run of the first N documents per task, into its own folder', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const r = await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out, '--stage', 'ingest', '--limit', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--limit 3: a trial run, the first 3 documents of each task, written to \S+out-limit3/);
  assert.ok(!existsSync(out), 'the full build folder is left alone');
  const stats = JSON.parse(r.stdout) as { stages: Array<{ name: string; tasks: { done: number }; sources: Record<string, { tasks: number; steps: Array<{ docs_in: number }> }> }> };
  const ingest = stats.stages.find((s) => s.name === 'ingest')!;
  for (const [source, s] of Object.entries(ingest.sources)) {
    assert.ok(s.steps[0]!.docs_in <= 3 * s.tasks, `${source}: ${s.steps[0]!.docs_in} documents from ${s.tasks} tasks`);
    assert.ok(s.steps[0]!.docs_in > 0);
  }
  const shards = readdirSync(join(`${out}-limit3`, 'ingest', 'c4'));
  assert.ok(shards.length > 0);
  assert.equal((await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--limit', '0'])).code, 2);
});

test('--force reads the same in the README and in --help', async () => {
  const help = (await runCli(['build', '--help'])).stdout.replace(/\s+/g, ' ');
  const text = /--force (.+?) --json/.exec(help)![1]!.trim();
  assert.ok(readFileSync(join(repoRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ').includes(`\`--force\`: ${text}`), text);
});
