/** Rule sets over the signals: hand-worked documents pass or fail the named rules. */
import { test } from 'node:test';
import { stepEnv } from '../../src/pipeline/standalone.js';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import type { Doc } from '../../src/core/document.js';
import { createLogger } from '../../src/core/log.js';
import { Fetcher } from '../../src/fetch/fetcher.js';
import type { StepDef, StepEnv } from '../../src/pipeline/step.js';
import { qualityFilterStep } from '../../src/filters/rules/step.js';
import { qualitySignalsStep } from '../../src/filters/signals/step.js';
import { runStep } from '../../src/pipeline/standalone.js';

const env: StepEnv = stepEnv({ pipelineDir: tmpdir(), stateDir: tmpdir(), log: createLogger('t'), fetcher: new Fetcher({ cacheDir: tmpdir() }) });

async function apply(def: StepDef, params: unknown, docs: Doc[]) {
  const step = await def.create(def.params.parse(params), env);
  return runStep(step, [docs], { stateDir: tmpdir() });
}

const doc = (id: string, text: string, meta: Doc['meta'] = {}): Doc => ({ id, source: 'c4', text, meta });

// 60 words, 6 sentences, stop words present, no repetition: passes Gopher and C4.
const GOOD = [
  'The harbour town of Carrow sits where the river meets the cold northern sea.',
  'Fishing boats leave before dawn and return with the tide in the late afternoon.',
  'Visitors come in summer to walk the cliffs and to watch the seabirds nest.',
  'In winter the streets are quiet and most of the cafes close until spring.',
  'A small museum tells the history of the lifeboat crew and their famous rescues.',
  'Local bakers sell bread that has been made to the same recipe for generations.',
].join('\n');

test('a clean paragraph passes Gopher, C4 and FineWeb', async () => {
  for (const rules of ['gopher', 'c4', 'fineweb']) {
    const r = await apply(qualityFilterStep, { rules }, [doc('a', GOOD)]);
    assert.equal(r.kept[0]!.length, 1, `${rules}: ${JSON.stringify(r.stats.counts)}`);
  }
});

test('failures are counted by rule name; the first failing rule is the drop reason', async () => {
  const short = doc('short', 'Too short to keep.');
  const lorem = doc('lorem', `${GOOD}\nLorem ipsum dolor sit amet.`);
  const curly = doc('curly', `${GOOD}\nfunction f() { return 1; }`);
  const bullets = doc('bullets', Array.from({ length: 60 }, (_, i) => `• item number ${i} of the list with the words`).join('\n'));
  const r = await apply(qualityFilterStep, { rules: ['gopher_quality', 'c4'] }, [short, lorem, curly, bullets, doc('good', GOOD)]);
  assert.deepEqual(
    r.dropped.map((d) => [d.doc.id, d.reason]),
    [
      ['short', 'gopher_word_count'],
      ['lorem', 'c4_lorem_ipsum'],
      ['curly', 'c4_curly_bracket'],
      ['bullets', 'gopher_bullet_lines'],
    ],
  );
  // "Too short to keep." is one sentence; the bullet list has no . ! ? at all, so it is one long sentence.
  assert.equal(r.stats.counts.fail_c4_num_sentences, 2);
  assert.deepEqual(
    r.kept[0]!.map((d) => d.id),
    ['good'],
  );
});

test('overrides change thresholds by rule name; custom rules name any signal', async () => {
  const r = await apply(qualityFilterStep, { rules: 'gopher_quality', overrides: { gopher_word_count: { min: 100 } } }, [doc('a', GOOD)]);
  assert.deepEqual(
    r.dropped.map((d) => d.reason),
    ['gopher_word_count'],
  );
  const custom = await apply(qualityFilterStep, { rules: [{ name: 'few_lines', signal: 'rps_lines_num_words', agg: 'sum', max: 40 }] }, [
    doc('a', GOOD),
    doc('b', 'one two three\nfour'),
  ]);
  assert.deepEqual(
    custom.dropped.map((d) => [d.doc.id, d.reason]),
    [['a', 'few_lines']],
  );
  assert.throws(() => qualityFilterStep.create(qualityFilterStep.params.parse({ rules: 'c4', overrides: { nope: { max: 1 } } }), env), /unknown rule "nope"/);
});

test('quality_signals annotates meta in RPv2 span form, and quality_filter reuses stored signals', async () => {
  const a = await apply(qualitySignalsStep, { signals: ['rps_doc_word_count', 'rps_lines_num_words'] }, [doc('a', 'one two\nthree')]);
  assert.deepEqual(a.kept[0]![0]!.meta.quality_signals, {
    rps_doc_word_count: [[0, 13, 3]],
    rps_lines_num_words: [
      [0, 8, 2],
      [8, 13, 1],
    ],
  });
  // A stored word count of 500 wins over the text's 3 words.
  const stored = doc('s', 'one two three', { quality_signals: { rps_doc_word_count: [[0, 13, 500]] } });
  const r = await apply(qualityFilterStep, { rules: [{ name: 'wc', signal: 'rps_doc_word_count', min: 100 }] }, [stored]);
  assert.equal(r.kept[0]!.length, 1);
});
