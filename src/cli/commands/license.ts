/**
 * `corpusmill license <repository>`: which licence the GitHub source would find for a checkout or
 * a repository tarball, file by file (matcher, similarity, licensee-compatible hash), and whether
 * the allow list keeps it. The way to see why a repository was skipped as license_not_allowed.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { DEFAULT_ALLOWED, isAllowed, type MultiLicensePolicy } from '../../sources/github/license-detect.js';
import { checkoutWalker, repositoryLicense, tarballWalker } from '../../sources/github/repo.js';

export function registerLicense(program: Command): void {
  program
    .command('license')
    .description("detect a repository's licence as the github source does (a checkout folder or a .tar.gz)")
    .argument('<repository>', 'checkout folder or repository tarball')
    .option('--allow <spdx...>', 'SPDX ids kept', DEFAULT_ALLOWED)
    .option('--multi <policy>', 'several licences: other | all_allowed', 'other')
    .option('--no-packages', 'ignore the licence a package manifest (package.json, Cargo.toml, ...) declares')
    .option('--strip-components <n>', 'leading path components of tarball members to drop', '1')
    .option('--json', 'print JSON')
    .action(async (repo: string, o: { allow: string[]; multi: string; packages: boolean; stripComponents: string; json?: boolean }) => {
      if (o.multi !== 'other' && o.multi !== 'all_allowed') throw new ConfigError(`--multi: expected other or all_allowed, got ${o.multi}`);
      let st: Stats;
      try {
        st = await stat(repo);
      } catch {
        throw new ConfigError(`${repo}: no such file or folder`);
      }
      const limits = { maxFileBytes: 1 << 20, maxArchiveBytes: 4 * 2 ** 30 };
      const walker = st.isDirectory() ? checkoutWalker(repo, limits) : tarballWalker(repo, { ...limits, stripComponents: Number(o.stripComponents) });
      const lic = await repositoryLicense(walker, { packages: o.packages });
      const allowed = isAllowed(lic, o.allow, o.multi as MultiLicensePolicy);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ repository: repo, license: lic.key, spdx: lic.spdx, licenses: lic.keys, allowed, files: lic.files }, null, 1)}\n`);
        return;
      }
      process.stdout.write(`${repo}: ${lic.spdx ?? lic.key ?? 'no licence file'} (${allowed ? 'allowed' : 'not allowed'})\n`);
      for (const f of lic.files) {
        process.stdout.write(`  ${f.path}: ${f.spdx ?? f.key}  ${f.matcher} ${f.confidence.toFixed(1)}%${f.hash ? `  hash ${f.hash}` : ''}\n`);
      }
    });
}
