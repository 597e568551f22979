/**
 * The `parquet` source and `format: parquet` stage outputs, end to end through the CLI:
 * pipelines/sample-parquet.yaml reads FineWeb- and SlimPajama-layout files (written by an
 * independent Parquet implementation, scripts/sample/parquet.ts), writes Parquet shards, reads them
 * in the next stage and tokenizes. The same pipeline with JSON-lines outputs must give the same
 * documents and byte-identical token shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARQUET_SAMPLE } from '../../../scripts/sample/parquet.js';
import { createRegistry } from '../../../src/app/registry.js';
import { parsePipeline } from '../../../src/pipeline/config.js';
import type { Doc } from '../../../src/core/document.js';
import { readShard } from '../../../src/io/shards.js';
import { rowGroupTasks } from '../../../src/sources/parquet/source.js';
import { repoRoot, runCli, tempDir } from '../../helpers.js';
import { readRows } from '../../io/parquet-reference.js';

test('row groups become tasks of about task_bytes; a large row group is a task of its own', () => {
  assert.deepEqual(rowGroupTasks([100, 100, 100, 100, 100], 250), [
    [0, 3, 300],
    [3, 5, 200],
  ]);
  assert.deepEqual(rowGroupTasks([1000, 10, 10], 100), [
    [0, 1, 1000],
    [1, 3, 20],
  ]);
  assert.deepEqual(rowGroupTasks([], 100), []);
});

function files(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
}

async function jsonlDocs(dir: string): Promise<Doc[]> {
  const out: Doc[] = [];
  for (const f of files(dir, '.jsonl.zst')) for await (const d of readShard(join(dir, f), { source: 'x' })) out.push(d);
  return out;
}

function parquetDocs(dir: string): Doc[] {
  return files(dir, '.parquet').flatMap((f) =>
    readRows(join(dir, f)).map((r) => ({ text: r.text as string, meta: JSON.parse(r.meta as string), id: r.id as string, source: r.source as string })),
  );
}

test('pipelines/sample-parquet.yaml builds; its Parquet outputs hold the same documents as JSON-lines outputs, and the tokens are identical', async () => {
  const yaml = readFileSync(join(repoRoot, 'pipelines', 'sample-parquet.yaml'), 'utf8');
  const pq = tempDir('parquet-build-');
  const r1 = await runCli(['build', join(repoRoot, 'pipelines', 'sample-parquet.yaml'), '--out', pq, '-w', '2', '-q']);
  assert.equal(r1.code, 0, r1.stderr);

  // The same pipeline with the default JSON-lines outputs.
  const variant = join(tempDir('parquet-variant-'), 'sample-jsonl.yaml');
  const jsonlYaml = yaml.replaceAll('    format: parquet\n', '').replaceAll('file:../samples/', `file:${join(repoRoot, 'samples')}/`);
  assert.doesNotMatch(jsonlYaml, /^ +format: parquet$/m);
  writeFileSync(variant, jsonlYaml);
  const jl = tempDir('jsonl-build-');
  const r2 = await runCli(['build', variant, '--out', jl, '-w', '2', '-q']);
  assert.equal(r2.code, 0, r2.stderr);

  // The short pages go in ingest (text_length), the copies in dedup (exact_dedup).
  const { distinct, copies } = PARQUET_SAMPLE.fineweb;
  const expected: Record<string, Record<string, number>> = {
    ingest: { fineweb: distinct + copies, slimpajama: PARQUET_SAMPLE.slimpajama },
    dedup: { fineweb: distinct, slimpajama: PARQUET_SAMPLE.slimpajama },
  };
  for (const stage of ['ingest', 'dedup'])
    for (const source of ['fineweb', 'slimpajama']) {
      const dir = join(pq, stage, source);
      assert.deepEqual(files(dir, '.jsonl.zst'), [], `${stage}/${source} wrote JSON lines`);
      // The FineWeb files' 7 row groups make 4 tasks at task_bytes 4KiB: one shard per task.
      if (source === 'fineweb') assert.deepEqual(files(dir, '.parquet'), ['part-00000-000.parquet', 'part-00001-000.parquet', 'part-00002-000.parquet', 'part-00003-000.parquet']);
      const fromParquet = parquetDocs(dir);
      assert.equal(fromParquet.length, expected[stage]![source], `${stage}/${source}`);
      assert.deepEqual(fromParquet, await jsonlDocs(join(jl, stage, source)), `${stage}/${source}`);
    }
  // FineWeb's columns became meta; SlimPajama's meta struct became meta.
  const first = parquetDocs(join(pq, 'ingest', 'fineweb'))[0]!;
  assert.deepEqual(Object.keys(first.meta), ['dump', 'url', 'date', 'file_path', 'language', 'language_score', 'token_count']);
  assert.match(first.id, /^<urn:uuid:/);
  const slim = parquetDocs(join(pq, 'ingest', 'slimpajama'));
  assert.deepEqual(new Set(slim.map((d) => d.meta.redpajama_set_name)), new Set(['RedPajamaWikipedia', 'RedPajamaC4']));
  assert.deepEqual(
    slim.map((d) => d.id),
    slim.map((_, i) => `slimpajama/train-00000.parquet/${i}`),
  );

  for (const source of ['fineweb', 'slimpajama']) {
    const dir = join(pq, 'tokens', 'llama2', source);
    const bins = readdirSync(dir).filter((f) => /\.(bin|idx)$/.test(f));
    assert.ok(bins.length >= 2, source);
    for (const f of bins) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(jl, 'tokens', 'llama2', source, f))), `tokens/llama2/${source}/${f}`);
  }
});

test('a stage format other than jsonl or parquet is a config error with its position', () => {
  const text = 'name: p\nstages:\n  - name: a\n    format: csv\n    inputs:\n      - source: parquet\n        urls: ["x.parquet"]\n';
  assert.throws(() => parsePipeline(text, 'p.yaml', createRegistry()), /^ConfigError: p\.yaml:4:13: stages\[0\]\.format: .*"jsonl".*"parquet"/);
  const ok = parsePipeline(text.replace('csv', 'parquet'), 'p.yaml', createRegistry());
  assert.equal(ok.stages[0]!.format, 'parquet');
  assert.equal(parsePipeline(text.replace('    format: csv\n', ''), 'p.yaml', createRegistry()).stages[0]!.format, 'jsonl');
});
