/**
 * One build per output folder: concurrent builds (the second refuses with one line naming the
 * first, exit 2), builds started at the same instant (exactly one runs), another pipeline built
 * into a folder (refused unless --force, which discards the first pipeline's outputs), and Slurm
 * array elements that run only while their launch holds the folder. Real processes throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { outputHashes, runCli, tempDir, twoStagePipeline } from '../helpers.js';

const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

function markers(out: string, stage: string, phase = 'main'): number {
  const dir = join(out, '_state', stage, phase);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).length : 0;
}

test('a second build into a folder in use refuses with one line naming the first (exit 2); the first completes intact', async () => {
  const dir = tempDir();
  const file = twoStagePipeline(dir, { docs: 1500, taskBytes: '8KiB', readSteps: '      - step: slow\n        ms: 2' });
  const clean = join(dir, 'clean');
  assert.equal((await runCli(['build', file, '--out', clean, '--workers', '2'])).code, 0);
  const out = join(dir, 'out');
  const first = runCli(['build', file, '--out', out, '--workers', '2']);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (markers(out, 'read') >= 1) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  const second = await runCli(['build', file, '--out', out, '--workers', '1']);
  assert.equal(second.code, 2, second.stderr);
  assert.match(
    lastLine(second.stderr),
    new RegExp(`^corpusmill: ${out} is in use by corpusmill build, run [0-9a-f]{8}, pid ${first.child.pid} on ${hostname()}, since \\S+; wait for it to finish$`),
  );
  const a = await first;
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(outputHashes(out), outputHashes(clean));
  assert.ok(!existsSync(join(out, 'corpusmill.lock')), 'released at the end');
});

test('two builds started at the same instant: exactly one runs, the other refuses', async () => {
  const dir = tempDir();
  const file = twoStagePipeline(dir, { docs: 400, taskBytes: '8KiB' });
  const out = join(dir, 'out');
  const [a, b] = await Promise.all([runCli(['build', file, '--out', out, '--workers', '1']), runCli(['build', file, '--out', out, '--workers', '1'])]);
  assert.deepEqual([a.code, b.code].sort(), [0, 2], `${a.stderr}\n---\n${b.stderr}`);
  const loser = a.code === 2 ? a : b;
  assert.match(lastLine(loser.stderr), /is in use by corpusmill build, run [0-9a-f]{8}, pid \d+/);
  const clean = join(dir, 'clean');
  assert.equal((await runCli(['build', file, '--out', clean])).code, 0);
  assert.deepEqual(outputHashes(out), outputHashes(clean));
});

/** A one-stage pipeline named `name` over a small JSON-lines file, tokenized. */
function pipeline(dir: string, name: string, stage: string): string {
  mkdirSync(join(dir, 'in'), { recursive: true });
  writeFileSync(join(dir, 'in', `${name}.jsonl`), `${Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `${name} document ${i} with a few words in it` })).join('\n')}\n`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nstages:\n  - name: ${stage}\n    inputs:\n      - source: jsonl\n        urls: ["file:in/${name}.jsonl"]\n    steps:\n      - step: tokenize\n        tokenizer: llama2\n`,
  );
  return file;
}

test('another pipeline built into a folder is refused (exit 2) unless --force, which discards the first one; its downloads stay', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const one = pipeline(dir, 'one', 'alpha');
  const two = pipeline(dir, 'two', 'beta');
  assert.equal((await runCli(['build', one, '--out', out])).code, 0);
  const before = outputHashes(out);
  const refused = await runCli(['build', two, '--out', out]);
  assert.equal(refused.code, 2);
  assert.equal(
    lastLine(refused.stderr),
    `corpusmill: ${out} holds the outputs of pipeline "one" (${one}); building "two" into it would mix the two: choose another --out, or pass --force to discard them (downloads are kept)`,
  );
  assert.deepEqual(outputHashes(out), before, 'nothing changed');
  const forced = await runCli(['build', two, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /--force: discarding the outputs of pipeline "one"/);
  assert.ok(!existsSync(join(out, 'alpha')));
  const manifest = JSON.parse(readFileSync(join(out, 'tokens', 'llama2', 'jsonl', 'part-00000.manifest.json'), 'utf8')) as { build: { stage: string } };
  assert.equal(manifest.build.stage, 'beta');
  const db = new Database(join(out, 'catalog.sqlite'), { readonly: true });
  assert.deepEqual(db.prepare('SELECT name FROM stages').all(), [{ name: 'beta' }]);
  assert.deepEqual(db.prepare('SELECT pipeline FROM owner').all(), [{ pipeline: 'two' }]);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM fetches').get() as { n: number }).n, 2, "the first pipeline's fetch rows are kept");
  db.close();
  // Only the second pipeline's documents and tokens remain.
  const files = Object.keys(outputHashes(out));
  assert.ok(files.every((f) => !f.startsWith('alpha/')));
  const v = await runCli(['verify', join(out, 'tokens', 'llama2')]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /ok: \d+ files in 1 manifests, 40 documents/);
});

test('a stage the pipeline no longer has is refused unless --force, which discards just that stage', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const file = twoStagePipeline(dir, { docs: 200, taskBytes: '8KiB' });
  assert.equal((await runCli(['build', file, '--out', out])).code, 0);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/ {2}- name: stamp[\s\S]*$/, ''));
  const refused = await runCli(['build', file, '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(lastLine(refused.stderr), /has stage stamp, which .*p\.yaml does not define; pass --force to discard it, or choose another --out$/);
  const forced = await runCli(['build', file, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(!existsSync(join(out, 'stamp')) && existsSync(join(out, 'read')));
});

test('a Slurm array element runs only while its launch holds the folder', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const file = twoStagePipeline(dir, { docs: 100, taskBytes: '8KiB' });
  assert.equal((await runCli(['build', file, '--out', out])).code, 0);
  // The ranks file a launch would write for the first task of `read`, this time as launch 1.
  const db = new Database(join(out, 'catalog.sqlite'), { readonly: true });
  const row = db.prepare("SELECT idx, spec FROM tasks WHERE stage = 'read' AND phase = 'main' ORDER BY idx LIMIT 1").get() as { idx: number; spec: string };
  const hash = (db.prepare("SELECT hash FROM stages WHERE name = 'read'").get() as { hash: string }).hash;
  const count = (db.prepare("SELECT COUNT(*) AS n FROM tasks WHERE stage = 'read' AND phase = 'main'").get() as { n: number }).n;
  db.close();
  const ranks = join(dir, 'ranks.json');
  writeFileSync(
    ranks,
    JSON.stringify({ pipeline: file, launch: 1, stage: 'read', phase: 'main', hash, of: count, tasks_per_job: 1, ranks: [{ idx: row.idx, spec: JSON.parse(row.spec) }] }),
  );
  const marker = join(out, '_state', 'read', 'main', `${String(row.idx).padStart(6, '0')}.json`);
  rmSync(marker);
  const lock = (launch: number) =>
    writeFileSync(
      join(out, 'corpusmill.lock'),
      JSON.stringify({ run: 'a'.repeat(36), pid: 999999, host: 'login1', started_at: '2026-01-01T00:00:00Z', command: 'launch', launch, jobs: ['41'] }),
    );
  // No lock: the launch this element belongs to is over.
  const none = await runCli(['task', file, '--out', out, '--ranks', ranks, '--index', '0']);
  assert.equal(none.code, 2);
  assert.match(lastLine(none.stderr), /is not held by launch 1 \(no lock\)/);
  // A newer launch holds the folder.
  lock(2);
  const other = await runCli(['task', file, '--out', out, '--ranks', ranks, '--index', '0']);
  assert.equal(other.code, 2);
  assert.equal(
    lastLine(other.stderr),
    `corpusmill: ${out} is held by Slurm launch 2 (jobs 41), run aaaaaaaa, pid 999999 on login1, since 2026-01-01T00:00:00Z, not by launch 1 this array element belongs to; it stops`,
  );
  assert.ok(!existsSync(marker));
  // Its own launch: the task runs.
  lock(1);
  const own = await runCli(['task', file, '--out', out, '--ranks', ranks, '--index', '0']);
  assert.equal(own.code, 0, own.stderr);
  assert.ok(existsSync(marker));
});
