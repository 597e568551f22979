import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledLidModelPath, FastTextClassifier } from '../../../src/models/fasttext.js';
import { languageIdStep, lidInput } from '../../../src/filters/ccnet/language-id.js';
import { numpyRound } from '../../../src/core/rounding.js';
import { multilingualLines } from '../../models/helpers.js';
import { runStep } from '../../models/run-step.js';

const modelPath = bundledLidModelPath();
const model = FastTextClassifier.load(modelPath);

/** Runs Debian's `fasttext predict-prob` on one input per line; returns [label, prob][] per line. */
function debianPredict(path: string, lines: string[], k: number): [string, number][][] {
  const dir = mkdtempSync(join(tmpdir(), 'lid-'));
  const input = join(dir, 'in.txt');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const out = execFileSync('fasttext', ['predict-prob', path, input, String(k)], { maxBuffer: 64 << 20 }).toString();
  return out
    .trimEnd()
    .split('\n')
    .map((row) => {
      const parts = row.split(' ');
      const preds: [string, number][] = [];
      for (let i = 0; i + 1 < parts.length; i += 2) preds.push([parts[i]!.replace('__label__', ''), Number(parts[i + 1])]);
      return preds;
    });
}

test('lid.176.ftz predictions equal Debian fasttext predict-prob (top-3 labels, scores to 4 decimals)', () => {
  const lines = multilingualLines().map((l) => lidInput(l, ''));
  assert.ok(lines.length > 100);
  const ours = model.predictMany(lines, 3);
  const theirs = debianPredict(modelPath, lines, 3);
  assert.equal(theirs.length, lines.length);
  const languages = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    assert.equal(ours[i]!.length, theirs[i]!.length, `line ${i}`);
    for (let j = 0; j < theirs[i]!.length; j++) {
      assert.equal(ours[i]![j]!.label, theirs[i]![j]![0], `line ${i} rank ${j}: ${lines[i]}`);
      // Debian prints 6 significant digits; ours is the same float, so they agree far below 1e-4.
      assert.ok(Math.abs(ours[i]![j]!.prob - theirs[i]![j]![1]) < 1e-5, `line ${i} rank ${j}: ${ours[i]![j]!.prob} vs ${theirs[i]![j]![1]}`);
    }
    languages.add(ours[i]![0]!.label);
  }
  for (const lang of ['en', 'de', 'af', 'vi', 'zh', 'ru']) assert.ok(languages.has(lang), `sample covers ${lang}`);
});

test('non-ASCII n-gram hashing uses fastText signed-char FNV (a sign bug would change these scores)', () => {
  const [top] = model.predict('Привет, как дела? Это русский текст о Берлине.');
  const [deb] = debianPredict(modelPath, ['Привет, как дела? Это русский текст о Берлине.'], 1);
  assert.equal(top!.label, 'ru');
  assert.ok(Math.abs(top!.prob - deb![0]![1]) < 1e-5);
});

test('language_score is rounded as cc_net does (numpy round to 2 decimals, half to even)', () => {
  assert.equal(numpyRound(0.125, 2), 0.12);
  assert.equal(numpyRound(0.135, 2), 0.14);
  assert.equal(numpyRound(0.4949, 2), 0.49);
});

test('language_id step keeps languages above 0.5, records language and score, drops the rest with a reason', async () => {
  const docs = [
    { id: 'a', source: 'commoncrawl', text: 'The quick brown fox jumps over the lazy dog.\nIt was a sunny day in London.', meta: {} },
    { id: 'b', source: 'commoncrawl', text: 'Der schnelle braune Fuchs springt über den faulen Hund.', meta: {} },
    { id: 'c', source: 'commoncrawl', text: '12 34 56 ## %%', meta: {} },
    { id: 'd', source: 'commoncrawl', text: '', meta: {} },
  ];
  const { kept, drops } = await runStep(languageIdStep, { languages: ['en'] }, docs);
  assert.deepEqual(
    kept.map((d) => d.id),
    ['a'],
  );
  assert.equal(kept[0]!.meta.language, 'en');
  const score = kept[0]!.meta.language_score as number;
  assert.ok(score >= 0.5 && score <= 1);
  assert.equal(score, Number(score.toFixed(2)));
  assert.deepEqual(drops, { language_not_kept: 1, language_score_below_threshold: 1, empty_text: 1 });
});

test('QUIRK kept: lines are glued without a space before prediction, as cc_net does (configurable)', () => {
  const text = 'first line ends here\nsecond line starts here';
  assert.equal(lidInput(text, ''), 'first line ends heresecond line starts here');
  assert.equal(lidInput(text, ' '), 'first line ends here second line starts here');
  const glued = model.predict(lidInput(text, ''))[0]!;
  const [deb] = debianPredict(modelPath, ['first line ends heresecond line starts here'], 1);
  assert.ok(Math.abs(glued.prob - deb![0]![1]) < 1e-5);
});

test('a truncated or foreign model file is an error naming the file, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lid-bad-'));
  const cut = join(dir, 'cut.ftz');
  writeFileSync(cut, readFileSync(modelPath).subarray(0, 5000));
  assert.throws(
    () => FastTextClassifier.load(cut),
    (e: Error) => e.message.includes('cut.ftz') && /truncated fastText model/.test(e.message),
  );
  const other = join(dir, 'other.bin');
  writeFileSync(other, Buffer.from('not a model at all'));
  assert.throws(() => FastTextClassifier.load(other), /not a fastText model/);
});

test('models trained and quantized by Debian fasttext (dense hs + char and word n-grams; qnorm + pruned .ftz) predict as fasttext does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-train-'));
  const vocab: Record<string, string[]> = {
    wiki: 'the history of the city was documented by scholars in the journal über résumé naïve café'.split(' '),
    cc: 'buy cheap now click here free shipping best price deals offer discount'.split(' '),
    de: 'der die das und ist ein eine nicht mit auf für über schön groß'.split(' '),
  };
  const labels = Object.keys(vocab);
  let seed = 17;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const lab = labels[Math.floor(rand() * 3)]!;
    const words = Array.from({ length: 3 + Math.floor(rand() * 12) }, () => vocab[lab]![Math.floor(rand() * vocab[lab]!.length)]!);
    lines.push(`__label__${lab} ${words.join(' ')}`);
  }
  const train = join(dir, 'train.txt');
  writeFileSync(train, `${lines.join('\n')}\n`);
  const out = join(dir, 'm');
  execFileSync('fasttext', [
    'supervised',
    '-input',
    train,
    '-output',
    out,
    '-loss',
    'hs',
    '-minn',
    '2',
    '-maxn',
    '4',
    '-wordNgrams',
    '2',
    '-bucket',
    '20000',
    '-dim',
    '12',
    '-epoch',
    '5',
    '-thread',
    '1',
    '-verbose',
    '0',
  ]);
  execFileSync('fasttext', ['quantize', '-input', train, '-output', out, '-qnorm', '-cutoff', '500', '-dsub', '2', '-verbose', '0']);
  const queries = ['the café of scholars', 'click here für über deals', 'schön groß und nicht', 'naïve résumé über alles', 'unknownword another'];
  for (const file of [`${out}.bin`, `${out}.ftz`]) {
    const ours = FastTextClassifier.load(file).predictMany(queries, 3);
    const theirs = debianPredict(file, queries, 3);
    queries.forEach((q, i) => {
      assert.equal(ours[i]!.length, theirs[i]!.length, `${file}: ${q}`);
      theirs[i]!.forEach(([label, prob], j) => {
        assert.equal(ours[i]![j]!.label, label, `${file}: ${q}`);
        assert.ok(Math.abs(ours[i]![j]!.prob - prob) < 1e-5, `${file}: ${q}: ${ours[i]![j]!.prob} vs ${prob}`);
      });
    });
  }
});
