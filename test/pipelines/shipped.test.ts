/**
 * The web sources in the shipped pipelines: pipelines/llama.yaml validates, and the sample's
 * `ccnet` stage builds through the real CLI from the committed WET segments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecompressStream } from 'zstd-napi';
import { loadPipeline } from '../../src/pipeline/config.js';
import { createRegistry } from '../../src/app/registry.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

test('pipelines/llama.yaml declares CommonCrawl (five RedPajama dumps) and C4 with valid parameters', async () => {
  const p = await loadPipeline(join(repoRoot, 'pipelines', 'llama.yaml'), createRegistry());
  const cc = p.stages.find((s) => s.name === 'commoncrawl')!;
  const input = cc.inputs[0]!;
  assert.equal(input.kind, 'source');
  assert.deepEqual((input as { params: { dumps: string[] } }).params.dumps, ['2019-30', '2020-05', '2021-04', '2022-05', '2023-06']);
  assert.deepEqual(cc.steps.map((s) => s.step).slice(0, 2), ['text_length', 'ccnet_line_dedup']);
  assert.ok(p.stages.some((s) => s.name === 'c4'));
});

function readZstdJsonl(file: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const d = new DecompressStream();
    const chunks: Buffer[] = [];
    d.on('data', (c: Buffer) => chunks.push(c));
    d.on('end', () =>
      resolve(
        Buffer.concat(chunks)
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      ),
    );
    d.on('error', reject);
    d.end(readFileSync(file));
  });
}

test('the sample ccnet stage builds: meta kept, lines deduplicated, drops counted by reason', async () => {
  const out = tempDir('web-build-');
  const r = await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out, '--stage', 'ccnet', '-w', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const dir = join(out, 'ccnet', 'commoncrawl');
  const docs = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl.zst'))
    .sort())
    docs.push(...(await readZstdJsonl(join(dir, f))));
  assert.ok(docs.length > 20, `${docs.length} documents`);
  for (const d of docs) {
    const m = d.meta as Record<string, unknown>;
    for (const k of ['url', 'timestamp', 'digest', 'cc_segment', 'source_domain', 'title', 'nlines', 'original_nlines']) assert.ok(m[k] !== undefined, `${d.id} lacks meta.${k}`);
    assert.match(m.digest as string, /^sha1:[A-Z2-7]{32}$/);
    // The sites' navigation and footer lines appear on many pages: the line dedup removed them.
    assert.doesNotMatch(d.text as string, /^(Home|Subscribe|© 2023 Riverside Gazette\. All rights reserved\.)$/m);
  }
  const stats = JSON.stringify(JSON.parse(r.stdout));
  for (const word of ['too_few_chars', 'lorem_ipsum', 'curly_bracket', 'too_few_sentences', 'lines_removed_shared', 'record_warcinfo'])
    assert.ok(stats.includes(word), `stats lack ${word}`);
});
