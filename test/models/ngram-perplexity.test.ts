import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNgramScorer, readArpa, writeArpa, UNK, BOS, EOS } from '../../src/models/ngram/arpa.js';
import { repoRoot as repoRootForSample } from '../helpers.js';
import { adjustedCounts, estimateKneserNey, knDiscounts, NgramCounter } from '../../src/models/ngram/kneser-ney.js';
import { trainLm } from '../../src/models/ngram/train.js';
import { lmTokenizer, whitespaceTokenizer } from '../../src/models/ngram/lm-tokenizer.js';
import { ccnetNormalize } from '../../src/text/ccnet-normalize.js';
import { bucketOf, documentPerplexity, percentile, perplexityFromScore, perplexityStep, referencePerplexity } from '../../src/filters/ccnet/perplexity.js';
import { pythonRound } from '../../src/core/rounding.js';
import type { Doc } from '../../src/core/document.js';
import { multilingualLines, samples } from './helpers.js';
import { runStep } from './run-step.js';

const fixtures = join(import.meta.dirname, 'reference');
const tmp = mkdtempSync(join(tmpdir(), 'lm-'));

function tinyCorpus(): NgramCounter {
  const c = new NgramCounter(2);
  for (const s of ['a b', 'a c', 'b']) c.addSentence(s.split(' '));
  return c;
}

test('KN adjusted counts on a hand-worked corpus: continuation counts below the top order, raw counts after <s>', () => {
  // Sentences: <s> a b </s> | <s> a c </s> | <s> b </s>
  const [uni, bi] = adjustedCounts(tinyCorpus());
  // a is preceded only by <s>; b by a and <s>; c by a; </s> by b and c; <s> keeps its raw count 3.
  assert.deepEqual(Object.fromEntries([...uni!].sort()), { '</s>': 2, '<s>': 3, a: 1, b: 2, c: 1 });
  assert.deepEqual(Object.fromEntries([...bi!].sort()), { '<s> a': 2, '<s> b': 1, 'a b': 1, 'a c': 1, 'b </s>': 2, 'c </s>': 1 });
});

test('KN discounts follow Chen & Goodman from counts-of-counts, with lmplz fallback for tiny corpora', () => {
  // t = (10, 5, 3, 2): Y = 10/20 = 0.5; D1 = 1 - 2*0.5*5/10 = 0.5; D2 = 2 - 3*0.5*3/5 = 1.1; D3 = 3 - 4*0.5*2/3 = 5/3.
  const { d, fallback } = knDiscounts([10, 5, 3, 2]);
  assert.equal(fallback, false);
  assert.ok(Math.abs(d[0] - 0.5) < 1e-12 && Math.abs(d[1] - 1.1) < 1e-12 && Math.abs(d[2] - 5 / 3) < 1e-12);
  assert.deepEqual(knDiscounts([4, 2, 0, 0]), { d: [0.5, 1, 1.5], fallback: true });
});

test('KN probabilities on the hand-worked corpus (fallback discounts 0.5/1/1.5)', () => {
  const { model } = estimateKneserNey(tinyCorpus());
  const p = (key: string, n: number) => 10 ** model.grams[n - 1]!.get(key)!.p;
  // Unigrams: adjusted a=1,b=2,c=1,</s>=2 (sum 6); γ = (0.5*2 + 1*2)/6 = 0.5 spread over 5 words (a b c </s> <unk>).
  assert.ok(Math.abs(p('a', 1) - (0.5 / 6 + 0.1)) < 1e-6);
  assert.ok(Math.abs(p('b', 1) - (1 / 6 + 0.1)) < 1e-6);
  assert.ok(Math.abs(p(UNK, 1) - 0.1) < 1e-6);
  // After <s>: a(<s> a)=2, a(<s> b)=1, sum 3; γ(<s>) = (1 + 0.5)/3 = 0.5.
  assert.ok(Math.abs(p('<s> a', 2) - (1 / 3 + 0.5 * (0.5 / 6 + 0.1))) < 1e-6);
  assert.ok(Math.abs(10 ** model.grams[0]!.get(BOS)!.b - 0.5) < 1e-6);
  // Unseen bigram backs off: P(c | <s>) = γ(<s>) * P(c).
  assert.ok(Math.abs(10 ** model.wordLogProb([BOS], 'c') - 0.5 * (0.5 / 6 + 0.1)) < 1e-6);
});

let trainedPath = '';
async function trained(): Promise<string> {
  if (trainedPath) return trainedPath;
  const docs = join(tmp, 'wiki.jsonl');
  const book = readFileSync(join(samples, 'gutenberg', 'pg84-modern-2020s-header.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .slice(40, 700);
  writeFileSync(docs, `${book.map((t) => JSON.stringify({ text: t.replace(/\r?\n/g, ' ') })).join('\n')}\n`);
  const res = await trainLm([docs], { order: 3, tokenizer: 'whitespace' });
  assert.ok(res.sentences > 500);
  trainedPath = join(tmp, 'model.arpa');
  await writeArpa(res.model, trainedPath);
  return trainedPath;
}

test('a trained model is a normalised distribution in every context', async () => {
  const model = await readArpa(await trained());
  const vocab = [...model.grams[0]!.keys()].filter((w) => w !== BOS);
  for (const ctx of [[BOS], ['the'], ['of', 'the'], [BOS, 'i'], ['zzz-unseen']]) {
    const total = vocab.reduce((s, w) => s + 10 ** model.wordLogProb(ctx, w), 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `context ${ctx.join(' ')} sums to ${total}`);
  }
});

test('ARPA write -> read -> write round-trips byte for byte', async () => {
  const path = await trained();
  const model = await readArpa(path);
  assert.equal(model.comments.get('tokenizer'), 'whitespace');
  const again = join(tmp, 'again.arpa');
  await writeArpa(model, again);
  assert.equal(readFileSync(again, 'utf8'), readFileSync(path, 'utf8'));
  const text = readFileSync(path, 'utf8');
  assert.match(text, /\\data\\\nngram 1=\d+\nngram 2=\d+\nngram 3=\d+\n/);
  assert.match(text, /\\end\\\n$/);
});

test('perplexities equal an independent Python back-off scorer on the same ARPA file (cc_net formula)', async () => {
  const path = await trained();
  const model = await readArpa(path);
  const texts = multilingualLines(6).concat(['', 'It was on a dreary night of November.\nI beheld the accomplishment of my toils.']);
  const splitOpts = [false, true];
  const docsTokens: string[][][] = [];
  const ours: number[] = [];
  for (const split of splitOpts) {
    for (const t of texts) {
      const lines = split ? t.split('\n').map(ccnetNormalize).filter(Boolean) : [ccnetNormalize(t)];
      docsTokens.push((lines.length ? lines : ['']).map((l) => whitespaceTokenizer.tokenize(l)));
      ours.push(documentPerplexity(model, whitespaceTokenizer, t, split));
    }
  }
  const input = join(tmp, 'docs.json');
  writeFileSync(input, JSON.stringify(docsTokens));
  const out = execFileSync('/usr/bin/python3', [join(fixtures, 'arpa_score.py'), path, input])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  assert.equal(out.length, ours.length);
  for (let i = 0; i < ours.length; i++) {
    assert.equal(ours[i], pythonRound(out[i]!, 1), `doc ${i}: ${ours[i]} vs python ${out[i]}`);
  }
});

test('cc_net normalisation equals Python (strip, lower, accents, digits, punctuation, control chars)', () => {
  const inputs = multilingualLines(8).concat(['  Ünïcödé Ça VA? 123 ٣٤ “quotes” — dash… ►x\t\ttab\nnew ', '\u00a0  ', 'ＡＢＣ１２３，。', 'ΣΟΦΟΣ']);
  const path = join(tmp, 'norm.json');
  writeFileSync(path, JSON.stringify(inputs));
  const py = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, '..', 'text', 'ccnet_normalize.py'), path]).toString()) as string[];
  assert.deepEqual(inputs.map(ccnetNormalize), py);
});

test('QUIRK kept: normalisation glues lines, so a document is scored as one line by default', () => {
  assert.equal(ccnetNormalize('One line\nTwo 2'), 'one linetwo 0');
});

test('cc_net formula: pp = 10^(-log/len), rounded to 1 decimal; buckets by [head, tail) cutoffs', () => {
  assert.equal(perplexityFromScore(-6, 3), 100);
  assert.equal(bucketOf(339.9, [340, 520]), 'head');
  assert.equal(bucketOf(340, [340, 520]), 'middle');
  assert.equal(bucketOf(520, [340, 520]), 'tail');
  assert.equal(bucketOf(undefined, [340, 520]), 'all');
  assert.equal(percentile([1, 2, 3, 4, 5], 30), 2.2);
  assert.equal(percentile([10, 20], 60), 16);
});

test('perplexity step computes 30/60 percentile cutoffs over the stage and gives the same buckets whatever the task split', async () => {
  const path = await trained();
  const lines = readFileSync(join(samples, 'gutenberg', 'pg42.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .filter((p) => p.length > 80)
    .slice(0, 60);
  const docs: Doc[] = lines.map((text, i) => ({ id: `d${i}`, source: 'commoncrawl', text, meta: { language: 'en' } }));
  const one = await runStep(perplexityStep, { model: path }, [docs]);
  const three = await runStep(perplexityStep, { model: path }, [docs.slice(0, 10), docs.slice(10, 35), docs.slice(35)]);
  assert.deepEqual(readFileSync(join(one.stateDir, 'cutoffs.json'), 'utf8'), readFileSync(join(three.stateDir, 'cutoffs.json'), 'utf8'));
  assert.deepEqual(
    one.kept.map((d) => [d.id, d.meta.bucket, d.meta.perplexity]),
    three.kept.map((d) => [d.id, d.meta.bucket, d.meta.perplexity]),
  );
  // 60% of documents fall below the 60th percentile: head+middle kept, tail dropped.
  const tail = one.drops.bucket_tail ?? 0;
  assert.ok(tail >= 20 && tail <= 26, `tail ${tail}`);
  const heads = one.kept.filter((d) => d.meta.bucket === 'head').length;
  assert.ok(heads >= 16 && heads <= 20, `head ${heads}`);
  const cut = JSON.parse(readFileSync(join(one.stateDir, 'cutoffs.json'), 'utf8')) as Record<string, [number, number]>;
  const pps = one.kept.map((d) => d.meta.perplexity as number);
  assert.ok(pps.every((pp) => pp < cut['*']![1]));
  // The main pass reuses the scan pass's scores; they equal scoring the document directly.
  assert.equal(one.counts.scores_reused_from_scan, docs.length);
  assert.equal(three.counts.scores_reused_from_scan, docs.length);
  const model = await readArpa(path);
  for (const d of one.kept) assert.equal(d.meta.perplexity, documentPerplexity(model, whitespaceTokenizer, d.text, false));
});

test('perplexity step with configured cutoffs has no passes; a language without a model gets bucket "all"', async () => {
  const path = await trained();
  const docs: Doc[] = [
    { id: 'en', source: 'commoncrawl', text: 'It was on a dreary night of November that I beheld the accomplishment of my toils.', meta: { language: 'en' } },
    { id: 'de', source: 'commoncrawl', text: 'Es war in einer trüben Novembernacht.', meta: { language: 'de' } },
  ];
  const run = await runStep(perplexityStep, { model: { en: path }, cutoffs: { en: [1e9, 2e9] } }, docs);
  assert.deepEqual(
    run.kept.map((d) => [d.id, d.meta.bucket]),
    [
      ['en', 'head'],
      ['de', 'all'],
    ],
  );
  assert.equal(typeof run.kept[0]!.meta.perplexity, 'number');
  assert.equal(run.kept[1]!.meta.perplexity, undefined);
  assert.equal(existsSync(join(run.stateDir, 'cutoffs.json')), false, 'no cutoff passes ran');
});

test('EOS and BOS tokens appear once in every trained model', async () => {
  const model = await readArpa(await trained());
  assert.ok(model.grams[0]!.has(EOS) && model.grams[0]!.has(BOS) && model.grams[0]!.has(UNK));
});

test('llama2 token ids as LM words: train and score with the project tokenizer; a tokenizer mismatch is a config error', async () => {
  const docs = join(tmp, 'llama.jsonl');
  const paras = readFileSync(join(samples, 'gutenberg', 'pg84-modern-2020s-header.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .slice(40, 160);
  writeFileSync(docs, `${paras.map((t) => JSON.stringify({ text: t })).join('\n')}\n`);
  const res = await trainLm([docs], { order: 3, tokenizer: 'llama2' });
  const path = join(tmp, 'llama2.arpa');
  await writeArpa(res.model, path);
  const text = 'It was on a dreary night of November that I beheld the accomplishment of my toils.';
  const run = await runStep(perplexityStep, { model: path, tokenizer: 'llama2', cutoffs: { '*': [1e9, 2e9] } }, [{ id: 'a', source: 'commoncrawl', text, meta: {} }]);
  const tok = await lmTokenizer('llama2');
  const ids = tok.tokenize(ccnetNormalize(text));
  assert.ok(ids.length > 10 && ids.every((t) => /^\d+$/.test(t)));
  assert.equal(run.kept[0]!.meta.perplexity, documentPerplexity(await readArpa(path), tok, text, false));
  await assert.rejects(runStep(perplexityStep, { model: path, tokenizer: 'whitespace', cutoffs: { '*': [1, 2] } }, []), /trained with the "llama2" tokenizer/);
});

test('a malformed ARPA file is an error naming the file and line', async () => {
  const bad = join(tmp, 'bad.arpa');
  writeFileSync(bad, '\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\t<s>\t-0.5\n-1.0 a b c\n\\end\\\n');
  await assert.rejects(readArpa(bad), (e: Error) => e.message.includes('bad.arpa') && e.message.includes('line 6'));
  const short = join(tmp, 'short.arpa');
  writeFileSync(short, '\\data\\\nngram 1=3\n\n\\1-grams:\n-1.0\t<s>\n\\end\\\n');
  await assert.rejects(readArpa(short), /declares 3 1-grams but the file has 1/);
});

test('the native document scorer gives the TypeScript reference perplexity, both line modes, Σ handed back', async () => {
  const model = await readArpa(await trained());
  const lines = multilingualLines(40, 1);
  const docs = [lines.slice(0, 30).join('\n'), lines.slice(30, 90).join('\n'), 'ΟΔΥΣΣΕΥΣ and the sea\nsecond line', '', '\n\n', 'the the the\u3000of\u00a0the'];
  for (let i = 0; i < lines.length; i += 7) docs.push(lines.slice(i, i + 7).join('\n'));
  for (const d of docs) {
    for (const split of [false, true]) {
      assert.equal(documentPerplexity(model, whitespaceTokenizer, d, split), referencePerplexity(model, whitespaceTokenizer, d, split), JSON.stringify(d.slice(0, 80)));
    }
  }
  assert.equal(model.scoreWhitespaceDocument('ΟΔΥΣΣΕΥΣ', false), null);
  assert.notEqual(model.scoreWhitespaceDocument('the sea', false), null);
});

test("the step loads ARPA files natively with readArpa's rules: same comments, same scores, same errors", async () => {
  for (const path of [await trained(), join(repoRootForSample, 'samples', 'models', 'sample-lm.arpa')]) {
    const maps = await readArpa(path);
    const native = loadNgramScorer(path);
    assert.equal(native.order, maps.order);
    assert.deepEqual([...native.comments], [...maps.comments]);
    const lines = multilingualLines(30, 1);
    for (let i = 0; i < lines.length; i += 5) {
      const d = lines.slice(i, i + 5).join('\n');
      for (const split of [false, true]) assert.equal(documentPerplexity(native, whitespaceTokenizer, d, split), documentPerplexity(maps, whitespaceTokenizer, d, split));
      const toks = ccnetNormalize(d).split(/\s+/u).filter(Boolean);
      assert.equal(native.sentenceLogProb(toks), maps.sentenceLogProb(toks));
    }
  }
  // KenLM layout: comment lines before \data\, CRLF line ends, tabs and spaces, a duplicate n-gram (the later one wins).
  const kenlm = join(tmp, 'kenlm.arpa');
  writeFileSync(
    kenlm,
    '# tokenizer: whitespace\r\n\r\n\\data\\\r\nngram 1=4\r\nngram 2=2\r\n\r\n\\1-grams:\r\n-1.2\t<unk>\t0\r\n-99 <s> -0.3\r\n-0.7\t</s>\r\n-0.9\tthe\t-0.2\r\n\r\n\\2-grams:\r\n-0.4\t<s> the\r\n-0.1\tthe </s>\r\n-0.5\tthe </s>\r\n\r\n\\end\\\r\n',
  );
  const a = loadNgramScorer(kenlm);
  const b = await readArpa(kenlm);
  assert.equal(a.comments.get('tokenizer'), 'whitespace');
  for (const s of [['the'], ['the', 'the', 'x'], []]) assert.equal(a.sentenceLogProb(s), b.sentenceLogProb(s));
  // Errors name the file and the line, as readArpa's.
  const bad = join(tmp, 'bad-native.arpa');
  writeFileSync(bad, '\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\t<s>\t-0.5\n-1.0 a b c\n\\end\\\n');
  assert.throws(
    () => loadNgramScorer(bad),
    (e: Error) => e.message.includes('bad-native.arpa') && e.message.includes('line 6'),
  );
  const short = join(tmp, 'short-native.arpa');
  writeFileSync(short, '\\data\\\nngram 1=3\n\n\\1-grams:\n-1.0\t<s>\n\\end\\\n');
  assert.throws(() => loadNgramScorer(short), /declares 3 1-grams but the file has 1/);
  const notArpa = join(tmp, 'not.arpa');
  writeFileSync(notArpa, 'hello\n');
  assert.throws(() => loadNgramScorer(notArpa), /not an ARPA file/);
});
