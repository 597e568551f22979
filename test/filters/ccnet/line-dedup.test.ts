/**
 * CCNet line dedup semantics (cc_net dedup.py), on hand-worked documents, through the step's real
 * scan pass (hash files on disk) and main pass.
 */
import { test } from 'node:test';
import { stepEnv } from '../../../src/pipeline/standalone.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ccnetLineDedupStep, groupRanks, hashFileCount } from '../../../src/filters/ccnet/line-dedup.js';
import { LineHashSet } from '../../../src/filters/ccnet/hashset.js';
import type { Doc } from '../../../src/core/document.js';
import type { Step } from '../../../src/pipeline/step.js';
import { collect, doc, iterate, recordingContext } from '../../helpers.js';

const taskContext = (o: { rank?: number; worldSize?: number; stateDir?: string; source?: string } = {}) => recordingContext({ source: 'commoncrawl', ...o });
import { createLogger } from '../../../src/core/log.js';
import { Fetcher } from '../../../src/fetch/fetcher.js';

async function makeStep(params: Record<string, unknown>, stateDir: string): Promise<Step> {
  const p = ccnetLineDedupStep.params.parse(params);
  return ccnetLineDedupStep.create(p, stepEnv({ pipelineDir: '.', stateDir: stateDir, log: createLogger('t'), fetcher: new Fetcher({ cacheDir: join(stateDir, 'cache') }) }));
}

/** Runs scan on every task, then main on every task; returns the output docs and contexts per task. */
async function runTasks(tasks: Doc[][], params: Record<string, unknown>) {
  const stateDir = mkdtempSync(join(tmpdir(), 'ccnet-dedup-'));
  const step = await makeStep(params, stateDir);
  const scan = step.passes![0]!;
  assert.equal(scan.kind, 'scan');
  for (let r = 0; r < tasks.length; r++) {
    if (scan.kind === 'scan') await scan.scan(iterate(tasks[r]!), taskContext({ rank: r, worldSize: tasks.length, stateDir }));
  }
  const out: { docs: Doc[]; ctx: ReturnType<typeof taskContext> }[] = [];
  for (let r = 0; r < tasks.length; r++) {
    const ctx = taskContext({ rank: r, worldSize: tasks.length, stateDir });
    out.push({ docs: await collect(step.run(iterate(tasks[r]!), ctx)), ctx });
  }
  return { out, stateDir };
}

test('a line shared by two documents is removed from both, first occurrence included', async () => {
  const a = doc('a', 'Welcome to our shop\nRed shoes are on sale today.\nSign up for our newsletter');
  const b = doc('b', 'Sign up for our newsletter\nBlue hats are back in stock.\nWELCOME to our shop');
  const { out } = await runTasks([[a, b]], {});
  assert.deepEqual(
    out[0]!.docs.map((d) => d.text),
    ['Red shoes are on sale today.', 'Blue hats are back in stock.'],
  );
  assert.equal(out[0]!.ctx.stats.counts.lines_removed_shared, 4);
});

test('a line repeated inside one document only keeps its first occurrence', async () => {
  const a = doc('a', 'Menu\nFirst paragraph.\nMenu\nSecond paragraph.\nmenu');
  const { out } = await runTasks([[a]], {});
  assert.equal(out[0]!.docs[0]!.text, 'Menu\nFirst paragraph.\nSecond paragraph.');
  assert.equal(out[0]!.ctx.stats.counts.lines_removed_local, 2);
  assert.deepEqual(out[0]!.docs[0]!.meta, { original_nlines: 5, original_length: 49, nlines: 3, length: 39 });
});

test('normalisation makes digits and case variants the same line', async () => {
  const a = doc('a', 'Posted on 12 March 2021\nAlpha text here.');
  const b = doc('b', 'posted on 03 march 1999\nBeta text here.');
  const { out } = await runTasks([[a, b]], {});
  assert.deepEqual(
    out[0]!.docs.map((d) => d.text),
    ['Alpha text here.', 'Beta text here.'],
  );
});

test('a document whose every line is shared is dropped', async () => {
  const a = doc('a', 'Home\nContact');
  const b = doc('b', 'Home\nContact\nA unique sentence.');
  const { out } = await runTasks([[a, b]], {});
  assert.deepEqual(
    out[0]!.docs.map((d) => d.id),
    ['b'],
  );
  assert.deepEqual(
    out[0]!.ctx.dropped.map((x) => [x.doc.id, x.reason]),
    [['a', 'all_lines_duplicated']],
  );
});

test('blank lines in two documents are duplicates everywhere', async () => {
  const a = doc('a', 'One.\n\nTwo.');
  const b = doc('b', 'Three.\n\nFour.');
  const { out } = await runTasks([[a, b]], {});
  assert.deepEqual(
    out[0]!.docs.map((d) => d.text),
    ['One.\nTwo.', 'Three.\nFour.'],
  );
});

test('group_tasks decides which tasks see each other', async () => {
  const t0 = [doc('a', 'Shared footer line\nOnly in task zero.')];
  const t1 = [doc('b', 'Shared footer line\nOnly in task one.')];
  const pooled = await runTasks([t0, t1], { group_tasks: 2 });
  assert.deepEqual(
    pooled.out.map((o) => o.docs[0]!.text),
    ['Only in task zero.', 'Only in task one.'],
  );
  const apart = await runTasks([t0, t1], { group_tasks: 1 });
  assert.deepEqual(
    apart.out.map((o) => o.docs[0]!.text),
    ['Shared footer line\nOnly in task zero.', 'Shared footer line\nOnly in task one.'],
  );
});

test('min_len drops documents that are too short after dedup', async () => {
  const a = doc('a', 'Shared line one.\nShort.');
  const b = doc('b', 'Shared line one.\nThis line is long enough to stay.');
  const { out } = await runTasks([[a, b]], { min_len: 10 });
  assert.deepEqual(
    out[0]!.docs.map((d) => d.id),
    ['b'],
  );
  assert.equal(out[0]!.ctx.dropped[0]!.reason, 'too_short_after_dedup');
});

test('the hash file holds one entry per distinct line of the task', async () => {
  const { stateDir } = await runTasks([[doc('a', 'x\ny\nx'), doc('b', 'y\nz')]], {});
  const file = join(stateDir, 'commoncrawl.0.bin');
  assert.equal(hashFileCount(readFileSync(file), file), 3);
});

test('groupRanks tiles the tasks of one source in blocks, whatever their rank numbers', () => {
  assert.deepEqual(groupRanks(0, [0, 1, 2, 3, 4], 2), [0, 1]);
  assert.deepEqual(groupRanks(3, [0, 1, 2, 3, 4], 2), [2, 3]);
  assert.deepEqual(groupRanks(4, [4, 0, 1, 2, 3], 2), [4]);
  // The source's tasks are ranks 3, 5, 8 of the stage (another source holds the rest).
  assert.deepEqual(groupRanks(8, [3, 5, 8], 2), [8]);
  assert.deepEqual(groupRanks(5, [3, 5, 8], 2), [3, 5]);
});

test('two sources in one stage never pool their hashes', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ccnet-dedup-'));
  const step = await makeStep({ group_tasks: 10 }, stateDir);
  const scan = step.passes![0]!;
  const tasks: [string, Doc][] = [
    ['commoncrawl', doc('a', 'Shared line.\nOnly A.')],
    ['c4', doc('b', 'Shared line.\nOnly B.', 'c4')],
  ];
  for (const [r, [source, d]] of tasks.entries()) if (scan.kind === 'scan') await scan.scan(iterate([d]), taskContext({ rank: r, worldSize: 2, stateDir, source }));
  const texts = [];
  for (const [r, [source, d]] of tasks.entries())
    texts.push(...(await collect(step.run(iterate([d]), taskContext({ rank: r, worldSize: 2, stateDir, source })))).map((x) => x.text));
  assert.deepEqual(texts, ['Shared line.\nOnly A.', 'Shared line.\nOnly B.']);
});

test('a task whose scan did not run fails with a clear error', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ccnet-dedup-'));
  const step = await makeStep({}, stateDir);
  await assert.rejects(collect(step.run(iterate([doc('a', 'x')]), taskContext({ rank: 0, worldSize: 1, stateDir }))), /line hashes of this task are missing/);
});

test('the hash set keeps 64-bit keys apart and grows without losing flags', () => {
  const s = new LineHashSet();
  for (let i = 1; i <= 10000; i++) s.put(i, i % 7, i % 3 === 0);
  s.put(5, 0x80000000, false);
  assert.equal(s.size, 10001);
  assert.equal(s.isDuplicate(3, 3), true);
  assert.equal(s.isDuplicate(4, 4), false);
  assert.equal(s.has(5, 5), true);
  assert.equal(s.has(5, 0x80000000), true);
  assert.equal(s.has(5, 6), false);
  s.merge(4, 4, false);
  assert.equal(s.isDuplicate(4, 4), true, 'merging a present key marks it duplicate');
});

test('the main pass reuses the scan hashes, and ignores (and counts) a stream that does not match', async () => {
  const a = doc('a', 'Welcome to our shop\nRed shoes are on sale today.');
  const b = doc('b', 'Welcome to our shop\nBlue hats are back in stock.');
  const stateDir = mkdtempSync(join(tmpdir(), 'ccnet-dedup-'));
  const step = await makeStep({}, stateDir);
  const scan = step.passes![0]!;
  if (scan.kind === 'scan') await scan.scan(iterate([a, b]), taskContext({ stateDir }));
  const good = taskContext({ stateDir });
  const fromStream = await collect(step.run(iterate([a, b]), good));
  assert.equal(good.stats.counts.hash_stream_mismatch, undefined);
  // A document the scan never saw: the stream is dropped for the rest of the task.
  const other = doc('x', 'Welcome to our shop\nSomething else entirely.');
  const bad = taskContext({ stateDir });
  const fallback = await collect(step.run(iterate([other, b]), bad));
  assert.equal(bad.stats.counts.hash_stream_mismatch, 1);
  assert.deepEqual(
    fromStream.map((d) => d.text),
    ['Red shoes are on sale today.', 'Blue hats are back in stock.'],
  );
  assert.deepEqual(
    fallback.map((d) => d.text),
    ['Something else entirely.', 'Blue hats are back in stock.'],
  );
  assert.ok(readFileSync(join(stateDir, 'commoncrawl.0.lines')).length === 2 * (8 + 2 * 8));
});
