/**
 * The C4 page rules (TFDS c4_utils.clean_page): each rule on a page written for it, and the real
 * C4 documents in test/data/c4, which C4 itself produced with these rules and therefore
 * must come out unchanged.
 */
import { test } from 'node:test';
import { stepEnv } from '../../src/pipeline/standalone.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badwordsRegex, c4CleanPage, c4RulesStep, countSentences } from '../../src/filters/c4.js';
import { c4Source } from '../../src/sources/c4/source.js';
import { createLogger } from '../../src/core/log.js';
import { Fetcher } from '../../src/fetch/fetcher.js';
import { collect, doc, iterate, readContext, recordingContext, testData } from '../helpers.js';

const P = { min_words_per_line: 5, min_sentences: 3, max_word_length: 1000, max_page_chars: 190_000 };
const GOOD = ['The river rose quickly after the storm.', 'Farmers moved their animals to higher ground.', 'By morning the water had started to fall again.'];

test('keeps a page of three good lines unchanged', () => {
  assert.deepEqual(c4CleanPage(GOOD.join('\n'), P, null), { text: GOOD.join('\n'), lines: {} });
});

test('removes lines without terminal punctuation, ending in an ellipsis, or under 5 words', () => {
  const page = ['Home | About | Contact', ...GOOD, 'And then it went on...', 'Too short here.', 'He said "it is fine now."'].join('\n');
  const out = c4CleanPage(page, P, null);
  assert.equal(out.text, [...GOOD, 'He said "it is fine now."'].join('\n'));
  assert.deepEqual(out.lines, { lines_no_endmark: 2, lines_too_short: 1 });
});

test('removes javascript and policy lines, and deletes citation markers', () => {
  const page = [
    ...GOOD,
    'Please enable JavaScript to view the comments.',
    'By using this site you accept our Privacy Policy today.',
    'The bridge was rebuilt in 1952.[3][citation needed]',
  ].join('\n');
  const out = c4CleanPage(page, P, null);
  assert.equal(out.text, [...GOOD, 'The bridge was rebuilt in 1952.'].join('\n'));
  assert.deepEqual(out.lines, { lines_javascript: 1, lines_policy: 1 });
});

test('drops the page for lorem ipsum, a curly bracket, or too few sentences', () => {
  assert.equal(c4CleanPage([...GOOD, 'Lorem ipsum dolor sit amet, consectetur.'].join('\n'), P, null).reason, 'lorem_ipsum');
  assert.equal(c4CleanPage([...GOOD, 'The function body is { return x; } here.'].join('\n'), P, null).reason, 'curly_bracket');
  assert.equal(c4CleanPage(GOOD.slice(0, 2).join('\n'), P, null).reason, 'too_few_sentences');
});

test('QUIRK kept: page rules only see lines that passed the line rules before them', () => {
  // A brace in a line without an end mark is removed with its line; the page survives.
  const out = c4CleanPage([...GOOD, 'var x = { a: 1 }'].join('\n'), P, null);
  assert.equal(out.text, GOOD.join('\n'));
});

test('bad words need a non-letter on both sides inside the line (QUIRK kept for parity)', () => {
  const re = badwordsRegex(['grok', 'two words', '# a comment', '']);
  assert.equal(c4CleanPage([...GOOD, 'They tried to grok the whole manual overnight.'].join('\n'), P, re).reason, 'badword');
  assert.equal(c4CleanPage([...GOOD, 'We said two words to the crowd at noon.'].join('\n'), P, re).reason, 'badword');
  assert.equal(c4CleanPage([...GOOD, 'Grokking the manual took them all night long.'].join('\n'), P, re).text !== null, true);
  // At the very start of the line there is no character before the word: C4 does not see it.
  assert.equal(c4CleanPage([...GOOD, 'grok is what they tried to do overnight.'].join('\n'), P, re).text !== null, true);
});

test('pages over 190,000 characters are dropped before cleaning', () => {
  assert.equal(c4CleanPage('a'.repeat(190_001), P, null).reason, 'page_too_long');
});

test('sentence count: end marks followed by a capital, abbreviations not counted', () => {
  assert.equal(countSentences('One thing. Another thing! A third?'), 3);
  assert.equal(countSentences('Mr. Smith met Dr. Jones at 5 p.m. yesterday.'), 1);
  assert.equal(countSentences('Version 2.5 was released.'), 1);
});

test('real C4 documents are fixed points of the C4 rules', async () => {
  const dir = join(testData, 'c4');
  let n = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.gz'))) {
    const path = join(dir, f);
    for await (const d of c4Source.read({ path, name: f, url: '', bytes: statSync(path).size }, c4Source.params.parse({}), readContext())) {
      const out = c4CleanPage(d.text, P, null);
      assert.equal(out.text, d.text, `${f} ${d.id} changed (${out.reason ?? JSON.stringify(out.lines)})`);
      n++;
    }
  }
  assert.ok(n >= 40, `read ${n} documents`);
});

test('the step counts line removals and drops by rule name; badwords_file resolves against the pipeline', async () => {
  const dirp = mkdtempSync(join(tmpdir(), 'c4-'));
  writeFileSync(join(dirp, 'words.txt'), 'grok\n');
  const step = await c4RulesStep.create(
    c4RulesStep.params.parse({ badwords_file: 'words.txt' }),
    stepEnv({ pipelineDir: dirp, stateDir: dirp, log: createLogger('t'), fetcher: new Fetcher({ cacheDir: dirp }) }),
  );
  const ctx = recordingContext({ source: 'commoncrawl' });
  const out = await collect(
    step.run(iterate([doc('ok', [...GOOD, 'menu'].join('\n')), doc('bad', [...GOOD, 'They tried to grok the manual overnight.'].join('\n')), doc('short', 'Nothing here.')]), ctx),
  );
  assert.deepEqual(
    out.map((d) => [d.id, d.text]),
    [['ok', GOOD.join('\n')]],
  );
  assert.deepEqual(ctx.stats.drops, { badword: 1, too_few_sentences: 1 });
  assert.equal(ctx.stats.counts.lines_no_endmark, 1);
  await assert.rejects(
    async () =>
      c4RulesStep.create(
        c4RulesStep.params.parse({ badwords_file: 'missing.txt' }),
        stepEnv({ pipelineDir: dirp, stateDir: dirp, log: createLogger('t'), fetcher: new Fetcher({ cacheDir: dirp }) }),
      ),
    /missing\.txt/,
  );
});
