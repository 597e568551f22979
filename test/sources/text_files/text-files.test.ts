/**
 * The text_files source: a folder of .txt files read recursively in path order, one document per
 * file, grouped into tasks by size; other extensions are left alone, a file that is not UTF-8 is
 * quarantined by name, a BOM is not part of the text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../../src/core/document.js';
import { textFilesSource } from '../../../src/sources/text_files/source.js';
import { collect, readContext, sourceEnv, tempDir } from '../../helpers.js';

test('a folder of text files becomes one document per file, in path order, grouped into tasks', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'notes', 'b'), { recursive: true });
  const files: Record<string, string | Buffer> = {
    'z.txt': 'Zed is last.\n',
    'a.txt': '\uFEFFA file with a BOM.\n',
    'b/inner.TXT': 'Inside a sub-folder, upper-case extension.',
    'b/latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, 'notes', name), data);
  writeFileSync(join(dir, 'notes', 'readme.md'), '# not a .txt');
  const p = textFilesSource.params.parse({ urls: ['notes'], source_name: 'notes' });
  const env = { ...sourceEnv(30), pipelineDir: dir };
  env.fetcher.opts.baseDir = dir;
  const remote = await textFilesSource.list(p, env);
  assert.deepEqual(
    remote.map((r) => r.name),
    ['a.txt', 'b/inner.TXT', 'b/latin1.txt', 'z.txt'],
  );
  const local = await Promise.all(remote.map((f) => env.fetcher.fetchFile(f)));
  const tasks = await textFilesSource.plan(local, p, env);
  assert.ok(tasks.length >= 2 && tasks.length < 4, `${tasks.length} tasks of about 30 bytes`);
  const ctx = readContext();
  const docs: Doc[] = [];
  for (const t of tasks) docs.push(...(await collect(textFilesSource.read(t, p, ctx))));
  assert.deepEqual(docs, [
    { id: 'notes/a.txt/0', text: 'A file with a BOM.\n', source: 'notes', meta: {} },
    { id: 'notes/b/inner.TXT/0', text: 'Inside a sub-folder, upper-case extension.', source: 'notes', meta: {} },
    { id: 'notes/z.txt/0', text: 'Zed is last.\n', source: 'notes', meta: {} },
  ]);
  assert.deepEqual(
    ctx.bad.map((b) => [b.reason, b.record]),
    [['invalid_utf8', 'b/latin1.txt']],
  );
  assert.equal(
    ctx.bytes,
    Object.values(files).reduce((a, d) => a + Buffer.byteLength(d), 0),
    'every byte read is counted',
  );
});
