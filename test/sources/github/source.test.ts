/**
 * The GitHub source end to end on real files: repository tarballs (hostile members included, and
 * one served by a loopback HTTP server through the fetcher), BigQuery exports split into byte
 * ranges, local checkouts, and the committed sample inputs.
 */
import assert from 'node:assert/strict';
import { CorruptInputError } from '../../../src/io/compression.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tarGz } from '../../../scripts/sample/tar.js';
import { SHARED_HELPER } from '../../../scripts/sample/github.js';
import type { Doc } from '../../../src/core/document.js';
import { createLogger } from '../../../src/core/log.js';
import { Fetcher } from '../../../src/fetch/fetcher.js';
import { readRepository, tarballWalker } from '../../../src/sources/github/repo.js';
import { githubParams, githubSource } from '../../../src/sources/github/source.js';
import type { SourceEnv } from '../../../src/pipeline/source.js';
import { readContext, repoRoot, tempDir } from '../../helpers.js';

/** The reader's `skipped_<reason>` counters, by reason. */
function skipped(ctx: { counts: Record<string, number> }): Record<string, number> {
  return Object.fromEntries(Object.entries(ctx.counts).flatMap(([k, v]) => (k.startsWith('skipped_') ? [[k.slice('skipped_'.length), v]] : [])));
}

const MIT = `MIT License

Copyright (c) 2024 Test Author

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

const samples = join(repoRoot, 'samples', 'github');

async function collect(it: AsyncIterable<Doc>): Promise<Doc[]> {
  const out: Doc[] = [];
  for await (const d of it) out.push(d);
  return out;
}

function env(dir: string): SourceEnv {
  const log = createLogger('test');
  return {
    pipelineDir: repoRoot,
    outDir: dir,
    log,
    fetcher: new Fetcher({ cacheDir: join(dir, 'cache'), baseDir: repoRoot, backoffMs: 5, maxBackoffMs: 20, log }),
    taskBytes: 4096,
  };
}

/** Runs the whole source (list, fetch, plan, read) as the runtime does. */
async function runSource(params: unknown, e: SourceEnv) {
  const p = githubParams.parse(params);
  const remote = await githubSource.list(p, e);
  const local = await Promise.all(remote.map((r) => e.fetcher.fetchFile(r)));
  const tasks = await githubSource.plan(local, p, e);
  const ctx = readContext();
  const docs: Doc[] = [];
  for (const t of tasks) docs.push(...(await collect(githubSource.read(t, p, ctx))));
  return { docs, ctx, tasks };
}

test('hostile tar members (.., absolute, links, devices) never escape and are counted', async () => {
  const dir = tempDir('cm-gh-hostile-');
  const work = join(dir, 'work');
  mkdirSync(work);
  const file = join(work, 'evil.tar.gz');
  writeFileSync(
    file,
    await tarGz([
      { name: 'LICENSE', data: MIT },
      { name: 'src/ok.py', data: 'def greet(name):\n    return "hello " + name\n' },
      { name: '../escape.py', data: 'print("escaped")\n' },
      { name: 'src/../../escape2.py', data: 'print("escaped")\n' },
      { name: '/tmp/absolute.py', data: 'print("absolute")\n' },
      { name: 'src/passwd.py', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'src/hard.py', type: 'link', linkname: 'src/ok.py' },
      { name: 'dev/tty', type: 'character-device' },
      { name: 'dev/sda', type: 'block-device' },
      { name: 'src/pipe', type: 'fifo' },
    ]),
  );
  const counts: Record<string, number> = {};
  const docs = await collect(
    readRepository(tarballWalker(file, { stripComponents: 0, maxFileBytes: 1 << 20, maxArchiveBytes: 1 << 30 }), {
      inputName: 'repos',
      repoName: 'evil/repo',
      license: { allow: ['MIT'], multi: 'other' },
      header: 'fixed',
      count: (r, n = 1) => {
        counts[r] = (counts[r] ?? 0) + n;
      },
    }),
  );
  // The absolute member is read as a relative path inside the repository; nothing else gets through.
  assert.deepEqual(docs.map((d) => d.meta.path).sort(), ['src/ok.py', 'tmp/absolute.py']);
  assert.deepEqual(counts, { license_file: 1, tar_unsafe_path: 2, tar_link: 2, tar_special_file: 3 });
  assert.deepEqual(readdirSync(work), ['evil.tar.gz']);
  assert.equal(existsSync(join(dir, 'escape.py')), false);
  assert.equal(existsSync(join(dir, 'escape2.py')), false);
  assert.equal(existsSync('/tmp/absolute.py'), false);
});

test('a repository tarball is fetched from a loopback server through the fetcher (with a retried 503)', async () => {
  const dir = tempDir('cm-gh-http-');
  const tarball = readFileSync(join(samples, 'octocat-hello-corpus.tar.gz'));
  const seen: string[] = [];
  let failed = false;
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (!failed) {
      failed = true;
      res.writeHead(503).end();
      return;
    }
    if (req.url === '/octocat/hello-corpus/tar.gz/main') res.writeHead(200, { 'content-length': tarball.length }).end(tarball);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const { docs, ctx } = await runSource({ repos: ['octocat/hello-corpus@main'], codeload_base: `http://127.0.0.1:${port}` }, env(dir));
    assert.deepEqual(seen, ['/octocat/hello-corpus/tar.gz/main', '/octocat/hello-corpus/tar.gz/main']);
    const paths = docs.map((d) => d.meta.path);
    assert.ok(paths.includes('src/main.py') && paths.includes('src/util.c') && paths.includes('Makefile'));
    for (const skipped of ['LICENSE', 'assets/logo.png', 'vendor/emitter/index.js', 'node_modules/tiny-emitter/index.js', 'web/app.min.js', 'package-lock.json', 'src/parser.py']) {
      assert.ok(!paths.includes(skipped), skipped);
    }
    assert.deepEqual(skipped(ctx), { binary: 1, generated: 3, license_file: 1, tar_link: 1, vendored: 2 });
    const main = docs.find((d) => d.meta.path === 'src/main.py')!;
    assert.equal(main.id, 'github/repos/octocat/hello-corpus/src/main.py');
    assert.equal(main.meta.license, 'MIT');
    assert.equal(main.meta.language, 'Python');
    assert.ok(main.text.startsWith('#!/usr/bin/env python3\n"""Command line entry point'), 'shebang kept, copyright lines removed');
  } finally {
    server.close();
  }
});

test('a GPL repository yields nothing and is counted license_not_allowed', async () => {
  const { docs, ctx } = await runSource({ repos: [{ repo: 'octocat/gpl-tool', url: 'samples/github/octocat-gpl-tool.tar.gz' }] }, env(tempDir('cm-gh-gpl-')));
  assert.equal(docs.length, 0);
  assert.deepEqual(skipped(ctx), { license_not_allowed: 1 });
});

test('BigQuery rows split into byte ranges give the same documents as one task, licences and skips applied', async () => {
  const dir = tempDir('cm-gh-bq-');
  const small = await runSource({ bigquery: ['samples/github/github_repos-000000000000.jsonl'] }, env(dir));
  assert.ok(small.tasks.length >= 3, `${small.tasks.length} tasks`);
  const whole = await runSource({ bigquery: ['samples/github/github_repos-000000000000.jsonl'] }, { ...env(dir), taskBytes: 1 << 30 });
  assert.equal(whole.tasks.length, 1);
  assert.deepEqual(
    small.docs.map((d) => d.id),
    whole.docs.map((d) => d.id),
  );
  assert.deepEqual(skipped(whole.ctx), { license_file: 1, license_not_allowed: 2, no_content: 2, vendored: 1 });
  assert.deepEqual([...new Set(whole.docs.map((d) => d.meta.license))].sort(), ['Apache-2.0', 'BSD-3-Clause', 'MIT']);
  const first = whole.docs[0]!;
  assert.equal(first.id, 'github/github_repos-000000000000.jsonl/0');
  assert.equal(first.meta.repo_name, 'pyfan/textkit');
  assert.equal(first.meta.ref, 'refs/heads/master');
});

test('identical files in the BigQuery export and a tarball share meta.content_hash (SHA-256 of the text)', async () => {
  const dir = tempDir('cm-gh-dup-');
  const { docs } = await runSource(
    { bigquery: ['samples/github/github_repos-000000000000.jsonl'], repos: [{ repo: 'octocat/hello-corpus', url: 'samples/github/octocat-hello-corpus.tar.gz' }] },
    env(dir),
  );
  const want = createHash('sha256').update(SHARED_HELPER).digest('hex');
  // Byte offsets of the export's two rows that hold the shared helper.
  const raw = readFileSync(join(samples, 'github_repos-000000000000.jsonl'), 'utf8');
  const offsets: number[] = [];
  let at = 0;
  for (const line of raw.split('\n')) {
    if (line && (JSON.parse(line) as { content: string | null }).content === SHARED_HELPER) offsets.push(Buffer.byteLength(raw.slice(0, at)));
    at += line.length + 1;
  }
  assert.equal(offsets.length, 2);
  const copies = docs.filter((d) => d.meta.content_hash === want).map((d) => d.id);
  assert.deepEqual(copies.sort(), [...offsets.map((o) => `github/github_repos-000000000000.jsonl/${o}`), 'github/repos/octocat/hello-corpus/src/helpers.py']);
});

test('a malformed BigQuery line is quarantined with its file and byte offset', async () => {
  const dir = tempDir('cm-gh-bad-');
  const file = join(dir, 'export.jsonl');
  const good = JSON.stringify({ repo_name: 'a/b', path: 'x.py', license: 'mit', content: 'def run(items):\n    return sorted(items)\n' });
  writeFileSync(file, `${good}\n{"repo_name": "a/b", "path": \n${good}\n`);
  const { docs, ctx } = await runSource({ bigquery: [file] }, { ...env(dir), taskBytes: 1 << 30 });
  assert.equal(docs.length, 2);
  assert.equal(ctx.bad.length, 1);
  assert.equal(ctx.bad[0]!.reason, 'malformed_record');
  assert.equal(ctx.bad[0]!.record, `byte ${good.length + 1}`);
});

test('a local checkout: .git ignored, symlinks not followed, licence from LICENSE', async () => {
  const dir = tempDir('cm-gh-checkout-');
  const root = join(dir, 'my-lib');
  mkdirSync(join(root, '.git', 'objects'), { recursive: true });
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, '.git', 'config'), '[core]\n\tbare = false\n');
  writeFileSync(join(root, 'LICENSE'), MIT);
  writeFileSync(join(root, 'src', 'app.js'), 'export function double(value) {\n  return value * 2;\n}\n');
  symlinkSync('/etc/passwd', join(root, 'src', 'passwd.js'));
  const { docs, ctx } = await runSource({ checkouts: [root] }, env(dir));
  assert.deepEqual(
    docs.map((d) => d.id),
    ['github/checkouts/my-lib/src/app.js'],
  );
  assert.deepEqual(skipped(ctx), { license_file: 1, link: 1 });
});

test('the sample inputs read the same twice (ids and texts are deterministic)', async () => {
  const params = {
    bigquery: ['samples/github/github_repos-*.jsonl'],
    repos: [
      { repo: 'octocat/hello-corpus', url: 'samples/github/octocat-hello-corpus.tar.gz' },
      { repo: 'octocat/gpl-tool', url: 'samples/github/octocat-gpl-tool.tar.gz' },
    ],
    checkouts: ['samples/github/checkouts/tiny-lib'],
  };
  const a = await runSource(params, env(tempDir('cm-gh-det1-')));
  const b = await runSource(params, env(tempDir('cm-gh-det2-')));
  assert.equal(a.docs.length, 26);
  assert.deepEqual(
    a.docs.map((d) => [d.id, d.meta.content_hash]),
    b.docs.map((d) => [d.id, d.meta.content_hash]),
  );
});

test('a decompression bomb stops at max_archive_bytes and is quarantined as archive_too_large', async () => {
  const dir = tempDir('cm-gh-bomb-');
  const file = join(dir, 'bomb.tar.gz');
  // 8 MiB of zeros in one member compresses to a few KiB.
  writeFileSync(
    file,
    await tarGz([
      { name: 'r/LICENSE', data: MIT },
      { name: 'r/zeros.py', data: Buffer.alloc(8 << 20) },
    ]),
  );
  assert.ok(readFileSync(file).length < 64 << 10);
  const { docs, ctx } = await runSource({ repos: [{ repo: 'bomb/repo', url: file }], max_archive_bytes: 1 << 20 }, env(dir));
  assert.equal(docs.length, 0);
  assert.equal(ctx.bad.length, 1);
  assert.equal(ctx.bad[0]!.reason, 'archive_too_large');
  assert.equal(ctx.bad[0]!.record, 'bomb/repo');
});

test('a truncated tarball fails its task with one line naming the file (a build fetches a download again once)', async () => {
  const dir = tempDir('cm-gh-trunc-');
  const whole = readFileSync(join(samples, 'octocat-hello-corpus.tar.gz'));
  const file = join(dir, 'cut.tar.gz');
  writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
  await assert.rejects(runSource({ repos: [{ repo: 'octocat/hello-corpus', url: file }] }, env(dir)), (e: Error) => {
    assert.ok(e instanceof CorruptInputError);
    assert.match(e.message, /cut\.tar\.gz: corrupt or truncated gzip data \(unexpected end of file\)$/);
    return true;
  });
});

test("a repository's .gitattributes overrides the vendored and generated rules", async () => {
  const dir = tempDir('cm-gh-attrs-');
  const file = join(dir, 'attrs.tar.gz');
  const code = 'def answer():\n    return 42\n';
  writeFileSync(
    file,
    await tarGz([
      { name: 'r-main/LICENSE', data: MIT },
      { name: 'r-main/.gitattributes', data: 'api/** linguist-generated\nvendor/ours/** -linguist-vendored\n' },
      { name: 'r-main/api/client.py', data: code },
      { name: 'r-main/vendor/ours/util.py', data: code.replace('42', '43') },
      { name: 'r-main/vendor/theirs/util.py', data: code.replace('42', '44') },
      { name: 'r-main/main.py', data: code.replace('42', '45') },
    ]),
  );
  const { docs, ctx } = await runSource({ repos: [{ repo: 'a/r', url: file }] }, env(dir));
  assert.deepEqual(docs.map((d) => d.meta.path).sort(), ['.gitattributes', 'main.py', 'vendor/ours/util.py']);
  assert.deepEqual(skipped(ctx), { generated: 1, license_file: 1, vendored: 1 });
});
