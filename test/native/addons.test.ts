/**
 * The native addon loader: each facade gets its own addon (two live side by side in build/Release),
 * the loader finds the project root from any depth (src/native under tsx, dist/native in the
 * installed CLI), and a missing build is a clear error that says how to build it.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { textNative, tokenizeNative } from '../../src/native/addons.js';
import { repoRoot, tempDir } from '../helpers.js';

type Loader = typeof import('../../src/native/addons.js');

/** A copy of the loader placed at `<root>/dist/native/`, as the installed CLI runs it. */
async function loaderIn(root: string): Promise<Loader> {
  mkdirSync(join(root, 'dist', 'native'), { recursive: true });
  writeFileSync(join(root, 'binding.gyp'), '{}\n');
  const file = join(root, 'dist', 'native', 'addons.ts');
  copyFileSync(join(repoRoot, 'src', 'native', 'addons.ts'), file);
  return (await import(pathToFileURL(file).href)) as Loader;
}

describe('native addon loader', () => {
  it('loads each addon by name, not the first one built', () => {
    const text = textNative<Record<string, unknown>>();
    const tok = tokenizeNative<Record<string, unknown>>();
    assert.equal(typeof text.minhashBatch, 'function');
    assert.equal(typeof tok.encodeBatch, 'function');
    assert.equal(text.encodeBatch, undefined);
    assert.equal(tok.minhashBatch, undefined);
  });

  it('finds build/Release from dist/native', async () => {
    const root = tempDir('cm-addons-');
    mkdirSync(join(root, 'build', 'Release'), { recursive: true });
    symlinkSync(join(repoRoot, 'build', 'Release', 'corpusmill_tokenize.node'), join(root, 'build', 'Release', 'corpusmill_tokenize.node'));
    const loader = await loaderIn(root);
    assert.equal(typeof loader.tokenizeNative<Record<string, unknown>>().decodeIds, 'function');
  });

  it('says which addon is missing and how to build it', async () => {
    const root = tempDir('cm-addons-');
    const loader = await loaderIn(root);
    assert.throws(
      () => loader.textNative(),
      (e: Error) => {
        assert.match(e.message, /native addon corpusmill_text is not built; run `npm install`/);
        assert.ok(e.message.includes(root), e.message);
        return true;
      },
    );
  });
});
