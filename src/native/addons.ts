/**
 * Loads the project's native addons (built by node-gyp at `npm install` into build/Release).
 * Each layer's facade (src/tokenize, src/filters, src/dedup) imports its addon from here. The
 * project root is the nearest folder above this file with binding.gyp, so the same code works from
 * src/native (tests, tsx) and dist/native (the installed CLI).
 *
 * Why not node-gyp-build: it loads the first `*.node` it lists in build/Release, one addon per
 * package, and we build two (corpusmill_text, corpusmill_tokenize); asked for this package it
 * returned corpusmill_text whichever one was wanted. Resolving was also slower: 2000 resolutions
 * took 316 ms with it against 72 ms for this walk (same process). We ship no prebuilds, so its
 * prebuild lookup would buy nothing.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'binding.gyp'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('corpusmill: cannot find the project root (binding.gyp)');
    dir = up;
  }
  return dir;
}

function load<T>(name: string): T {
  const root = projectRoot();
  for (const kind of ['Release', 'Debug']) {
    const p = join(root, 'build', kind, `${name}.node`);
    if (existsSync(p)) return require(p) as T;
  }
  throw new Error(`corpusmill: native addon ${name} is not built; run \`npm install\` (or \`npm run install\`) in ${root}`);
}

let textAddon: unknown;
let tokenizeAddon: unknown;

/** The `corpusmill_text` addon (hashing, language id, MinHash); callers type what they use. */
export function textNative<T = Record<string, unknown>>(): T {
  textAddon ??= load('corpusmill_text');
  return textAddon as T;
}

/** The `corpusmill_tokenize` addon (BPE models, batch encode, shard writers). */
export function tokenizeNative<T = Record<string, unknown>>(): T {
  tokenizeAddon ??= load('corpusmill_tokenize');
  return tokenizeAddon as T;
}
