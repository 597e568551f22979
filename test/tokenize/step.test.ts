/**
 * The `tokenize` pipeline step: token shards under <out>/tokens/<tokenizer>/<source>/, same bytes with
 * 1 and 2 workers and as `corpusmill tokenize` writes them; a task that stops early leaves no partial file.
 */
import { taskContext as standaloneContext } from '../../src/pipeline/standalone.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { readTokenDocument } from '../../src/tokenize/token-read.js';
import type { TokenManifest } from '../../src/tokenize/run.js';
import { tokenizeStep } from '../../src/tokenize/steps.js';
import type { Doc } from '../../src/core/document.js';
import type { StepEnv, TaskContext } from '../../src/pipeline/step.js';
import { newStepStats } from '../../src/core/stats.js';

function hashes(dir: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const f of readdirSync(dir).sort())
    r[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return r;
}

test('a pipeline tokenize step writes .npy shards and manifests whose ids equal the tokenizer, independent of workers', async () => {
  const dir = tempDir();
  const texts = Array.from({ length: 3000 }, (_, i) => `Document ${i}: ${'the quick brown fox jumps over the lazy dog. '.repeat(1 + (i % 7))}`);
  writeFileSync(join(dir, 'docs.jsonl'), `${texts.map((t) => JSON.stringify({ text: t })).join('\n')}\n`);
  writeFileSync(
    join(dir, 'p.yaml'),
    [
      'name: p',
      'settings:',
      '  task_bytes: 128KiB',
      'stages:',
      '  - name: tok',
      '    inputs:',
      '      - source: jsonl',
      '        urls: ["file:docs.jsonl"]',
      '    steps:',
      '      - step: tokenize',
      '        tokenizer: llama2',
      '        format: npy',
      '        eos: true',
      '',
    ].join('\n'),
  );
  const a = join(dir, 'a'),
    b = join(dir, 'b');
  const r1 = await runCli(['build', join(dir, 'p.yaml'), '--out', a, '--workers', '1']);
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = await runCli(['build', join(dir, 'p.yaml'), '--out', b, '--workers', '2']);
  assert.equal(r2.code, 0, r2.stderr);
  const ta = join(a, 'tokens', 'llama2', 'jsonl');
  const h = hashes(ta);
  assert.ok(Object.keys(h).filter((f) => f.endsWith('.manifest.json')).length >= 2, 'one manifest per task');
  assert.deepEqual(hashes(join(b, 'tokens', 'llama2', 'jsonl')), h);
  // documents, in task order, decode to the input
  const tok = await loadTokenizer('llama2');
  const manifests = Object.keys(h)
    .filter((f) => f.endsWith('.manifest.json'))
    .map((f) => JSON.parse(readFileSync(join(ta, f), 'utf8')) as TokenManifest);
  assert.equal(
    manifests.reduce((s, m) => s + m.documents, 0),
    texts.length,
  );
  const first = manifests[0]!.files.find((f) => f.name.endsWith('.npy') && !f.name.includes('offsets'))!;
  for (const k of [0, 1, 7]) {
    const ids = await readTokenDocument(join(ta, first.name), k);
    assert.deepEqual(ids, tok.encode(texts[k]!, { eos: true }));
  }
});

test('one task of the step writes the same shards and manifest as `corpusmill tokenize` on its documents', async () => {
  const dir = tempDir();
  // two sources in one task, the later one first: the manifest lists them sorted, as the CLI does
  const docs = Array.from({ length: 400 }, (_, i) => ({ text: `Record ${i}. ${'Étude sur les lamas, 日本語も少し. '.repeat(1 + (i % 5))}`, source: i % 2 ? 'alpha' : 'zeta' }));
  writeFileSync(join(dir, 'docs.jsonl'), `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
  writeFileSync(
    join(dir, 'p.yaml'),
    [
      'name: p',
      'stages:',
      '  - name: tok',
      '    inputs:',
      '      - source: jsonl',
      '        urls: ["file:docs.jsonl"]',
      '    steps:',
      '      - step: tokenize',
      '        tokenizer: llama2',
      '        eos: true',
      '        batch_bytes: 4096',
      '        max_shard_bytes: 8192',
      '',
    ].join('\n'),
  );
  const built = await runCli(['build', join(dir, 'p.yaml'), '--out', join(dir, 'b'), '--workers', '1']);
  assert.equal(built.code, 0, built.stderr);
  const cli = await runCli([
    'tokenize',
    '-t',
    'llama2',
    '--eos',
    '--threads',
    '2',
    '--max-shard-bytes',
    '8192',
    '--prefix',
    'part-00000',
    '--out',
    join(dir, 'c'),
    join(dir, 'docs.jsonl'),
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const fromStep = hashes(join(dir, 'b', 'tokens', 'llama2', 'jsonl'));
  const fromCli = hashes(join(dir, 'c'));
  assert.ok(Object.keys(fromCli).filter((f) => f.endsWith('.bin')).length >= 3, 'shards rotate');
  // The step's manifest also names the task that wrote it (for verify's completeness check).
  const stepManifest = JSON.parse(readFileSync(join(dir, 'b', 'tokens', 'llama2', 'jsonl', 'part-00000.manifest.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(stepManifest.build, { stage: 'tok', task: 0 });
  delete stepManifest.build;
  assert.equal(`${JSON.stringify(stepManifest, null, 2)}\n`, readFileSync(join(dir, 'c', 'manifest.json'), 'utf8'));
  delete fromStep['part-00000.manifest.json'];
  delete fromCli['manifest.json'];
  assert.deepEqual(fromStep, fromCli);
  const m = JSON.parse(readFileSync(join(dir, 'c', 'manifest.json'), 'utf8')) as TokenManifest;
  assert.deepEqual(Object.keys(m.sources), ['alpha', 'zeta']);
  assert.equal(m.documents, 400);
});

function taskContext(counts: Record<string, number>): TaskContext {
  const stats = newStepStats('tokenize');
  stats.counts = counts;
  return standaloneContext({ rank: 3, worldSize: 4, stage: 'tok', source: 'web', stats, stateDir: tempDir() });
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}

test('a task stopped early by downstream or failed by upstream leaves no partial shard and no manifest', async () => {
  const text = 'A document of a little more than one hundred characters, so that ten of them fill one batch of the step. ';
  async function* docs(n: number, fail: boolean): AsyncGenerator<Doc> {
    for (let i = 0; i < n; i++) yield { id: `web/${i}`, text: text + i, source: 'web', meta: {} };
    if (fail) throw new Error('upstream read error at record 35');
  }
  for (const fail of [false, true]) {
    const out = tempDir();
    const step = await tokenizeStep.create(tokenizeStep.params.parse({ batch_bytes: 1000 }), { outDir: out } as StepEnv);
    const counts: Record<string, number> = {};
    const it = step.run(docs(35, fail), taskContext(counts))[Symbol.asyncIterator]();
    if (fail) {
      const seen: Doc[] = [];
      await assert.rejects(async () => {
        for (let r = await it.next(); !r.done; r = await it.next()) seen.push(r.value);
      }, /upstream read error at record 35/);
      assert.ok(seen.length >= 10, 'full batches were passed on before the failure');
    } else {
      for (let i = 0; i < 12; i++) assert.equal((await it.next()).done, false);
      await it.return!(undefined);
    }
    const dir = join(out, 'tokens', 'llama2', 'web');
    assert.deepEqual(filesUnder(dir), [], `no files left (fail=${fail})`);
    assert.ok(counts.tokens! > 0, 'batches that were encoded before the stop were counted');
  }
});

test('the step counts tokens per source and in total, equal to the tokenizer, and its manifest says so', async () => {
  const out = tempDir();
  const tok = await loadTokenizer('llama2');
  const step = await tokenizeStep.create(tokenizeStep.params.parse({ batch_bytes: 300, eos: true }), { outDir: out } as StepEnv);
  const texts = Array.from({ length: 30 }, (_, i) => `Line ${i}: the llama (Lama glama) is a domesticated South American camelid.`.slice(0, 20 + 2 * i));
  async function* docs(): AsyncGenerator<Doc> {
    for (const [i, t] of texts.entries()) yield { id: `x/${i}`, text: t, source: i % 3 ? 'wiki' : 'c4', meta: {} };
  }
  const counts: Record<string, number> = {};
  const passed: string[] = [];
  for await (const d of step.run(docs(), taskContext(counts))) passed.push(d.text);
  assert.deepEqual(passed, texts);
  const expected = texts.map((t) => tok.encode(t, { eos: true }).length);
  const sum = (f: (i: number) => boolean) => expected.reduce((a, n, i) => a + (f(i) ? n : 0), 0);
  // `tokens:<tokenizer>` is what stats add up per tokenizer (never across tokenizers).
  assert.deepEqual(counts, { tokens_c4: sum((i) => i % 3 === 0), tokens_wiki: sum((i) => i % 3 !== 0), tokens: sum(() => true), 'tokens:llama2': sum(() => true) });
  const m = JSON.parse(readFileSync(join(out, 'tokens', 'llama2', 'web', 'part-00003.manifest.json'), 'utf8')) as TokenManifest;
  assert.equal(m.tokens, counts.tokens);
  assert.deepEqual(Object.keys(m.sources), ['c4', 'wiki']);
  assert.equal(m.sources.c4!.tokens, counts.tokens_c4);
  assert.equal(m.tokenizer.eos, true);
  assert.equal(m.tokenizer.bos, true);
});
