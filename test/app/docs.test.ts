/**
 * The documentation a newcomer reads: every pipeline example in docs/pipelines.md loads and passes
 * the pipeline schema, and nothing in the repository points at the `shared` folder that sits next
 * to the checkout on the authors' machines (a user's clone has none).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { createRegistry } from '../../src/app/registry.js';
import { parsePipeline } from '../../src/pipeline/config.js';
import { repoRoot } from '../helpers.js';

test('every pipeline example in docs/pipelines.md loads and passes the schema', () => {
  const md = readFileSync(join(repoRoot, 'docs', 'pipelines.md'), 'utf8');
  const examples = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((y) => /^name:/m.test(y));
  assert.ok(examples.length >= 2);
  const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, 'schema', 'pipeline.schema.json'), 'utf8')) as object);
  for (const y of examples) {
    parsePipeline(y, join(repoRoot, 'docs', 'example.yaml'), createRegistry());
    assert.ok(validate(parse(y)), JSON.stringify(validate.errors));
  }
});

test('no file in the repository reads or mentions the shared folder beside the checkout', () => {
  const needle = ['..', 'shared'].join('/');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  const hits = tracked
    .filter((f) => /\.(ts|mjs|cjs|js|sh|md|yaml|yml|json|py)$/.test(f) || f.startsWith('.ci/'))
    .filter((f) => readFileSync(join(repoRoot, f), 'utf8').includes(needle));
  assert.deepEqual(hits, []);
});
