/**
 * One error contract for every task failure, through the CLI as a user meets it: a worker that
 * dies, an exception in a step, truncated gzip / zstd / bzip2 inputs (a Wikipedia dump among
 * them), a full disk (a real tmpfs), an unreachable URL. Each ends with exit 1 and one line naming
 * the file and how far it got; `logs --failed` and `status` show the failed task; a rerun retries
 * it and, once the cause is gone, gives the same bytes as a build that never failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import { outputHashes, repoRoot, runCli, tempDir, twoStagePipeline } from '../helpers.js';

const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

/** `logs --failed --json`, and the task counts `status --json` gives a phase (`stage/phase`). */
async function recorded(out: string, phase: string): Promise<{ errors: string[]; status: Record<string, number> }> {
  const logs = await runCli(['logs', out, '--failed', '--json']);
  assert.equal(logs.code, 0, logs.stderr);
  const status = await runCli(['status', out, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const phases = JSON.parse(status.stdout) as Array<{ stage: string; phase: string; tasks: Record<string, number> }>;
  return {
    errors: (JSON.parse(logs.stdout) as Array<{ error: string }>).map((f) => f.error),
    status: phases.find((p) => `${p.stage}/${p.phase}` === phase)?.tasks ?? {},
  };
}

test('a worker that dies (SIGKILL) fails its task with one line naming the input; logs and status show it; the rerun recovers', async () => {
  const dir = tempDir();
  const flag = join(dir, 'die');
  writeFileSync(flag, '');
  const file = twoStagePipeline(dir, { docs: 300, taskBytes: '1MiB', readSteps: `      - step: die_when\n        flag: ${JSON.stringify(flag)}\n        i: 120` });
  const clean = join(dir, 'clean');
  const out = join(dir, 'out');
  const dead = await runCli(['build', file, '--out', out, '--workers', '1']);
  assert.equal(dead.code, 1);
  const line = lastLine(dead.stderr);
  assert.match(
    line,
    /^corpusmill: .*\/in\/big\.jsonl \(bytes 0-\d+\): worker process died \(SIGKILL, out of memory\?\) running read\/main#0, after \d+ documents and \d+ input bytes$/,
  );
  const r = await recorded(out, 'read/main');
  assert.deepEqual(r.errors, [line.slice('corpusmill: '.length)]);
  assert.equal(r.status.failed, 1);
  rmSync(flag);
  const again = await runCli(['build', file, '--out', out, '--workers', '1']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /read\/main#0 failed in an earlier run \(.*worker process died.*\); running it again/);
  assert.equal((await runCli(['build', file, '--out', clean, '--workers', '1'])).code, 0);
  assert.deepEqual(outputHashes(out), outputHashes(clean));
  assert.match((await runCli(['logs', out, '--failed'])).stdout, /no failed tasks/);
});

test('an exception in a step fails the task naming the input and the last document read', async () => {
  const dir = tempDir();
  const flag = join(dir, 'fail');
  writeFileSync(flag, '');
  const file = twoStagePipeline(dir, { docs: 300, taskBytes: '1MiB', readSteps: `      - step: fail_when\n        flag: ${JSON.stringify(flag)}\n        i: 50` });
  const out = join(dir, 'out');
  const r = await runCli(['build', file, '--out', out, '--workers', '2']);
  assert.equal(r.code, 1);
  assert.match(
    lastLine(r.stderr),
    /^corpusmill: .*\/in\/big\.jsonl \(bytes 0-\d+\): planted failure on document jsonl\/big\.jsonl\/@\d+ \(after \d+ documents, the last jsonl\/big\.jsonl\/@\d+\)$/,
  );
  assert.deepEqual((await recorded(out, 'read/main')).errors, [lastLine(r.stderr).slice('corpusmill: '.length)]);
});

test('an uncaught exception in a worker fails its task with one line and a failure record, not a stack trace', async () => {
  const dir = tempDir();
  const flag = join(dir, 'crash');
  writeFileSync(flag, '');
  const file = twoStagePipeline(dir, { docs: 300, taskBytes: '1MiB', readSteps: `      - step: crash_when\n        flag: ${JSON.stringify(flag)}\n        i: 20` });
  const out = join(dir, 'out');
  const r = await runCli(['build', file, '--out', out, '--workers', '1']);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stderr), /^corpusmill: .*\/in\/big\.jsonl \(bytes 0-\d+\): worker crashed: uncaught error on document jsonl\/big\.jsonl\/@\d+$/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  const rec = await recorded(out, 'read/main');
  assert.deepEqual(rec.errors, [lastLine(r.stderr).slice('corpusmill: '.length)]);
  assert.equal(rec.status.failed, 1);
});

/** A pipeline reading one file with the jsonl source (or wikipedia with `wiki`). */
function onePipeline(dir: string, input: string, source = 'jsonl'): string {
  const file = join(dir, 'p.yaml');
  writeFileSync(file, `name: p\nstages:\n  - name: read\n    inputs:\n      - source: ${source}\n        urls: [${JSON.stringify(input)}]\n`);
  return file;
}

test('truncated .jsonl.gz, .jsonl.zst and a truncated Wikipedia .bz2 dump fail their task with one line; a rerun retries it', async () => {
  const dir = tempDir();
  const body = Buffer.from(`${Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ text: `line ${i} of a file that will be cut short` })).join('\n')}\n`);
  const cases: Array<{ name: string; bytes: Buffer; source?: string; expect: RegExp }> = [
    { name: 'cut.jsonl.gz', bytes: gzipSync(body), expect: /cut\.jsonl\.gz: corrupt or truncated gzip data \(unexpected end of file\) after line \d+$/ },
    { name: 'cut.jsonl.zst', bytes: compress(body), expect: /cut\.jsonl\.zst: corrupt or truncated zstd data \(.*\) after line \d+$/ },
    {
      name: 'enwiki-20230320-cut.xml.bz2',
      bytes: readFileSync(join(repoRoot, 'samples/wikipedia/enwiki/20230320/enwiki-20230320-pages-articles-multistream.xml.bz2')),
      source: 'wikipedia',
      expect: /enwiki-20230320-cut\.xml\.bz2: corrupt or truncated bzip2 data \([^)]*\) \(after \d+ pages/,
    },
  ];
  for (const c of cases) {
    const sub = join(dir, c.name.replace(/\W/g, '_'));
    mkdirSync(sub);
    writeFileSync(join(sub, c.name), c.bytes.subarray(0, Math.floor(c.bytes.length * 0.6)));
    const file = onePipeline(sub, `file:${c.name}`, c.source);
    const out = join(sub, 'out');
    const r = await runCli(['build', file, '--out', out]);
    assert.equal(r.code, 1, `${c.name}: ${r.stderr}`);
    assert.match(lastLine(r.stderr), c.expect);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(r.stderr, /bzip2: .*\n.*bzip2:/, "the tool's stderr is one line");
    const rec = await recorded(out, 'read/main');
    assert.deepEqual(rec.errors, [lastLine(r.stderr).slice('corpusmill: '.length)]);
    assert.equal(rec.status.failed, 1);
    const again = await runCli(['build', file, '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /read\/main#0 failed in an earlier run .*; running it again/);
  }
});

test('a full disk (a 1 MB tmpfs) fails the task with one line naming the file being written; with room, the rerun gives the clean bytes', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  mkdirSync(out);
  // Random text: the shards cannot compress below the size of the filesystem.
  const docs = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `doc ${i} ${randomBytes(3000).toString('base64')}` }));
  writeFileSync(join(dir, 'big.jsonl'), `${docs.join('\n')}\n`);
  const file = onePipeline(dir, 'file:big.jsonl');
  const clean = join(dir, 'clean');
  assert.equal((await runCli(['build', file, '--out', clean])).code, 0);
  // Tests run as root: a real small filesystem. If it cannot be mounted the test fails here.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', out]);
  try {
    const r = await runCli(['build', file, '--out', out, '--workers', '1']);
    assert.equal(r.code, 1, r.stderr);
    const line = lastLine(r.stderr);
    assert.match(
      line,
      new RegExp(
        `^corpusmill: ${out}/(read/jsonl/part-00000-\\d{3}\\.jsonl\\.zst: cannot write \\(ENOSPC: no space left on device, write\\)|catalog\\.sqlite: catalog: database or disk is full \\(SQLITE_FULL\\))$`,
      ),
    );
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    if (line.includes('.jsonl.zst')) assert.deepEqual((await recorded(out, 'read/main')).errors, [line.slice('corpusmill: '.length)]);
    execFileSync('mount', ['-o', 'remount,size=64m', out]);
    const again = await runCli(['build', file, '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(outputHashes(out), outputHashes(clean));
  } finally {
    execFileSync('umount', [out]);
  }
});

test('an unreachable URL fails after two quick attempts with one line', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  const dir = tempDir();
  const url = `http://127.0.0.1:${port}/data.jsonl`;
  const r = await runCli(['build', onePipeline(dir, url), '--out', join(dir, 'out')]);
  assert.equal(r.code, 1);
  assert.equal(lastLine(r.stderr), `corpusmill: ${url}: giving up after 2 attempts: cannot connect (connect ECONNREFUSED 127.0.0.1:${port})`);
  assert.equal(r.stderr.match(/retry 1\/8/g)?.length, 1, 'one quick retry, not eight backed-off ones');
});
