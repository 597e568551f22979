/**
 * `verify` checks token shards for completeness against the build's catalog: a task's missing
 * manifest and shards, a task whose shards hold another task's (fewer) documents, a manifest left by
 * a task the catalog does not have, and an unfinished stage are errors naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, twoStagePipeline } from '../helpers.js';

async function built(): Promise<{ out: string; tokens: string }> {
  const dir = tempDir();
  const file = twoStagePipeline(dir, { docs: 600, taskBytes: '8KiB', tokenize: true });
  const out = join(dir, 'out');
  const r = await runCli(['build', file, '--out', out, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  return { out, tokens: join(out, 'tokens', 'llama2') };
}

const verify = (dir: string) => runCli(['verify', dir]);

test('verify: complete shards pass; a missing task, a short task and a stray manifest are errors naming the file', async () => {
  const { out, tokens } = await built();
  const ok = await verify(tokens);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`complete against ${join(out, 'catalog.sqlite')} \\(\\d+ tasks\\)`));
  const src = join(tokens, 'jsonl');
  const files = readdirSync(src).sort();
  const save = new Map(files.map((f) => [f, readFileSync(join(src, f))]));
  const restore = () => {
    for (const f of readdirSync(src)) rmSync(join(src, f));
    for (const [f, b] of save) writeFileSync(join(src, f), b);
  };

  // A task's shards and manifest gone (a copy that lost files, a task rerun into another folder).
  for (const f of files.filter((x) => x.startsWith('part-00002'))) rmSync(join(src, f));
  const missing = await verify(tokens);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr.trim(), new RegExp(`^corpusmill: ${join(src, 'part-00002.manifest.json')}: missing: task 2 of stage tok tokenized \\d+ documents$`));
  restore();

  // Task 0's files replaced by task 1's: internally consistent, but not what task 0 counted.
  for (const f of files.filter((x) => x.startsWith('part-00000'))) rmSync(join(src, f));
  for (const f of files.filter((x) => x.startsWith('part-00001') && !x.endsWith('.manifest.json'))) copyFileSync(join(src, f), join(src, f.replace('part-00001', 'part-00000')));
  const m = JSON.parse(readFileSync(join(src, 'part-00001.manifest.json'), 'utf8')) as { files: Array<{ name: string }>; build: { task: number } };
  for (const f of m.files) f.name = f.name.replace('part-00001', 'part-00000');
  m.build.task = 0;
  writeFileSync(join(src, 'part-00000.manifest.json'), JSON.stringify(m));
  const short = await verify(tokens);
  assert.equal(short.code, 1);
  assert.match(short.stderr.trim(), /part-00000\.manifest\.json: holds \d+ documents, \d+ tokens; task 0 of stage tok counted \d+ documents, \d+ tokens$/);
  restore();

  // A manifest left by a task this build does not have (an earlier build's, say).
  const stray = JSON.parse(readFileSync(join(src, 'part-00001.manifest.json'), 'utf8')) as { build: { task: number } };
  stray.build.task = 999;
  writeFileSync(join(src, 'part-00999.manifest.json'), JSON.stringify(stray));
  const left = await verify(tokens);
  assert.equal(left.code, 1);
  assert.match(left.stderr.trim(), /part-00999\.manifest\.json: written by task 999 of stage tok, which the catalog does not have/);
  restore();
  assert.equal((await verify(tokens)).code, 0);
});

test('verify: token shards of a stage that has not finished are an error', async () => {
  const { out, tokens } = await built();
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(out, 'catalog.sqlite'));
  db.prepare("UPDATE tasks SET state = 'failed' WHERE stage = 'tok' AND phase = 'main' AND idx = 1").run();
  db.close();
  const r = await verify(tokens);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /catalog\.sqlite: stage tok is not complete: \d+ of \d+ tasks done, so its token shards are not all there$/);
});
