import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Doc } from '../../../src/core/document.js';
import { byteRanges } from '../../../src/io/byte-ranges.js';
import { extractMember } from '../../../src/io/sevenzip.js';
import { stackexchangeGroupStep } from '../../../src/sources/stackexchange/group.js';
import { largestSites, siteArchives } from '../../../src/sources/stackexchange/listing.js';
import { stackexchangeSource } from '../../../src/sources/stackexchange/source.js';
import type { Step } from '../../../src/pipeline/step.js';
import { repoRoot, testData, tempDir } from '../../helpers.js';
import { setLogLevel } from '../../../src/core/log.js';
import { collect, iterate, python, readContext, recordingContext, sourceEnv } from '../../helpers.js';

setLogLevel('error');
const referenceScript = (script: string) => join(import.meta.dirname, 'reference', script);
const taskContext = (stateDir: string, rank: number, worldSize: number, source: string) => recordingContext({ stateDir, rank, worldSize, source });

const coffee = join(testData, 'stackexchange', 'coffee.stackexchange.com-Posts.xml');
const noParams = stackexchangeSource.params.parse({ urls: ['x'] });

/** Reads a Posts.xml as `tasks` byte-range tasks. */
async function readPosts(path: string, name: string, tasks: number): Promise<{ perTask: Doc[][]; bad: ReturnType<typeof readContext>['bad'] }> {
  const size = readFileSync(path).length;
  const perTask: Doc[][] = [];
  const ctx = readContext();
  for (const range of byteRanges(size, Math.ceil(size / tasks))) {
    perTask.push(await collect(stackexchangeSource.read({ path, name, url: pathToFileURL(path).href, bytes: range.end - range.start, range }, noParams, ctx)));
  }
  return { perTask, bad: ctx.bad };
}

/** Runs the grouping step's passes and main pass as the runtime does, over the given tasks. */
async function group(perTask: Doc[][], params: Record<string, unknown> = {}, stateDir = tempDir()): Promise<{ docs: Doc[]; counts: Record<string, number> }> {
  const step = (await stackexchangeGroupStep.create(stackexchangeGroupStep.params.parse(params), {} as never)) as Step;
  const counts: Record<string, number> = {};
  const merge = (c: Record<string, number>) => {
    for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
  };
  const [scan, reduce] = step.passes!;
  for (const [rank, docs] of perTask.entries()) {
    const ctx = taskContext(stateDir, rank, perTask.length, 'stackexchange');
    if (scan!.kind === 'scan') await scan!.scan(iterate(docs), ctx);
    merge(ctx.stats.counts);
  }
  if (reduce!.kind !== 'reduce') throw new Error('expected a reduce pass');
  for (let rank = 0; rank < reduce!.tasks; rank++) {
    const ctx = taskContext(stateDir, rank, reduce!.tasks, '');
    await reduce!.reduce(ctx);
    merge(ctx.stats.counts);
  }
  const out: Doc[] = [];
  for (const [rank, docs] of perTask.entries()) {
    const ctx = taskContext(stateDir, rank, perTask.length, 'stackexchange');
    out.push(...(await collect(step.run(iterate(docs), ctx))));
  }
  return { docs: out, counts };
}

function reference(path: string, stringScores = false): Map<number, string> {
  const lines = python(referenceScript('rp_stackexchange.py'), [path, 'site', ...(stringScores ? ['--string-scores'] : [])], '')
    .trim()
    .split('\n');
  return new Map(lines.map((l) => JSON.parse(l) as { question_id: number; text: string }).map((r) => [r.question_id, r.text]));
}

test('coffee.SE: every question matches RedPajama post-processing (BeautifulSoup+lxml, numeric score order) exactly', async () => {
  const { perTask, bad } = await readPosts(coffee, 'coffee.stackexchange.com-Posts.xml', 5);
  assert.deepEqual(bad, []);
  assert.equal(perTask.flat().length, 592);
  const { docs, counts } = await group(perTask, { partitions: 3 });
  const ref = reference(coffee);
  assert.equal(docs.length, ref.size);
  let same = 0;
  for (const d of docs) {
    const want = ref.get(d.meta.question_id as number);
    assert.equal(d.text, want, `question ${d.meta.question_id}`);
    same++;
  }
  console.log(`StackExchange: ${same}/${ref.size} questions identical to the RedPajama/bs4 reference`);
  assert.equal(counts.questions_grouped, ref.size);
  const d = docs.find((x) => x.meta.question_id === 1)!;
  assert.equal(d.meta.url, 'https://coffee.stackexchange.com/questions/1');
  assert.equal(d.meta.site, 'coffee.stackexchange.com');
  assert.equal(d.meta.language, 'en');
  assert.equal(typeof d.meta.question_score, 'number');
  assert.match(String(d.meta.timestamp), /^2015-01-27T\d\d:\d\d:\d\d\.\d+Z$/);
});

test("QUIRK: answers sort by numeric score (fixed); score_order: string reproduces RedPajama's string order", async () => {
  const dir = tempDir();
  const posts = join(dir, 'x.stackexchange.com-Posts.xml');
  const row = (a: string) => `  <row ${a} />`;
  writeFileSync(
    posts,
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<posts>',
      row('Id="1" PostTypeId="1" Score="5" Title="Q" Body="&lt;p&gt;Question&lt;/p&gt;"'),
      row('Id="2" PostTypeId="2" ParentId="1" Score="9" Body="&lt;p&gt;nine&lt;/p&gt;"'),
      row('Id="3" PostTypeId="2" ParentId="1" Score="10" Body="&lt;p&gt;ten&lt;/p&gt;"'),
      row('Id="4" PostTypeId="2" ParentId="1" Score="-1" Body="&lt;p&gt;minus&lt;/p&gt;"'),
      row('Id="5" PostTypeId="2" ParentId="1" Score="10" Body="&lt;p&gt;ten again&lt;/p&gt;"'),
      '</posts>',
      '',
    ].join('\n'),
  );
  const { perTask } = await readPosts(posts, 'x.stackexchange.com-Posts.xml', 1);
  const numeric = await group(perTask);
  assert.equal(numeric.docs[0]!.text, 'Q: Q Question\nA: ten\nA: ten again\nA: nine\nA: minus');
  assert.equal(numeric.docs[0]!.text, reference(posts).get(1));
  const quirk = await group(perTask, { score_order: 'string' });
  assert.equal(quirk.docs[0]!.text, 'Q: Q Question\nA: nine\nA: ten\nA: ten again\nA: minus');
  assert.equal(quirk.docs[0]!.text, reference(posts, true).get(1));
});

test('the external sort spills sorted runs to disk and gives the same documents as the in-memory sort', async () => {
  const { perTask } = await readPosts(coffee, 'coffee.stackexchange.com-Posts.xml', 2);
  const mem = await group(perTask, { partitions: 1 });
  const spill = await group(perTask, { partitions: 1, memory_mb: 0.1 });
  assert.ok((spill.counts.sorted_runs_spilled ?? 0) >= 1, 'runs were spilled');
  assert.deepEqual(spill.docs, mem.docs);
  // More tasks and partitions: the same set of documents.
  const many = await group((await readPosts(coffee, 'coffee.stackexchange.com-Posts.xml', 7)).perTask, { partitions: 5 });
  const key = (ds: Doc[]) => ds.map((d) => `${d.meta.question_id}\u0000${d.text}`).sort();
  assert.deepEqual(key(many.docs), key(mem.docs));
  // A rerun in the state folder of an earlier run that had more tasks ignores the stale runs.
  const state = tempDir();
  await group((await readPosts(coffee, 'coffee.stackexchange.com-Posts.xml', 6)).perTask, { partitions: 2 }, state);
  const rerun = await group((await readPosts(coffee, 'coffee.stackexchange.com-Posts.xml', 3)).perTask, { partitions: 2 }, state);
  assert.deepEqual(key(rerun.docs), key(mem.docs));
});

test('archive.org listing: the largest sites by posts size; .7z extraction streams Posts.xml', async () => {
  const xml = readFileSync(join(repoRoot, 'samples/stackexchange/stackexchange_files.xml'), 'utf8');
  const all = siteArchives(xml, 'https://archive.org/download/stackexchange');
  assert.deepEqual(all.map((a) => a.site).sort(), ['cooking.meta.stackexchange.com', 'cooking.stackexchange.com', 'gardening.stackexchange.com', 'stackoverflow.com']);
  const top = largestSites(all, 3);
  assert.deepEqual(
    top.map((a) => a.file.name),
    ['stackoverflow.com-Posts.7z', 'cooking.stackexchange.com.7z', 'gardening.stackexchange.com.7z'],
  );
  assert.match(top[0]!.file.sha1!, /^[0-9a-f]{40}$/);
  assert.equal(top[0]!.file.url, 'https://archive.org/download/stackexchange/stackoverflow.com-Posts.7z');

  const env = sourceEnv(4 << 10);
  const p = stackexchangeSource.params.parse({ base_url: 'file:samples/stackexchange', top: 2 });
  const remote = await stackexchangeSource.list(p, env);
  const local = await Promise.all(remote.map((r) => env.fetcher.fetchFile(r)));
  const tasks = await stackexchangeSource.plan(local, p, env);
  assert.ok(tasks.length >= 4, 'Posts.xml split into byte ranges');
  const ctx = readContext();
  const docs: Doc[] = [];
  for (const t of tasks) docs.push(...(await collect(stackexchangeSource.read(t, p, ctx))));
  assert.equal(ctx.bad.length, 2, 'one malformed row per sample site');
  assert.ok(docs.some((d) => d.meta.site === 'stackoverflow.com') && docs.some((d) => d.meta.site === 'cooking.stackexchange.com'));

  const dir = tempDir();
  await assert.rejects(extractMember(join(repoRoot, 'samples/stackexchange/cooking.stackexchange.com.7z'), 'Nope.xml', join(dir, 'n.xml')), /no Nope\.xml in the archive/);
  const broken = join(dir, 'broken.7z');
  const b = readFileSync(join(repoRoot, 'samples/stackexchange/cooking.stackexchange.com.7z'));
  writeFileSync(broken, b.subarray(0, b.length >> 1));
  await assert.rejects(extractMember(broken, 'Posts.xml', join(dir, 'p.xml')), /broken\.7z: cannot extract Posts\.xml/);
});

test('bad rows: malformed, undefined entities (no expansion) and orphan answers are counted, not lost', async () => {
  const dir = tempDir();
  const posts = join(dir, 'bad.stackexchange.com-Posts.xml');
  writeFileSync(
    posts,
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<!DOCTYPE posts [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
      '<posts>',
      '  <row Id="1" PostTypeId="1" Score="1" Title="Fine" Body="&lt;p&gt;ok&lt;/p&gt;" />',
      '  <row Id="2" PostTypeId="1" Score="1" Title="Bomb" Body="&b;" />',
      '  <row Id="3" PostTypeId="1" Score="1" Title="Cut" Body="never closed',
      '  <row Id="4" PostTypeId="2" ParentId="99" Score="1" Body="orphan" />',
      '  <row Id="5" PostTypeId="5" Score="0" Body="tag wiki without title" />',
      '  <row Id="x" PostTypeId="1" Score="1" Title="Bad id" Body="b" />',
      '</posts>',
    ].join('\n'),
  );
  const { perTask, bad } = await readPosts(posts, 'bad.stackexchange.com-Posts.xml', 1);
  assert.deepEqual(bad.map((b) => b.reason).sort(), ['malformed_row', 'malformed_row', 'malformed_row', 'undefined_entity']);
  assert.ok(bad.every((b) => /^byte \d+$/.test(String(b.record)) && b.file === posts));
  const { docs, counts } = await group(perTask);
  assert.deepEqual(
    docs.map((d) => d.text),
    ['Q: Fine ok'],
  );
  assert.equal(counts.orphan_answers, 1);
  assert.equal(counts.untitled_without_answers, 1);
});
