/**
 * Where plugin code may come from: the pipeline's own folder, or an installed package by name. A
 * plugin path anywhere else is refused before it is imported (by `plan`, `fetch` and `build`
 * alike) unless the user names it with --allow-plugin; the CLI says which plugin modules it loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli, tempDir } from '../helpers.js';

const fixture = join(repoRoot, 'test', 'pipeline', 'fixtures', 'corpus-words-plugin.ts');

/** A plugin module that leaves a file behind when it is imported (so a test can tell it never ran). */
function plugin(path: string, ran: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(ran)}, 'imported');\nexport * from ${JSON.stringify(fixture)};\n`);
}

function pipeline(dir: string, plugins: string[]): string {
  writeFileSync(join(dir, 'docs.jsonl'), `${Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `a document ${i} with several words` })).join('\n')}\n`);
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    `name: p\nplugins: ${JSON.stringify(plugins)}\nstages:\n  - name: read\n    inputs:\n      - source: jsonl\n        urls: ["file:docs.jsonl"]\n    steps:\n      - step: slow\n        ms: 0\n`,
  );
  return file;
}

test('a plugin outside the pipeline folder is refused by plan, fetch and build before it runs; --allow-plugin loads it, and the CLI names it', async () => {
  const root = tempDir();
  const dir = join(root, 'project');
  mkdirSync(dir);
  const outside = join(root, 'outside', 'x.ts');
  const ran = join(root, 'ran');
  plugin(outside, ran);
  for (const spec of ['../outside/x.ts', outside]) {
    const file = pipeline(dir, [spec]);
    for (const cmd of [
      ['plan', file],
      ['fetch', file, '--out', join(dir, 'out')],
      ['build', file, '--out', join(dir, 'out')],
    ]) {
      const r = await runCli(cmd);
      assert.equal(r.code, 2, `${cmd[0]}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.equal(
        lines[0],
        `corpusmill: ${file}: plugin ${spec} is outside the pipeline's folder (${dir}); plugins load from that folder or an installed package, or pass --allow-plugin ${outside}`,
      );
      assert.ok(!existsSync(ran), `${cmd[0]} imported the plugin`);
    }
  }
  const file = pipeline(dir, ['../outside/x.ts']);
  const ok = await runCli(['build', file, '--out', join(dir, 'out'), '--allow-plugin', outside]);
  assert.equal(ok.code, 0, ok.stderr);
  // Every step the module exports, by name.
  const named = (await import(pathToFileURL(fixture).href)).steps.map((s: { name: string }) => `step ${s.name}`);
  assert.match(ok.stderr, new RegExp(`plugin ${outside}: ${named.join(', ')}\\n`));
  assert.ok(existsSync(ran));
});

test('plugins in the pipeline folder and installed packages load by themselves, and are named', async () => {
  const dir = tempDir();
  plugin(join(dir, 'steps', 'words.ts'), join(dir, 'ran-local'));
  const pkg = join(dir, 'node_modules', 'cm-words');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'cm-words', version: '1.0.0', type: 'module', main: 'index.ts' }));
  plugin(join(pkg, 'index.ts'), join(dir, 'ran-package'));
  const local = await runCli(['build', pipeline(dir, ['steps/words.ts']), '--out', join(dir, 'a')]);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stderr, new RegExp(`plugin ${join(dir, 'steps', 'words.ts')}: step corpus_words`));
  const byName = await runCli(['build', pipeline(dir, ['cm-words']), '--out', join(dir, 'b')]);
  assert.equal(byName.code, 0, byName.stderr);
  assert.match(byName.stderr, /plugin cm-words: step corpus_words/);
  assert.ok(existsSync(join(dir, 'ran-local')) && existsSync(join(dir, 'ran-package')));
});
