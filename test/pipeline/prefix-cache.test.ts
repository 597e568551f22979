/**
 * The prefix cache (src/pipeline/prefix-cache.ts): in a stage with passes, the steps before the first
 * global step run once per task, and everything built from their cached output is what computing
 * them gives: documents, rejects in order, quarantined records, counters; a killed build resumes to
 * the same bytes; the cache is gone when the stage completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { readShard } from '../../src/io/shards.js';
import { runCli, shardHashes, tempDir, testPlugin } from '../helpers.js';

const DOCS = 3000;
const BAD_AFTER = 1234;
const text = (i: number) => `document ${i} ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 13))}`;
/** Words per document: 2 + 5 × (1 + i mod 13); min_words 8 removes i mod 13 = 0. */
const keptByLength = (i: number) => i % 13 !== 0;

function writeInput(dir: string): void {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const lines = Array.from({ length: DOCS }, (_, i) => JSON.stringify({ text: text(i), meta: { i } }));
  lines.splice(BAD_AFTER, 0, '{"text": "a record cut short');
  writeFileSync(join(dir, 'in', 'big.jsonl'), `${lines.join('\n')}\n`);
}

function pipeline(dir: string, name: string, stages: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nplugins: [${testPlugin(dir)}]\nsettings: { task_bytes: 24KiB, shard_bytes: 32KiB, keep_rejects: true }\nstages:\n${stages}`);
  return file;
}

const INPUT = `    inputs:\n      - source: jsonl\n        urls: ["file:in/big.jsonl"]\n`;
const LATER_STEPS = `      - step: corpus_words\n      - step: drop_every\n        every: 7\n      - step: two_scans\n`;

async function docsIn(dir: string): Promise<Doc[]> {
  const out: Doc[] = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) for await (const d of readShard(join(dir, f), { source: 'x' })) out.push(d);
  return out;
}

interface StatsFile {
  stages: Array<{
    name: string;
    sources: Record<string, { steps: Array<{ step: string; docs_in: number; docs_out: number }>; quarantined: Record<string, number> }>;
    passes: Record<string, { steps: Array<{ step: string; docs_in: number }> }>;
  }>;
}

test('a stage with passes computes the steps before its first global step once, and builds what two stages build', async () => {
  const dir = tempDir();
  writeInput(dir);
  // One stage: text_length is the prefix; corpus_words (scan + reduce) is the first global step, and
  // two_scans (two scans in a row + reduce) reads through the cache, corpus_words and drop_every.
  const one = pipeline(dir, 'one', `  - name: read\n${INPUT}    steps:\n      - step: text_length\n        min_words: 8\n${LATER_STEPS}`);
  // The same steps split at the prefix: the second stage reads the first one's shards, no cache.
  const two = pipeline(
    dir,
    'two',
    `  - name: read\n${INPUT}    steps:\n      - step: text_length\n        min_words: 8\n  - name: rest\n    inputs: [{ stage: read }]\n    steps:\n${LATER_STEPS}`,
  );
  const outOne = join(dir, 'one');
  const outTwo = join(dir, 'two');
  for (const [file, out] of [
    [one, outOne],
    [two, outTwo],
  ] as const) {
    const r = await runCli(['build', file, '--out', out, '--workers', '2']);
    assert.equal(r.code, 0, r.stderr);
  }

  // Documents: byte-identical shards, and the totals the two scans saw are the documents that reach them.
  const a = shardHashes(outOne);
  const b = shardHashes(outTwo);
  const docFiles = Object.keys(a).filter((k) => k.startsWith('read/jsonl/'));
  assert.ok(docFiles.length >= 4, 'several shards');
  for (const k of docFiles) assert.equal(a[k], b[k.replace(/^read\//, 'rest/')], k);
  const reaching = Array.from({ length: DOCS }, (_, i) => i).filter(keptByLength);
  const kept = await docsIn(join(outOne, 'read', 'jsonl'));
  assert.deepEqual(
    kept.map((d) => d.meta.i),
    reaching.filter((i) => i % 7 !== 0),
  );
  const survivors = reaching.filter((i) => i % 7 !== 0);
  assert.equal(kept[0]!.meta.stage_docs, survivors.length);
  assert.equal(
    kept[0]!.meta.stage_chars,
    survivors.reduce((n, i) => n + text(i).length, 0),
  );

  // Rejects: text_length's (cached) and drop_every's (computed after the cache) interleave in input order.
  const rejected = await docsIn(join(outOne, 'rejects', 'read', 'jsonl'));
  const expected = Array.from({ length: DOCS }, (_, i) => i)
    .filter((i) => !keptByLength(i) || i % 7 === 0)
    .map((i) => [i, keptByLength(i) ? 'every_7' : 'too_few_words']);
  assert.deepEqual(
    rejected.map((d) => [d.meta.i, d.meta.filter_reason]),
    expected,
  );
  // Quarantine: the malformed record once, as the two-stage build has it.
  assert.deepEqual(
    Object.keys(a).filter((k) => k.startsWith('quarantine/')),
    Object.keys(b).filter((k) => k.startsWith('quarantine/')),
  );
  for (const k of Object.keys(a).filter((k) => k.startsWith('quarantine/'))) assert.equal(a[k], b[k]);

  // Counters: the prefix step saw each document read once (not once per phase that reads documents),
  // and no pass reports it.
  const stats = JSON.parse(readFileSync(join(outOne, 'stats.json'), 'utf8')) as StatsFile;
  const read = stats.stages.find((s) => s.name === 'read')!;
  const steps = read.sources.jsonl!.steps;
  assert.deepEqual(
    steps.map((s) => s.step),
    ['text_length', 'corpus_words', 'drop_every', 'two_scans'],
  );
  assert.equal(steps[0]!.docs_in, DOCS);
  assert.equal(steps[0]!.docs_out, reaching.length);
  assert.deepEqual(read.sources.jsonl!.quarantined, { malformed_json: 1 });
  assert.deepEqual(Object.keys(read.passes).sort(), ['step1.count', 'step1.sum', 'step3.docs+chars', 'step3.sum']);
  for (const [phase, p] of Object.entries(read.passes)) assert.ok(!p.steps.some((s) => s.step === 'text_length'), `${phase} ran text_length again`);
  const scans = read.passes['step3.docs+chars']!.steps;
  assert.deepEqual(
    scans.map((s) => [s.step, s.docs_in]),
    [
      ['corpus_words', reaching.length],
      ['drop_every', reaching.length],
      ['two_scans.docs', survivors.length],
      ['two_scans.chars', survivors.length],
    ],
  );
  assert.equal(read.passes['step1.count']!.steps.find((s) => s.step === 'corpus_words.count')!.docs_in, reaching.length);
  // The cache is removed with the stage.
  assert.ok(!existsSync(join(outOne, '_work', 'read', '_prefix')));
});

for (const phase of ['step2.count', 'main']) {
  test(`a build killed during ${phase} of a stage with a prefix cache resumes to the same bytes`, async () => {
    const dir = tempDir();
    writeInput(dir);
    const file = pipeline(
      dir,
      'kill',
      `  - name: read\n${INPUT}    steps:\n      - step: text_length\n        min_words: 8\n      - step: slow\n        ms: 1\n      - step: corpus_words\n      - step: slow\n        ms: 1\n`,
    );
    const clean = join(dir, 'clean');
    const r = await runCli(['build', file, '--out', clean, '--workers', '2']);
    assert.equal(r.code, 0, r.stderr);
    const want = shardHashes(clean);

    const killed = join(dir, 'killed');
    const run = runCli(['build', file, '--out', killed, '--workers', '2']);
    const markers = join(killed, '_state', 'read', phase);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(markers) && readdirSync(markers).filter((f) => f.endsWith('.json')).length >= 3) {
          clearInterval(poll);
          run.child.kill('SIGKILL');
          resolve();
        }
      }, 10);
    });
    const dead = await run;
    assert.equal(dead.signal, 'SIGKILL');
    const resumed = await runCli(['build', file, '--out', killed, '--workers', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(shardHashes(killed), want);
    const leftovers: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.includes('.tmp')) leftovers.push(e.name);
      }
    };
    walk(killed);
    assert.deepEqual(leftovers, []);
    assert.ok(!existsSync(join(killed, '_work', 'read', '_prefix')));
  });
}
