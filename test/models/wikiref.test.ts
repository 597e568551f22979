import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fastTextFeatures, fastTextTokens, fastTextHash, trainLinearClassifier, type Example } from '../../src/models/fasttext-train.js';
import { FastTextClassifier } from '../../src/models/fasttext.js';
import { refUrls, unescapeXml, URL_RE } from '../../src/models/wikiref/refs.js';
import { extractReferenceUrls } from '../../src/models/wikiref/extract.js';
import { buildTrainingSet, classifierInput } from '../../src/models/wikiref/corpus.js';
import { wikiProb, wikirefClassifierStep } from '../../src/filters/ccnet/wikiref.js';
import { samples } from './helpers.js';
import { runStep } from './run-step.js';

const tmp = mkdtempSync(join(tmpdir(), 'wikiref-'));

/** Toy set from real text: novel paragraphs (Frankenstein) as `wiki`, C4 news/web lines as `cc`. */
function toyExamples(): { train: Example[]; test: Example[] } {
  const book = readFileSync(join(samples, 'gutenberg', 'pg84-modern-2020s-header.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 150)
    .slice(10, 150);
  const web: string[] = [];
  for (const f of ['olmo-c4-sample.01.json.gz', 'olmo-c4-sample.02.json.gz', 'olmo-c4-sample.03.json.gz', 'olmo-paloma-c4_100_domains_theguardian.jsonl.gz']) {
    for (const line of gunzipSync(readFileSync(join(samples, 'c4', f)))
      .toString('utf8')
      .split('\n')) {
      if (!line) continue;
      for (const para of (JSON.parse(line) as { text: string }).text.split('\n')) if (para.length > 150) web.push(para);
    }
  }
  const n = Math.min(book.length, web.length);
  const all: Example[] = [];
  for (let i = 0; i < n; i++) all.push({ label: 'wiki', text: book[i]! }, { label: 'cc', text: web[i]! });
  const cut = Math.floor(all.length * 0.75) & ~1;
  return { train: all.slice(0, cut), test: all.slice(cut) };
}

// A small data set needs a higher rate and more epochs than fastText's defaults (lr 0.1, 5 epochs) to fit.
const opts = { bucket: 1 << 14, dim: 16, epochs: 25, lr: 0.5, seed: 7 };

test('training is deterministic: same seed gives identical model bytes, another seed differs', () => {
  const { train } = toyExamples();
  const a = trainLinearClassifier(train, opts);
  const b = trainLinearClassifier(train, opts);
  assert.ok(a.bytes.equals(b.bytes));
  const c = trainLinearClassifier(train, { ...opts, seed: 8 });
  assert.ok(!a.bytes.equals(c.bytes));
});

test('the trained classifier separates a held-out toy set (novel paragraphs vs web pages)', () => {
  const { train, test: held } = toyExamples();
  assert.ok(held.length >= 20);
  const path = join(tmp, 'toy.bin');
  writeFileSync(path, trainLinearClassifier(train, opts).bytes);
  const model = FastTextClassifier.load(path);
  const correct = held.filter((e) => model.predict(classifierInput(e.text))[0]!.label === e.label).length;
  assert.ok(correct / held.length >= 0.85, `accuracy ${correct}/${held.length}`);
});

test('a trained model is a valid fastText model: Debian fasttext predicts the same labels and probabilities', () => {
  const { train, test: held } = toyExamples();
  const path = join(tmp, 'toy-parity.bin');
  writeFileSync(path, trainLinearClassifier(train, opts).bytes);
  const model = FastTextClassifier.load(path);
  const lines = held.map((e) => classifierInput(e.text));
  writeFileSync(join(tmp, 'held.txt'), `${lines.join('\n')}\n`);
  const deb = execFileSync('fasttext', ['predict-prob', path, join(tmp, 'held.txt'), '2'])
    .toString()
    .trimEnd()
    .split('\n');
  const ours = model.predictMany(lines, 2);
  for (let i = 0; i < lines.length; i++) {
    const parts = deb[i]!.split(' ');
    for (let j = 0; j < 2; j++) {
      assert.equal(`__label__${ours[i]![j]!.label}`, parts[2 * j]);
      assert.ok(Math.abs(ours[i]![j]!.prob - Number(parts[2 * j + 1])) < 1e-5, `line ${i}`);
    }
  }
});

test('training features equal the native loader features (word ids, </s>, hashed bigrams)', () => {
  const { train } = toyExamples();
  const trained = trainLinearClassifier(train, opts);
  const path = join(tmp, 'feat.bin');
  writeFileSync(path, trained.bytes);
  const model = FastTextClassifier.load(path);
  // Rebuild the vocabulary from the model's own dictionary through predictions' features.
  for (const text of ['The creature looked at me, déjà vu über alles', train[0]!.text, '']) {
    const native = Array.from(model.features(text));
    const vocabIds = native.filter((id) => id < trained.nwords);
    const tokens = fastTextTokens(text);
    // Bigram rows depend only on hashes: compare them exactly.
    const tsBigrams = fastTextFeatures(tokens, new Map(), trained.nwords, 2, opts.bucket);
    assert.deepEqual(native.slice(vocabIds.length), tsBigrams);
    assert.ok(vocabIds.length <= tokens.length);
  }
  // FNV-1a with fastText's signed-char quirk: 'é' is bytes C3 A9, sign-extended before the xor.
  assert.equal(fastTextHash('a'), 0xe40c292c);
  assert.notEqual(fastTextHash('é'), fnvUnsigned('é'));
});

function fnvUnsigned(s: string): number {
  let h = 2166136261;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

test('reference URLs: cite templates and bare URLs inside <ref>, with attributes and across lines; not outside refs', () => {
  const wikitext = [
    'See http://outside.example.com/not-a-ref for more.',
    '<ref name="a">{{cite web |url=https://example.org/page?id=1 |title=T}}</ref>',
    '<ref>Smith, [http://bare.example.net/x.html Report], 2001.</ref>',
    '<ref name=b/> and <ref group="n">',
    '{{cite news',
    ' | url = http://multi.example.com/story',
    '}}</ref> <references/>',
  ].join('\n');
  assert.deepEqual(refUrls(wikitext), ['https://example.org/page?id=1', 'http://bare.example.net/x.html', 'http://multi.example.com/story']);
  // RedPajama's URL regex stops before trailing punctuation.
  assert.deepEqual(
    [...'(see http://a.example.com/b.)'.matchAll(URL_RE)].map((m) => m[0]),
    ['http://a.example.com/b'],
  );
  assert.equal(unescapeXml('&lt;ref name=&quot;x&quot;&gt;a &amp;amp; b&lt;/ref&gt;'), '<ref name="x">a &amp; b</ref>');
});

test('QUIRK fixed: <ref name=...> references count (RedPajama`s &lt;ref&gt; pattern misses them)', () => {
  const escaped = '&lt;ref name="n1"&gt;{{cite web|url=http://named.example.org/}}&lt;/ref&gt;';
  const redpajama = /&lt;ref&gt(.*)&lt;\/ref&gt;/.exec(escaped);
  assert.equal(redpajama, null);
  assert.deepEqual(refUrls(unescapeXml(escaped)), ['http://named.example.org/']);
});

test('refs from a real enwiki dump excerpt: thousands of distinct http(s) URLs', async () => {
  const res = await extractReferenceUrls([join(samples, 'wikipedia', 'enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2')]);
  assert.ok(res.urls.length > 3000, `${res.urls.length} urls`);
  assert.equal(new Set(res.urls).size, res.urls.length);
  assert.ok(res.urls.every((u) => /^(https?|ftp|telnet|gopher|file|wais):/.test(u)));
  assert.ok(res.cited >= res.urls.length);
});

test('training set: cited URLs are positives, negatives a seeded sample independent of file order and split', async () => {
  const docs = Array.from({ length: 60 }, (_, i) => ({ text: `page ${i} `.repeat(30), meta: { url: `http://site${i}.example.com/` }, id: `cc/x/${i}` }));
  const a = join(tmp, 'a.jsonl');
  const b = join(tmp, 'b.jsonl');
  writeFileSync(
    a,
    `${docs
      .slice(0, 25)
      .map((d) => JSON.stringify(d))
      .join('\n')}\n`,
  );
  writeFileSync(
    b,
    `${docs
      .slice(25)
      .map((d) => JSON.stringify(d))
      .join('\n')}\n{bad json\n`,
  );
  const whole = join(tmp, 'whole.jsonl');
  writeFileSync(
    whole,
    `${[...docs]
      .reverse()
      .map((d) => JSON.stringify(d))
      .join('\n')}\n`,
  );
  const urls = new Set(['http://site3.example.com/', 'http://site40.example.com/', 'http://site41.example.com/', 'http://nowhere.example.com/']);
  const o = { seed: 5, negativesPerPositive: 2, minPositiveChars: 100, maxNegatives: 1000 };
  const split = await buildTrainingSet([b, a], urls, o);
  const one = await buildTrainingSet([whole], urls, o);
  assert.equal(split.positives, 3);
  assert.equal(split.negatives, 6);
  assert.equal(split.badRecords, 1);
  assert.deepEqual(
    split.examples.filter((e) => e.label === 'cc'),
    one.examples.filter((e) => e.label === 'cc'),
  );
  const other = await buildTrainingSet([whole], urls, { ...o, seed: 6 });
  assert.notDeepEqual(
    other.examples.filter((e) => e.label === 'cc'),
    one.examples.filter((e) => e.label === 'cc'),
  );
});

test('wikiref_classifier step: wiki_prob into meta, keeps wiki_prob >= 0.25, drops the rest with a reason', async () => {
  const { train, test: held } = toyExamples();
  const path = join(tmp, 'step.bin');
  writeFileSync(path, trainLinearClassifier(train, opts).bytes);
  const model = FastTextClassifier.load(path);
  const docs = held.map((e, i) => ({ id: `d${i}`, source: 'commoncrawl', text: e.text, meta: {} }));
  const run = await runStep(wikirefClassifierStep, { model: path }, docs);
  const probs = docs.map((d) => wikiProb(model, d.text, 'wiki'));
  assert.deepEqual(
    run.kept.map((d) => d.id),
    docs.filter((_, i) => probs[i]! >= 0.25).map((d) => d.id),
  );
  assert.equal(run.drops.wiki_prob_below_threshold ?? 0, probs.filter((p) => p < 0.25).length);
  assert.ok(run.kept.every((d) => typeof d.meta.wiki_prob === 'number'));
  // classify.py: wiki_prob = p for a `wiki` top label, 1 - p otherwise; the two always sum to ~1.
  const [top, second] = model.predict(classifierInput(held[0]!.text), 2);
  assert.ok(Math.abs(top!.prob + second!.prob - 1) < 1e-4);
});
