/**
 * quality_classifier and `corpusmill classifier train --positive/--negative`: deterministic
 * training in DCLM's recipe with a held-out evaluation, scores in meta, keep by threshold or by the
 * stage's top fraction (the same documents whatever the task split), FineWeb-Edu-style expected
 * scores over numeric labels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { rng } from '../../src/core/rng.js';
import { cutoffFromHistogram, qualityClassifierStepDef } from '../../src/filters/quality-classifier.js';
import { FastTextClassifier } from '../../src/models/fasttext.js';
import { trainLinearClassifier } from '../../src/models/fasttext-train.js';
import { classifierInput } from '../../src/models/wikiref/corpus.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

/** Novel paragraphs (test/data/decontam) as the positive class. */
function novelParagraphs(): string[] {
  return ['frankenstein-letters-ch5.txt', 'study-in-scarlet-ch1-3.txt']
    .flatMap((f) => readFileSync(join(repoRoot, 'test', 'data', 'decontam', f), 'utf8').split(/\n\s*\n/))
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.split(' ').length >= 30);
}

const SPAM = [
  'Click here to claim your prize',
  'Best deals on cheap watches',
  'Free shipping on all orders today only',
  'Sign up now and get 50% off',
  'Hot singles in your area',
  'Buy followers fast and cheap',
  'Limited time offer, act now',
  'Login | Register | Cart (0)',
  'Casino bonus no deposit required',
  'Lose weight fast with this one trick',
];

/** Seeded web junk as the negative class. */
function spamPages(n: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 4 + Math.floor(r() * 6) }, () => SPAM[Math.floor(r() * SPAM.length)]).join('! '));
}

const jsonl = (path: string, texts: string[], prefix: string) => writeFileSync(path, `${texts.map((text, i) => JSON.stringify({ id: `${prefix}/${i}`, text })).join('\n')}\n`);
const doc = (id: string, text: string): Doc => ({ id, text, source: 'web', meta: {} });

test('classifier train --positive/--negative: balanced, deterministic, evaluated on held-out documents', async () => {
  const dir = tempDir();
  const novel = novelParagraphs();
  jsonl(join(dir, 'pos.jsonl'), novel, 'pos');
  jsonl(join(dir, 'neg.jsonl'), spamPages(400, 3), 'neg');
  const args = [
    'classifier',
    'train',
    '--positive',
    join(dir, 'pos.jsonl'),
    '--negative',
    join(dir, 'neg.jsonl'),
    '--out',
    join(dir, 'q.bin'),
    '--epochs',
    '10',
    '--lr',
    '0.5',
    '--bucket',
    '16384',
    '--holdout',
    '0.2',
    '--json',
  ];
  const a = await runCli(args);
  assert.equal(a.code, 0, a.stderr);
  const summary = JSON.parse(a.stdout) as { positives: number; negatives: number; labels: string[]; heldout: { documents: number; accuracy: number } };
  assert.equal(summary.positives, summary.negatives, 'balanced classes');
  assert.ok(summary.positives > 100 && summary.positives < novel.length, `${summary.positives} positives`);
  assert.deepEqual([...summary.labels].sort(), ['cc', 'hq']);
  assert.ok(summary.heldout.documents >= 40 && summary.heldout.accuracy >= 0.95, JSON.stringify(summary.heldout));
  const first = readFileSync(join(dir, 'q.bin'));
  const b = await runCli(args);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(first.equals(readFileSync(join(dir, 'q.bin'))), 'same inputs and seed, same model bytes');
  const c = await runCli([...args.slice(0, -1), '--seed', '2', '--json']);
  assert.ok(!first.equals(readFileSync(join(dir, 'q.bin'))), 'another seed, another model');
  assert.equal(c.code, 0);
  const bad = await runCli(['classifier', 'train', '--positive', join(dir, 'pos.jsonl'), '--out', join(dir, 'x.bin')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--negative/);
  // Negatives of the wrong shape (the text under another field): one line naming the class, the files and the first bad record; the flood of warnings is capped.
  writeFileSync(
    join(dir, 'wrong.jsonl'),
    `${spamPages(50, 4)
      .map((body, i) => JSON.stringify({ id: i, post: { body } }))
      .join('\n')}\n`,
  );
  const wrong = await runCli(['classifier', 'train', '--positive', join(dir, 'pos.jsonl'), '--negative', join(dir, 'wrong.jsonl'), '--out', join(dir, 'w.bin')]);
  assert.equal(wrong.code, 2);
  const last = wrong.stderr.trim().split('\n').at(-1)!;
  assert.match(last, /no --negative documents read from .*wrong\.jsonl \(50 records skipped; the first: .*wrong\.jsonl: line 1: bad_document/);
  assert.ok(wrong.stderr.trim().split('\n').length < 20, wrong.stderr);
});

/** A model trained here (not through the CLI), and documents it has not seen. */
function modelAndDocs(dir: string): { model: string; docs: Doc[] } {
  const novel = novelParagraphs();
  const spam = spamPages(200, 5);
  const examples = [...novel.slice(0, 120).map((text) => ({ label: 'hq', text: classifierInput(text) })), ...spam.slice(0, 120).map((text) => ({ label: 'cc', text }))];
  const model = join(dir, 'hq.bin');
  writeFileSync(model, trainLinearClassifier(examples, { dim: 8, bucket: 4096, epochs: 10, lr: 0.5, seed: 4 }).bytes);
  const docs = [...novel.slice(120, 160).map((t, i) => doc(`novel/${i}`, t)), ...spam.slice(120, 160).map((t, i) => doc(`spam/${i}`, t))];
  return { model, docs };
}

test('scores go to meta with DCLM’s formula; a threshold keeps the positive side', async () => {
  const dir = tempDir();
  const { model, docs } = modelAndDocs(dir);
  const ft = FastTextClassifier.load(model);
  const r = await runStepDef(qualityClassifierStepDef, { model, threshold: 0.5 }, [docs], { stateDir: join(dir, 's') });
  const kept = r.kept.flat();
  assert.ok(kept.every((d) => d.id.startsWith('novel/')) && kept.length >= 38, `kept ${kept.length}`);
  assert.ok(r.dropped.every((d) => d.doc.id.startsWith('spam/') && d.reason === 'quality_below_threshold') && r.dropped.length >= 38);
  for (const d of [...kept, ...r.dropped.map((x) => x.doc)]) {
    const [top] = ft.predict(classifierInput(d.text), 1);
    const want = top!.label === 'hq' ? top!.prob : 1 - top!.prob;
    assert.equal(d.meta.quality_score, want);
  }
  await assert.rejects(runStepDef(qualityClassifierStepDef, { model, positive_label: 'wiki', threshold: 0.5 }, [docs], { stateDir: join(dir, 's2') }), /no label "wiki"/);
  assert.throws(() => qualityClassifierStepDef.params.parse({ model, threshold: 0.5, top_fraction: 0.1 }), /not both/);
});

test('top_fraction keeps the highest-scoring share of the stage, the same documents whatever the task split', async () => {
  const dir = tempDir();
  const { model, docs } = modelAndDocs(dir);
  const all = await runStepDef(qualityClassifierStepDef, { model }, [docs], { stateDir: join(dir, 'all') });
  assert.equal(all.kept.flat().length, docs.length, 'no threshold: annotate only');
  const byScore = all.kept.flat().sort((a, b) => (b.meta.quality_score as number) - (a.meta.quality_score as number));
  const want = new Set(byScore.slice(0, 20).map((d) => d.id));
  const one = await runStepDef(qualityClassifierStepDef, { model, top_fraction: 0.25 }, [docs], { stateDir: join(dir, 'one') });
  const split = await runStepDef(
    qualityClassifierStepDef,
    { model, top_fraction: 0.25 },
    [docs.filter((_, i) => i % 3 === 0), docs.filter((_, i) => i % 3 === 1), docs.filter((_, i) => i % 3 === 2)],
    { stateDir: join(dir, 'three') },
  );
  assert.deepEqual(new Set(one.kept.flat().map((d) => d.id)), want);
  assert.deepEqual(new Set(split.kept.flat().map((d) => d.id)), want);
  assert.ok(split.dropped.every((d) => d.reason === 'quality_below_top_fraction'));
  const cutoff = JSON.parse(readFileSync(join(dir, 'three', 'cutoff.json'), 'utf8')) as { documents: number; kept: number };
  assert.deepEqual([cutoff.documents, cutoff.kept], [80, 20]);
});

test('ties at the cutoff are all kept', () => {
  const hist = new Map([
    [900, 3],
    [500, 4],
    [100, 3],
  ]);
  assert.deepEqual(cutoffFromHistogram(hist, 0.3), { cutoff: 900, total: 10, kept: 3 });
  assert.deepEqual(cutoffFromHistogram(hist, 0.4), { cutoff: 500, total: 10, kept: 7 });
  assert.deepEqual(cutoffFromHistogram(hist, 1), { cutoff: 100, total: 10, kept: 10 });
});

test('score: expected over numeric labels (FineWeb-Edu style)', async () => {
  const dir = tempDir();
  const novel = novelParagraphs();
  const spam = spamPages(60, 9);
  const examples = [
    ...novel.slice(0, 60).map((text) => ({ label: '3', text: classifierInput(text) })),
    ...spam.slice(0, 60).map((text) => ({ label: '0', text })),
    ...spam.slice(0, 30).map((text, i) => ({ label: '1', text: `${text} ${novel[60 + i]!.split(' ').slice(0, 12).join(' ')}` })),
  ];
  const model = join(dir, 'edu.bin');
  writeFileSync(model, trainLinearClassifier(examples, { dim: 8, bucket: 4096, epochs: 10, lr: 0.5, seed: 2 }).bytes);
  const docs = [doc('novel', novel[100]!), doc('spam', spam[59]!)];
  const r = await runStepDef(qualityClassifierStepDef, { model, score: 'expected', key: 'edu_score', threshold: 1.5 }, [docs], { stateDir: join(dir, 's') });
  const ft = FastTextClassifier.load(model);
  const expected = (t: string) => ft.predict(classifierInput(t), 3).reduce((s, p) => s + p.prob * Number(p.label), 0);
  assert.deepEqual(
    r.kept.flat().map((d) => d.id),
    ['novel'],
  );
  assert.ok((r.kept.flat()[0]!.meta.edu_score as number) > 2.5);
  assert.equal(r.kept.flat()[0]!.meta.edu_score, expected(novel[100]!));
  assert.ok((r.dropped[0]!.doc.meta.edu_score as number) < 0.5);
  await assert.rejects(runStepDef(qualityClassifierStepDef, { model: join(dir, 'hq-missing.bin') }, [docs], { stateDir: join(dir, 's2') }), /not found/);
});
