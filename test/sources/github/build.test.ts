/**
 * The `github` stage of pipelines/sample.yaml built by the CLI as a user runs it: the same bytes
 * with one worker and with two, and the read counters and filter drops in the stats.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers.js';
import { tempDir } from '../../helpers.js';

function shardBytes(out: string): string[] {
  const dir = join(out, 'github', 'github');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl.zst'))
    .sort()
    .map((n) => readFileSync(join(dir, n)).toString('base64'));
}

test('the sample github stage builds the same shards with 1 and 2 workers, with skips and drops counted', async () => {
  const dir = tempDir('cm-gh-build-');
  const outs = [join(dir, 'w1'), join(dir, 'w2')];
  const runs = await Promise.all([
    runCli(['build', 'pipelines/sample.yaml', '--stage', 'github', '--out', outs[0]!, '--workers', '1', '--json']),
    runCli(['build', 'pipelines/sample.yaml', '--stage', 'github', '--out', outs[1]!, '--workers', '2', '--json']),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(shardBytes(outs[0]!), shardBytes(outs[1]!));
  const stats = JSON.parse(runs[0]!.stdout) as {
    stages: Array<{
      name: string;
      sources: Record<string, { read_counts: Record<string, number>; steps: Array<{ step: string; drops: Record<string, number> }>; output: { docs: number } }>;
    }>;
  };
  const gh = stats.stages.find((s) => s.name === 'github')!.sources.github!;
  assert.deepEqual(gh.read_counts, {
    skipped_binary: 1,
    skipped_generated: 3,
    skipped_license_file: 3,
    skipped_license_not_allowed: 3,
    skipped_no_content: 2,
    skipped_tar_link: 1,
    skipped_vendored: 3,
  });
  // Exact dedup on the content hash first (the tarball and the checkout share files), then the filters.
  assert.deepEqual(gh.steps.find((s) => s.step === 'exact_dedup')!.drops, { duplicate: 5 });
  assert.deepEqual(gh.steps.find((s) => s.step === 'github_filters')!.drops, { alpha_per_token: 1, extension: 2, max_line_length: 1 });
  assert.equal(gh.output.docs, 17);
});

test('corpusmill license explains a repository decision and honours --allow', async () => {
  const [deny, allow] = await Promise.all([
    runCli(['license', 'samples/github/octocat-gpl-tool.tar.gz', '--json']),
    runCli(['license', 'samples/github/octocat-gpl-tool.tar.gz', '--json', '--allow', 'MIT', 'GPL-3.0']),
  ]);
  assert.equal(deny.code, 0, deny.stderr);
  const d = JSON.parse(deny.stdout) as { spdx: string; allowed: boolean; files: Array<{ path: string; matcher: string }> };
  assert.equal(d.spdx, 'GPL-3.0');
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.files.map((f) => [f.path, f.matcher]),
    [['COPYING', 'exact']],
  );
  assert.equal((JSON.parse(allow.stdout) as { allowed: boolean }).allowed, true);
  const missing = await runCli(['license', 'samples/github/no-such-repo']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-repo: no such file or folder/);
});
