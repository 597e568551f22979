/** `corpusmill plan`: CPU-hours from the measured rates of src/pipeline/rates.ts, per source read and per step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '../../src/app/registry.js';
import { createLogger } from '../../src/core/log.js';
import { planPipeline } from '../../src/pipeline/plan.js';
import { READ_RATES, STEP_RATES, TEXT_PER_INPUT_BYTE } from '../../src/pipeline/rates.js';
import { tempDir } from '../helpers.js';

test('plan estimates CPU-hours from the read rate of each source and the rate of each step over the text it reads', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  const bytes = 1_000_000;
  writeFileSync(join(dir, 'in', 'a.jsonl'), `${JSON.stringify({ text: 'x'.repeat(bytes - 12) })}\n`);
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    `name: planned
stages:
  - name: clean
    inputs:
      - source: jsonl
        urls: ["file:in/a.jsonl"]
    steps:
      - step: quality_signals
      - step: minhash_dedup
  - name: tokens
    inputs: [{ stage: clean }]
    write_documents: false
    steps:
      - step: tokenize
        tokenizer: llama2
`,
  );
  const plan = await planPipeline({ pipelineFile: file, out: join(dir, 'out'), log: createLogger('test'), registry: createRegistry() });
  assert.equal(plan.total_bytes, bytes);
  const text = bytes * TEXT_PER_INPUT_BYTE.jsonl!;
  const mb = (n: number) => n / 1e6;
  const clean = mb(bytes) / READ_RATES.jsonl!.mb_per_cpu_s + mb(text) / STEP_RATES.quality_signals!.mb_per_cpu_s + mb(text) / STEP_RATES.minhash_dedup!.mb_per_cpu_s;
  const tokens = mb(text) / STEP_RATES.tokenize!.mb_per_cpu_s;
  assert.deepEqual(
    plan.stages.map((s) => [s.stage, Math.round(s.text_bytes)]),
    [
      ['clean', text],
      ['tokens', text],
    ],
  );
  assert.ok(Math.abs(plan.cpu_hours * 3600 - (clean + tokens)) < 1e-9, `${plan.cpu_hours * 3600} vs ${clean + tokens}`);
  // The source input carries its read and its stage's steps.
  assert.ok(Math.abs(plan.inputs[0]!.cpu_hours * 3600 - clean) < 1e-9);
});
