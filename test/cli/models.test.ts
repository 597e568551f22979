import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArpa } from '../../src/models/ngram/arpa.js';
import { FastTextClassifier } from '../../src/models/fasttext.js';
import { samples } from '../models/helpers.js';
import { repoRoot } from '../helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'web-models-cli-'));
const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot }).toString();

test('lm train writes an ARPA model of the requested order from JSONL documents', async () => {
  const input = join(tmp, 'wiki.jsonl');
  const paras = readFileSync(join(samples, 'gutenberg', 'pg42.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .slice(20, 220);
  writeFileSync(input, `${paras.map((t) => JSON.stringify({ text: t })).join('\n')}\n`);
  const out = join(tmp, 'lm.arpa');
  const summary = JSON.parse(cli(['lm', 'train', '--order', '4', '--out', out, '--json', input])) as { order: number; docs: number; ngrams: number[] };
  assert.equal(summary.order, 4);
  assert.equal(summary.docs, 200);
  const model = await readArpa(out);
  assert.equal(model.order, 4);
  assert.deepEqual(
    model.grams.map((g) => g.size),
    summary.ngrams,
  );
});

test('classifier refs + train: cited CommonCrawl pages become positives of a model the step can load', () => {
  const wikitext = join(tmp, 'wikitext.jsonl');
  const cited = Array.from({ length: 12 }, (_, i) => `https://cited${i}.example.org/article`);
  writeFileSync(wikitext, `${JSON.stringify({ text: `Intro.${cited.map((u) => `<ref>{{cite web |url=${u} |title=x}}</ref>`).join(' ')}` })}\n`);
  const urls = join(tmp, 'urls.txt');
  const refs = JSON.parse(cli(['classifier', 'refs', '--out', urls, '--json', wikitext])) as { urls: number };
  assert.equal(refs.urls, 12);
  assert.deepEqual(readFileSync(urls, 'utf8').trim().split('\n'), cited);

  const book = readFileSync(join(samples, 'gutenberg', 'pg84-modern-2020s-header.txt'), 'utf8')
    .split(/\r?\n\r?\n/)
    .filter((p) => p.length > 300);
  const cc = join(tmp, 'cc.jsonl');
  const docs = [
    ...cited.map((url, i) => ({ text: book[i]!, meta: { url } })),
    ...Array.from({ length: 40 }, (_, i) => ({ text: `Buy cheap item ${i} now! Free shipping. Click here. `.repeat(8), meta: { url: `https://shop.example.com/${i}` } })),
  ];
  writeFileSync(cc, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
  const model = join(tmp, 'wikiref.bin');
  const args = ['classifier', 'train', '--urls', urls, '--out', model, '--min-positive-chars', '200', '--epochs', '20', '--lr', '0.5', '--bucket', '4096', '--json', cc];
  const summary = JSON.parse(cli(args)) as { positives: number; negatives: number };
  assert.deepEqual([summary.positives, summary.negatives], [12, 12]);
  const first = readFileSync(model);
  cli(args);
  assert.ok(first.equals(readFileSync(model)), 'same seed, same bytes');
  const clf = FastTextClassifier.load(model);
  assert.deepEqual([...clf.labels].sort(), ['cc', 'wiki']);
});

test('classifier train without any cited page is a usage error (exit 2) naming the URL file', () => {
  const urls = join(tmp, 'none.txt');
  writeFileSync(urls, 'https://nowhere.example.com/\n');
  const cc = join(tmp, 'cc2.jsonl');
  writeFileSync(cc, `${JSON.stringify({ text: 'x'.repeat(2000), meta: { url: 'https://a.example.com/' } })}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'classifier', 'train', '--urls', urls, '--out', join(tmp, 'm.bin'), cc], {
    cwd: repoRoot,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /none\.txt/);
});
