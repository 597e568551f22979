/**
 * Creating a step is cheap: the coordinator creates every step only to learn its passes, so a step's
 * model (fastText, n-gram LM, tokenizer) loads in the worker that runs a task, never at creation.
 * A model file that is not there proves it: creation succeeds, running names the file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { languageIdStep } from '../../src/filters/ccnet/language-id.js';
import { perplexityStep } from '../../src/filters/ccnet/perplexity.js';
import { wikirefClassifierStep } from '../../src/filters/ccnet/wikiref.js';
import { stepEnv } from '../../src/pipeline/standalone.js';
import type { StepDef } from '../../src/pipeline/step.js';
import { collect, doc, iterate, recordingContext, tempDir } from '../helpers.js';

const cases: Array<[StepDef, Record<string, unknown>]> = [
  [languageIdStep, { model: 'missing/lid.176.bin' }],
  [wikirefClassifierStep, { model: 'missing/wikiref.bin' }],
  [perplexityStep, { model: 'missing/en.arpa' }],
];

for (const [def, params] of cases) {
  test(`${def.name}: creating the step (and reading its passes) loads no model; running it does`, async () => {
    const dir = tempDir('cm-lazy-');
    const step = await def.create(def.params.parse(params), stepEnv({ stateDir: join(dir, 'state'), pipelineDir: dir }));
    assert.ok(Array.isArray(step.passes ?? []));
    const docs = [doc('a', 'A short document in English, long enough to be scored by a model.', 'commoncrawl', { language: 'en' })];
    await assert.rejects(collect(step.run(iterate(docs), recordingContext({ stateDir: join(dir, 'state') }))), /missing/);
    await step.close?.();
  });
}
