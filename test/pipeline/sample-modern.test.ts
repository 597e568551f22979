/**
 * pipelines/sample-modern.yaml built by the CLI as a user runs it: url_filter, paragraph_dedup,
 * pii, decontaminate and quality_classifier on the generated crawl of samples/modern give the
 * planted counts (scripts/sample/modern.ts MODERN_SAMPLE), the same bytes with one and two workers,
 * and show up in `stats` and in the report; the committed classifier is what
 * `corpusmill classifier train` makes from the committed training documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import type { StepStats } from '../../src/core/stats.js';
import { readShard } from '../../src/io/shards.js';
import { MODERN_SAMPLE, QUALITY_TRAIN } from '../../scripts/sample/modern.js';
import { repoRoot, runCli, shardHashes, tempDir } from '../helpers.js';

const pipeline = join(repoRoot, 'pipelines', 'sample-modern.yaml');

async function docsIn(dir: string): Promise<Doc[]> {
  const out: Doc[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.jsonl.zst'))
    .sort())
    for await (const d of readShard(join(dir, f), { source: 'x' })) out.push(d);
  return out;
}

test('sample-modern: planted counts, same bytes with 1 and 2 workers, steps in stats and report', async () => {
  const a = tempDir();
  const b = tempDir();
  const [r1, r2] = await Promise.all([runCli(['build', pipeline, '--out', a, '--workers', '1', '-q']), runCli(['build', pipeline, '--out', b, '--workers', '2', '-q'])]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r2.code, 0, r2.stderr);
  const hashes = shardHashes(a);
  assert.ok(Object.keys(hashes).length >= 3, 'several shards');
  assert.deepEqual(shardHashes(b), hashes);

  const st = await runCli(['stats', a, '--json']);
  const stats = JSON.parse(st.stdout) as { stages: Array<{ name: string; sources: Record<string, { steps: StepStats[] }> }> };
  const steps = Object.fromEntries(stats.stages[0]!.sources.commoncrawl!.steps.map((s) => [s.step, s]));
  assert.deepEqual(Object.keys(steps), ['url_filter', 'paragraph_dedup', 'pii', 'decontaminate', 'quality_classifier']);
  assert.deepEqual(steps.url_filter!.drops, MODERN_SAMPLE.blocked);
  const { email, ip, phone } = steps.pii!.counts;
  assert.deepEqual({ email, phone, ip }, MODERN_SAMPLE.pii);
  assert.deepEqual(steps.decontaminate!.drops, { contaminated: MODERN_SAMPLE.contaminated });
  assert.deepEqual(steps.quality_classifier!.drops, { quality_below_threshold: MODERN_SAMPLE.spam });
  assert.ok(steps.paragraph_dedup!.counts.units_removed! > 200);

  // Every site's navigation, footer and the shared cookie notice survive exactly once among the
  // documents paragraph_dedup passed on (written, or removed by a later step).
  const written = await docsIn(join(a, 'web', 'commoncrawl'));
  const later = (await docsIn(join(a, 'rejects', 'web', 'commoncrawl'))).filter((d) => ['contaminated', 'quality_below_threshold'].includes(String(d.meta.filter_reason)));
  // The pages removed after paragraph_dedup are the planted ones: quiz quotes on pages 40-44, spam on the /deals/ pages.
  assert.deepEqual(
    later
      .filter((d) => d.meta.filter_reason === 'contaminated')
      .map((d) => d.id)
      .sort(),
    ['page-040', 'page-041', 'page-042', 'page-043', 'page-044'],
  );
  assert.ok(later.filter((d) => d.meta.filter_reason === 'quality_below_threshold').every((d) => String(d.meta.url).includes('/deals/')));
  const lines = [...written, ...later].flatMap((d) => d.text.split('\n'));
  const pages = readFileSync(join(repoRoot, 'samples', 'modern', 'web-pages.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string });
  const boilerplate = [...new Set(pages.flatMap((p) => [p.text.split('\n')[0]!, p.text.split('\n').at(-1)!]))];
  assert.equal(boilerplate.length, 10, 'five navigation and five footer lines');
  for (const b of [...boilerplate, 'We use cookies to give you the best experience on our website. By continuing you agree to our cookie policy.'])
    assert.equal(lines.filter((l) => l === b).length, 1, b);
  // PII is masked in what is written; no planted address is left.
  const text = written.map((d) => d.text).join('\n');
  assert.doesNotMatch(text, /@\w+\.example\.(com|org|net)|\(212\) 555-01|151\.101\.1\.69/);
  assert.match(text, /\|\|\|EMAIL_ADDRESS\|\|\|/);
  assert.ok(written.every((d) => typeof d.meta.quality_score === 'number' && d.meta.quality_score >= 0.5));

  const md = await runCli(['report', a, '--format', 'md', '--file', '-']);
  assert.equal(md.code, 0, md.stderr);
  for (const step of ['url_filter', 'paragraph_dedup', 'pii', 'decontaminate', 'quality_classifier']) assert.match(md.stdout, new RegExp(`\\| web: ${step} \\| \\d+ \\|`));
  assert.match(md.stdout, /\| web: pii \(commoncrawl\) \| docs_with_pii \d+, email 12, ip 4, phone 10 \|/);
  const table = await runCli(['stats', a]);
  assert.match(table.stdout, /pii .* counted docs_with_pii=\d+ email=12 ip=4 phone=10/);
});

test('the sample quality classifier is what `classifier train` makes from samples/modern/quality', async () => {
  const dir = tempDir();
  const q = join(repoRoot, 'samples', 'modern', 'quality');
  const out = join(dir, 'q.bin');
  const t = QUALITY_TRAIN;
  const r = await runCli([
    'classifier',
    'train',
    '--positive',
    join(q, 'positive.jsonl'),
    '--negative',
    join(q, 'negative.jsonl'),
    '--out',
    out,
    '--holdout',
    '0',
    '--seed',
    String(t.seed),
    '--dim',
    String(t.dim),
    '--bucket',
    String(t.bucket),
    '--epochs',
    String(t.epochs),
    '--lr',
    String(t.lr),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(join(repoRoot, 'samples', 'models', 'sample-quality.bin'))));
});
