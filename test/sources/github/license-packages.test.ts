/**
 * Package-manager licence matchers (src/sources/github/license-packages.ts) on small manifests in
 * test/data/license-manifests, read through the real checkout walker as the github source reads a
 * repository. Expected answers follow licensee's package matchers (confidence 90), by hand.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkoutWalker, repositoryLicense } from '../../../src/sources/github/repo.js';
import { isAllowed, DEFAULT_ALLOWED } from '../../../src/sources/github/license-detect.js';
import { licenseKeyForProperty, packageFileScore } from '../../../src/sources/github/license-packages.js';
import { repoRoot } from '../../helpers.js';

const dir = join(repoRoot, 'test', 'data', 'license-manifests');
const limits = { maxFileBytes: 1 << 20, maxArchiveBytes: 1 << 30 };
const detect = (name: string, opts: { packages?: boolean } = {}) => repositoryLicense(checkoutWalker(join(dir, name), limits), opts);

const cases: Array<[string, string | null, string | null]> = [
  // [folder, project licence key, the manifest that decided it]
  ['npm-mit', 'mit', 'package.json'],
  ['npm-unlicensed', 'no-license', 'package.json'],
  ['npm-expression', 'mit', 'package.json'],
  ['npm-see-file', 'other', 'package.json'],
  ['cargo-dual', 'mit', 'Cargo.toml'],
  ['cargo-slash', 'mit', 'Cargo.toml'],
  ['pyproject', 'gpl-3.0', 'pyproject.toml'],
  ['pyproject-table', 'bsd-3-clause', 'pyproject.toml'],
  ['setup-cfg', 'apache-2.0', 'setup.cfg'],
  ['setup-py', 'mit', 'setup.py'],
  ['gemspec-one', 'mit', 'thing.gemspec'],
  ['gemspec-two', 'other', 'thing.gemspec'],
  ['cran-gpl', 'gpl-2.0', 'DESCRIPTION'],
  ['composer-one', 'bsd-2-clause', 'composer.json'],
  ['composer-array', 'other', 'composer.json'],
  // package.json (1.0) beats setup.py (0.6); a tie at 1.0 goes to the first path in byte order.
  ['priority', 'isc', 'package.json'],
  ['priority-tie', 'apache-2.0', 'Cargo.toml'],
];

for (const [name, key, manifest] of cases) {
  test(`${name}: ${key} from ${manifest}`, async () => {
    const lic = await detect(name);
    assert.equal(lic.key, key);
    const pkg = lic.files.filter((f) => f.matcher === 'package');
    assert.deepEqual(
      pkg.map((f) => [f.path, f.key, f.confidence]),
      [[manifest, key, 90]],
    );
  });
}

test('a manifest that declares no licence (npm object form), or one below the root, adds nothing', async () => {
  assert.deepEqual(await detect('npm-object'), { key: null, spdx: null, keys: [], files: [] });
  assert.equal((await detect('nested')).key, null);
});

test('a manifest counts like a licence file: the same licence agrees, another makes the project `other`', async () => {
  const same = await detect('mit-and-npm-mit');
  assert.deepEqual([same.key, same.spdx, same.files.map((f) => f.matcher)], ['mit', 'MIT', ['exact', 'package']]);
  assert.ok(isAllowed(same, DEFAULT_ALLOWED));
  const differ = await detect('mit-and-npm-apache');
  assert.deepEqual([differ.key, differ.keys], ['other', ['mit', 'apache-2.0']]);
  assert.ok(!isAllowed(differ, DEFAULT_ALLOWED));
  assert.ok(isAllowed(differ, DEFAULT_ALLOWED, 'all_allowed'));
  // packages: false ignores the manifest (licensee without --packages).
  assert.equal((await detect('mit-and-npm-apache', { packages: false })).key, 'mit');
  // A CRAN stub LICENSE (YEAR/COPYRIGHT HOLDER) is `other` on its own, as licensee's description-license fixture.
  assert.deepEqual((await detect('cran-mit')).keys, ['other', 'mit']);
});

test('licence properties: key, -or-later/-only suffix, first known id of an SPDX expression, else other', () => {
  assert.equal(licenseKeyForProperty('apache-2.0'), 'apache-2.0');
  assert.equal(licenseKeyForProperty('lgpl-2.1-only'), 'lgpl-2.1');
  assert.equal(licenseKeyForProperty('(lgpl-2.1 or gpl-3.0)'), 'lgpl-2.1');
  assert.equal(licenseKeyForProperty('gpl-2.0-or-later with classpath-exception-2.0'), 'gpl-2.0');
  assert.equal(licenseKeyForProperty('proprietary'), 'other');
  assert.equal(packageFileScore('package.json'), 1);
  assert.equal(packageFileScore('DESCRIPTION'), 0.9);
  assert.equal(packageFileScore('package-lock.json'), 0);
});
