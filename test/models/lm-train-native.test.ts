/**
 * The native LM trainer (`corpusmill lm train`) against the TypeScript reference trainer: both train
 * on the same documents and the ARPA files must be the same bytes (so perplexities and buckets
 * cannot change), on real multilingual text, with context-dependent lines (Σ), literal `<s>`/`</s>`
 * tokens, Unicode whitespace, orders 1 to 5, the llama2 tokenizer, and the committed sample model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArpa } from '../../src/models/ngram/arpa.js';
import { trainLm, trainLmArpa } from '../../src/models/ngram/train.js';
import { textNative } from '../../src/native/addons.js';
import { paragraph, rng } from '../../scripts/sample/rng.js';
import { repoRoot, runCli } from '../helpers.js';
import { multilingualLines, samples } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lm-native-'));

function jsonl(name: string, texts: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, texts.map((text) => `${JSON.stringify({ text })}\n`).join(''));
  return path;
}

/** Real text: a Gutenberg book, Wikipedia wikitext and multilingual web lines, plus edge lines. */
function corpus(): string[] {
  const book = readFileSync(join(samples, 'gutenberg', 'pg84-modern-2020s-header.txt'), 'utf8').split(/\r?\n\r?\n/);
  const wiki = readdirSync(join(samples, 'wikipedia', 'wikitext-wtf_wikipedia')).map((f) => readFileSync(join(samples, 'wikipedia', 'wikitext-wtf_wikipedia', f), 'utf8'));
  const edge = [
    'ΟΔΥΣΣΕΥΣ ΚΑΙ ΠΗΝΕΛΟΠΗΣ: Σ at the end of a word lower-cases to ς',
    'tokens that look like markers: a <s> b </s> c <unk> d',
    'x\u00a0y\u3000z\u2028w\ufeffv',
    '\ufeff',
    '   ',
    'Ünïcödé — “quoted” ３ digits ٣٤٥ and 𝟘𝟙 and 한국어 텍스트',
  ];
  const docs: string[] = [];
  for (let i = 0; i < book.length; i += 6) docs.push(book.slice(i, i + 6).join('\n'));
  docs.push(...wiki, multilingualLines(40).join('\n'), edge.join('\n'), '');
  return docs;
}

async function bothWays(input: string, order: number, tokenizer: string): Promise<[Buffer, Buffer]> {
  const ref = await trainLm([input], { order, tokenizer });
  const refPath = join(tmp, `ref-${order}-${tokenizer}.arpa`);
  await writeArpa(ref.model, refPath);
  const natPath = join(tmp, `native-${order}-${tokenizer}.arpa`);
  const nat = await trainLmArpa([input], natPath, { order, tokenizer });
  assert.equal(nat.sentences, ref.sentences);
  assert.equal(nat.tokens, ref.tokens);
  assert.deepEqual(
    nat.ngrams,
    ref.model.grams.map((g) => g.size),
  );
  assert.deepEqual(nat.discounts, ref.discounts);
  return [readFileSync(natPath), readFileSync(refPath)];
}

test('native and TypeScript trainers write the same ARPA bytes, orders 1 to 5, whitespace tokens', async () => {
  const input = jsonl('corpus.jsonl', corpus());
  for (const order of [1, 2, 3, 5]) {
    const [nat, ref] = await bothWays(input, order, 'whitespace');
    assert.ok(ref.length > 10_000);
    assert.ok(nat.equals(ref), `order ${order}: the files differ`);
  }
});

test('native and TypeScript trainers agree with the llama2 tokenizer (token ids as words)', async () => {
  const input = jsonl('llama.jsonl', corpus().slice(0, 40));
  const [nat, ref] = await bothWays(input, 3, 'llama2');
  assert.ok(nat.equals(ref));
});

test('no document at all: the same (tiny) model both ways', async () => {
  const [nat, ref] = await bothWays(jsonl('empty.jsonl', []), 3, 'whitespace');
  assert.ok(nat.equals(ref));
  assert.match(nat.toString(), /^-99\t<s>$/m);
});

test('the committed sample model is what the native trainer writes from the sample text', async () => {
  // scripts/sample/web-models.ts: 300 seeded paragraphs, order 3, whitespace tokens.
  const r = rng(21);
  const input = jsonl(
    'sample-wiki.jsonl',
    Array.from({ length: 300 }, () => paragraph(r, 3)),
  );
  const out = join(tmp, 'sample-lm.arpa');
  await trainLmArpa([input], out, { order: 3, tokenizer: 'whitespace' });
  assert.ok(readFileSync(out).equals(readFileSync(join(repoRoot, 'samples', 'models', 'sample-lm.arpa'))));
});

test('ARPA numbers print as Number(x.toPrecision(7)).toString(), ties away from zero included', () => {
  const { arpaNumbers } = textNative<{ arpaNumbers(xs: Float64Array): string }>();
  const xs = [0, 2 ** -11, -(2 ** -11), 0.5, -99, 1e-7, -1.234567e-7, -4.5e-9, 9.9999995, 123456.75, 999999.95, -2.5, 1 / 3, 1e-15, 3e-17, 5e21];
  const r = rng(3);
  for (let i = 0; i < 20000; i++) xs.push(-(10 ** (r() * 20 - 17)));
  for (let i = 0; i < 20000; i++) xs.push(Math.round(r() * 1e8) / 2 ** Math.floor(r() * 30));
  const got = arpaNumbers(Float64Array.from(xs)).split('\n');
  for (const [i, x] of xs.entries()) assert.equal(got[i], x === 0 ? '0' : Number(x.toPrecision(7)).toString(), `x = ${x}`);
});

test('corpusmill lm train writes the native model and reports its n-gram counts', async () => {
  const input = jsonl('cli.jsonl', corpus().slice(0, 30));
  const out = join(tmp, 'cli.arpa');
  const res = await runCli(['lm', 'train', '--order', '4', '--out', out, '--json', input]);
  assert.equal(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { ngrams: number[]; docs: number };
  const ref = await trainLm([input], { order: 4, tokenizer: 'whitespace' });
  const refPath = join(tmp, 'cli-ref.arpa');
  await writeArpa(ref.model, refPath);
  assert.deepEqual(
    summary.ngrams,
    ref.model.grams.map((g) => g.size),
  );
  assert.equal(summary.docs, 30);
  assert.ok(readFileSync(out).equals(readFileSync(refPath)));
});
