/**
 * Our gitattributes matching decides what git itself decides: for each pattern, every path is checked
 * with `git check-attr` in a scratch repository (GitHub's linguist reads attributes through git), and
 * parseGitattributes must say the same.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseGitattributes } from '../../../src/sources/github/gitattributes.js';
import { tempDir } from '../../helpers.js';

const PATTERNS = [
  '*.min.js',
  'vendor/**',
  '/vendor/**',
  'vendor/',
  'docs/*.md',
  '**/generated/*',
  'a/**/b.txt',
  'foo**',
  '**.js',
  'x*/y',
  'lib/**/*.c',
  '/top.txt',
  'top.txt',
  '[ab]*.go',
  '?.py',
  'dir',
  'third_party/**/*.h',
  'build/**',
  '**/test/**',
];
const PATHS = [
  'app.min.js',
  'src/app.min.js',
  'vendor/x.js',
  'vendor/a/b/c.c',
  'src/vendor/x.js',
  'vendor',
  'docs/a.md',
  'docs/sub/a.md',
  'generated/x.ts',
  'a/generated/x.ts',
  'a/generated/deep/x.ts',
  'a/b.txt',
  'a/x/y/b.txt',
  'foo',
  'foobar',
  'foo/bar',
  'x.js',
  'src/x.js',
  'xz/y',
  'xz/q/y',
  'lib/a.c',
  'lib/q/r/a.c',
  'top.txt',
  'sub/top.txt',
  'a.go',
  'bz.go',
  'c.go',
  'a.py',
  'ab.py',
  'dir',
  'dir/file',
  'src/dir',
  'third_party/x/y/z.h',
  'build/out.o',
  'build',
  'test/a.js',
  'pkg/test/a.js',
  'pkg/testing/a.js',
];

function gitSays(pattern: string): Map<string, boolean> {
  const repo = tempDir('cm-gitattr-');
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, '.gitattributes'), `${pattern} linguist-generated\n`);
  const out = execFileSync('git', ['-C', repo, 'check-attr', 'linguist-generated', '--', ...PATHS], { encoding: 'utf8' });
  const said = new Map<string, boolean>();
  for (const line of out.trim().split('\n')) {
    const m = /^(.*): linguist-generated: (\S+)$/.exec(line);
    if (m) said.set(m[1]!, m[2] === 'set');
  }
  return said;
}

test('every pattern matches exactly the paths git check-attr matches', () => {
  const differ: string[] = [];
  for (const pattern of PATTERNS) {
    const git = gitSays(pattern);
    const ours = parseGitattributes(`${pattern} linguist-generated\n`);
    for (const path of PATHS) if ((ours.generated(path) === true) !== git.get(path)) differ.push(`${pattern} ${path}: git ${git.get(path)}`);
  }
  assert.deepEqual(differ, []);
});

test('the last matching line decides, and -attr / attr=false unset it', () => {
  const o = parseGitattributes('vendor/** linguist-vendored\nvendor/keep/** -linguist-vendored\n*.js linguist-generated=false\n');
  assert.equal(o.vendored('vendor/a.c'), true);
  assert.equal(o.vendored('vendor/keep/a.c'), false);
  assert.equal(o.vendored('src/a.c'), undefined);
  assert.equal(o.generated('x.js'), false);
});
