/**
 * The reference generated from the schemas: docs/reference.md and schema/pipeline.schema.json are
 * current; every shipped pipeline references the schema and passes it (checked by Ajv, an
 * independent JSON Schema validator), and the schema refuses what the pipeline loader refuses;
 * `corpusmill steps|sources` list every step and source with its parameters; `corpusmill validate`
 * accepts a good file, warns about parameters nothing reads, and reports errors as file:line:col.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { createRegistry } from '../../src/app/registry.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import { generated } from '../../scripts/gen-reference.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'pipeline.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

test('docs/reference.md and schema/pipeline.schema.json are up to date (npm run reference)', () => {
  for (const [file, text] of Object.entries(generated())) assert.equal(readFileSync(file, 'utf8'), text, `${file} is out of date: run npm run reference`);
});

test('every shipped pipeline names the schema and passes it', () => {
  const files = readdirSync(join(repoRoot, 'pipelines')).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const text = readFileSync(join(repoRoot, 'pipelines', f), 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schema/pipeline.schema.json', f);
    assert.ok(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});

test('the schema refuses what the loader refuses, and leaves plugin names alone', () => {
  const base = {
    name: 't',
    settings: { task_bytes: '64KiB' },
    stages: [{ name: 'a', inputs: [{ source: 'jsonl', urls: ['x.jsonl'], text_field: 'body' }], steps: [{ step: 'text_length', min_words: 5 }] }],
    mix: { budget: '1M' },
  };
  const loads = (p: unknown) => {
    try {
      parsePipeline(JSON.stringify(p), 't.yaml', createRegistry());
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(validate(base) && loads(base));
  const bad = [
    { ...base, settings: { task_bytes: true } },
    { ...base, settings: { workerz: 2 } },
    { ...base, stages: [{ ...base.stages[0]!, steps: [{ step: 'text_length', min_words: 'five' }] }] },
    { ...base, stages: [{ ...base.stages[0]!, steps: [{ step: 'text_length', min_wordz: 5 }] }] },
    { ...base, stages: [{ ...base.stages[0]!, inputs: [{ source: 'jsonl' }] }] },
    { ...base, stages: [{ ...base.stages[0]!, inputs: [{ source: 'c4', splits: ['test'] }] }] },
    { ...base, mix: { tokenizer: 'llama2', seeds: 1 } },
  ];
  for (const p of bad) {
    assert.equal(validate(p), false, `schema accepts ${JSON.stringify(p)}`);
    assert.equal(loads(p), false, `loader accepts ${JSON.stringify(p)}`);
  }
  // A plugin's step is not known to the schema: only its name is checked.
  assert.ok(validate({ ...base, stages: [{ ...base.stages[0]!, steps: [{ step: 'my_plugin_step', anything: 1 }] }] }));
});

test('corpusmill steps and sources list every step and source with parameters, types and defaults', async () => {
  const registry = createRegistry();
  const steps = await runCli(['steps', '--json']);
  assert.equal(steps.code, 0, steps.stderr);
  const items = JSON.parse(steps.stdout) as Array<{ name: string; description: string; params: Array<{ name: string; type: string; required: boolean; default?: unknown }> }>;
  assert.deepEqual(items.map((i) => i.name).sort(), registry.steps.map((s) => s.name).sort());
  for (const i of items) assert.ok(i.description.length > 10, i.name);
  const tl = items.find((i) => i.name === 'exact_dedup')!;
  assert.deepEqual(
    tl.params.find((p) => p.name === 'buckets'),
    { name: 'buckets', type: 'integer ≥ 1, ≤ 4096', required: false, default: 16 },
  );
  const sources = await runCli(['sources']);
  assert.equal(sources.code, 0);
  assert.match(sources.stdout, /^jsonl\n {2}JSON lines/m);
  assert.match(sources.stdout, /^ {4}text_field: string; default "text" — field holding the document text/m);
  assert.match(sources.stdout, /^text_files \(documents: source "text"\)$/m);
  for (const s of registry.sources) assert.match(sources.stdout, new RegExp(`^${s.name}( |$)`, 'm'));
  assert.equal((await runCli(['steps', 'no_such_step'])).code, 2);
});

test('corpusmill validate: ok, warnings for parameters nothing reads, errors with their place', async () => {
  const ok = await runCli(['validate', join(repoRoot, 'pipelines', 'sample.yaml')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /sample\.yaml: valid: pipeline sample, 12 stages, \d+ steps, sections mix/);
  const dir = tempDir();
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    'name: p\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: [x.jsonl]\n    steps:\n      - step: tokenize\n        tokeniser: cl100k_base\n',
  );
  const warn = await runCli(['validate', file]);
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /p\.yaml:9:20: stages\[0\]\.steps\[0\]: step tokenize has no parameter "tokeniser" \(did you mean "tokenizer"\?\) \(ignored\)/);
  writeFileSync(
    file,
    'name: p\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: [x.jsonl]\n    steps:\n      - step: text_length\n        min_words: five\n',
  );
  const bad = await runCli(['validate', file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /p\.yaml:9:20: stages\[0\]\.steps\[0\]\.min_words: /);
});
