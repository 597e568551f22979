/**
 * Benchmark decontamination: the n-gram index from benchmark-like files (MMLU-, HellaSwag- and
 * SQuAD-shaped rows in test/data/decontam), drop and annotate modes, and precision / recall on the
 * labelled set of test/dedup/decont-set.ts (the numbers docs/modern.md states).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { decontaminateDef, readDecontSummary } from '../../src/dedup/decontaminate.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import { decontWords } from '../../src/text/decont-normalize.js';
import { PY_SPACE_CLASS } from '../../src/text/python.js';
import { repoRoot, tempDir } from '../helpers.js';
import { decontSet } from './decont-set.js';
import { arrow, writeTable } from '../io/parquet-reference.js';
import { readRows } from '../../src/io/rows.js';

const data = join(repoRoot, 'test', 'data', 'decontam');
const doc = (id: string, text: string): Doc => ({ id, text, source: 'web', meta: {} });

const BENCHMARKS = [
  { name: 'mmlu', files: [join(data, 'mmlu-like.jsonl')], fields: ['question', 'choices'] },
  { name: 'hellaswag', files: [join(data, 'hellaswag-like.jsonl')], fields: ['ctx', 'endings'] },
  { name: 'squad', files: [join(data, 'squad-like.json')], fields: ['context', 'question', 'answers.text'] },
];

test('words are normalised as datatrove simplify_text: case, punctuation, symbols, diacritics, digit runs', () => {
  assert.deepEqual(decontWords('  Don\u2019t PANIC -- the café\u2019s “menu” costs $12.50!\n\tÉcole 2024 '), ['dont', 'panic', 'the', 'cafes', 'menu', 'costs', '0', 'ecole', '0']);
  assert.deepEqual(decontWords(''), []);
  assert.deepEqual(decontWords(' \u00a0 '), []);
  assert.deepEqual(decontWords('emoji😀inside 🎉 𝟙𝟚 ١٢٣ a\u0000b'), ['emojiinside', '0', '0', 'a', 'b']);
});

test('the one-pass normaliser gives the words of the regex form of simplify_text on real text', () => {
  const split = new RegExp(`[${PY_SPACE_CLASS}\\x00-\\x1f\\x7f-\\x9f]+`);
  const regexForm = (t: string) =>
    t
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\p{Mn}\p{P}\p{S}]+/gu, '')
      .replace(/\p{Nd}+/gu, '0')
      .split(split)
      .filter(Boolean);
  for (const f of ['frankenstein-letters-ch5.txt', 'study-in-scarlet-ch1-3.txt', join('..', 'pii', 'labelled.txt')]) {
    const text = readFileSync(join(data, f), 'utf8');
    assert.deepEqual(decontWords(text), regexForm(text), f);
  }
});

test('the index holds each benchmark; documents quoting 13+ words of a row are dropped with the benchmark named', async () => {
  const dir = tempDir();
  const docs = [
    // MMLU: a question copied into a quiz site, reformatted.
    doc('quiz', 'Practice quiz #4\nQ: which of the following best explains why the BOILING POINT of water decreases at high altitude?\nA) lighter molecules'),
    // HellaSwag: the context running into its gold ending (a cross-field n-gram).
    doc('story', 'She then uses a spatula to move the cookies onto a wire rack so that they can cool evenly, and we all ate them.'),
    // SQuAD: the context paragraph, with the answer list field indexed too.
    doc('wiki', 'Glaciers. The snow compacts into firn and then into dense glacial ice that slowly deforms and flows under its own weight. Scientists study them.'),
    // Clean: same topic, different words; and a quote shorter than 13 words.
    doc('clean1', 'Water boils at a lower temperature on mountains because the air pressure there is lower than at sea level.'),
    doc('clean2', 'He wrote that the time complexity of building a binary heap is linear, which surprised the class.'),
  ];
  const r = await runStepDef(decontaminateDef, { benchmarks: BENCHMARKS }, [docs], { stateDir: join(dir, 'state'), pipelineDir: dir });
  assert.deepEqual(
    r.kept[0]!.map((d) => d.id),
    ['clean1', 'clean2'],
  );
  const dropped = Object.fromEntries(r.dropped.map((d) => [d.doc.id, d.doc.meta.contamination as { matches: Record<string, number>; ngrams: string[] }]));
  assert.deepEqual(Object.keys(dropped).sort(), ['quiz', 'story', 'wiki']);
  assert.deepEqual(Object.keys(dropped.quiz!.matches), ['mmlu']);
  assert.deepEqual(Object.keys(dropped.story!.matches), ['hellaswag']);
  assert.deepEqual(Object.keys(dropped.wiki!.matches), ['squad']);
  assert.equal(dropped.quiz!.ngrams[0], 'which of the following best explains why the boiling point of water decreases');
  assert.ok(r.dropped.every((d) => d.reason === 'contaminated'));
  assert.deepEqual([r.stats.counts.contaminated_mmlu, r.stats.counts.contaminated_hellaswag, r.stats.counts.contaminated_squad], [1, 1, 1]);
  // The short MMLU row ("Short one?" / "Yes" / "No") has no 13-gram: counted, not silently lost.
  const summary = readDecontSummary(join(dir, 'state'));
  assert.equal(summary.n, 13);
  assert.deepEqual(
    summary.benchmarks.map((b) => [b.name, b.rows, b.short_rows]),
    [
      ['mmlu', 5, 1],
      ['hellaswag', 3, 0],
      ['squad', 2, 0],
    ],
  );
  assert.equal(r.stats.counts.short_rows_mmlu, 1);
});

test('a benchmark in Parquet (as Hugging Face publishes MMLU) gives the same rows and the same index as its JSON lines', async () => {
  const dir = tempDir();
  const jsonl = join(data, 'mmlu-like.jsonl');
  const rows = readFileSync(jsonl, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; subject: string; choices: string[]; answer: number });
  // Written by an independent implementation (parquet-wasm), MMLU's schema, two row groups.
  const table = new arrow.Table({
    question: arrow.vectorFromArray(
      rows.map((r) => r.question),
      new arrow.Utf8(),
    ),
    subject: arrow.vectorFromArray(
      rows.map((r) => r.subject),
      new arrow.Utf8(),
    ),
    choices: arrow.vectorFromArray(
      rows.map((r) => r.choices),
      new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)),
    ),
    answer: arrow.vectorFromArray(
      rows.map((r) => BigInt(r.answer)),
      new arrow.Int64(),
    ),
  });
  const parquet = join(dir, 'test-00000-of-00001.parquet');
  writeTable(parquet, table, 'SNAPPY', 3);
  const read: unknown[] = [];
  for await (const row of readRows(parquet)) read.push(row);
  assert.deepEqual(read, rows);
  const docs = [
    doc('quiz', 'Practice quiz #4\nQ: which of the following best explains why the BOILING POINT of water decreases at high altitude?\nA) lighter molecules'),
    doc('clean', 'Water boils at a lower temperature on mountains because the air pressure there is lower than at sea level.'),
  ];
  const viaParquet = await runStepDef(decontaminateDef, { benchmarks: [{ name: 'mmlu', files: [parquet], fields: ['question', 'choices'] }] }, [docs], {
    stateDir: join(dir, 'p'),
    pipelineDir: dir,
  });
  const viaJsonl = await runStepDef(decontaminateDef, { benchmarks: [{ name: 'mmlu', files: [jsonl], fields: ['question', 'choices'] }] }, [docs], {
    stateDir: join(dir, 'j'),
    pipelineDir: dir,
  });
  assert.deepEqual(
    viaParquet.dropped.map((d) => d.doc.id),
    ['quiz'],
  );
  assert.deepEqual(
    viaJsonl.dropped.map((d) => d.doc.meta.contamination),
    viaParquet.dropped.map((d) => d.doc.meta.contamination),
  );
  assert.deepEqual(readDecontSummary(join(dir, 'p')).benchmarks, readDecontSummary(join(dir, 'j')).benchmarks);
  assert.ok(readFileSync(join(dir, 'p', 'index.bin')).equals(readFileSync(join(dir, 'j', 'index.bin'))));
});

test('annotate mode keeps documents with meta.contamination; min_matches and n are honoured', async () => {
  const dir = tempDir();
  const text = 'A boy sits on a stool holding an acoustic guitar and tunes the strings one by one. Then he plays.';
  const base = { benchmarks: [BENCHMARKS[1]!] };
  const annotated = await runStepDef(decontaminateDef, { ...base, mode: 'annotate' }, [[doc('a', text)]], { stateDir: join(dir, 's1'), pipelineDir: dir });
  assert.equal(annotated.kept[0]!.length, 1);
  const c = annotated.kept[0]![0]!.meta.contamination as { matches: Record<string, number> };
  // "a boy sits on a stool holding an acoustic guitar and tunes the strings one by one" is 17 words: 5 distinct 13-grams.
  assert.deepEqual(c.matches, { hellaswag: 5 });
  assert.equal(annotated.stats.counts.contaminated, 1);
  const strict = await runStepDef(decontaminateDef, { ...base, min_matches: 6 }, [[doc('a', text)]], { stateDir: join(dir, 's2'), pipelineDir: dir });
  assert.equal(strict.kept[0]!.length, 1);
  const long = await runStepDef(decontaminateDef, { ...base, n: 18 }, [[doc('a', text)]], { stateDir: join(dir, 's3'), pipelineDir: dir });
  assert.equal(long.kept[0]!.length, 1, 'no 18-gram in a 17-word overlap');
});

test('a missing benchmark file or an unreadable type is a configuration error naming it', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bench.csv'), 'a,b\n');
  await assert.rejects(
    runStepDef(decontaminateDef, { benchmarks: [{ name: 'x', files: ['nope.jsonl'], fields: ['q'] }] }, [[]], { stateDir: join(dir, 's'), pipelineDir: dir }),
    /nope\.jsonl not found/,
  );
  await assert.rejects(
    runStepDef(decontaminateDef, { benchmarks: [{ name: 'x', files: ['bench.csv'], fields: ['q'] }] }, [[]], { stateDir: join(dir, 's'), pipelineDir: dir }),
    /bench\.csv: no row reader/,
  );
  writeFileSync(join(dir, 'bad.jsonl'), '{"q": "fine"}\n{"q": broken\n');
  await assert.rejects(
    runStepDef(decontaminateDef, { benchmarks: [{ name: 'x', files: ['bad.jsonl'], fields: ['q'] }] }, [[]], { stateDir: join(dir, 's'), pipelineDir: dir }),
    /bad\.jsonl: line 2: malformed JSON/,
  );
});

test('labelled set: precision 1.00 and recall 0.84 at n = 13; every miss is an edited copy', async () => {
  const dir = tempDir();
  const { benchmark, docs } = decontSet();
  assert.equal(docs.length, 239);
  writeFileSync(join(dir, 'passages.jsonl'), `${benchmark.map((b) => JSON.stringify(b)).join('\n')}\n`);
  const input = docs.map((d) => doc(d.id, d.text));
  const run = (n: number, tasks: number) => {
    const split = Array.from({ length: tasks }, (_, t) => input.filter((_, i) => i % tasks === t));
    return runStepDef(decontaminateDef, { benchmarks: [{ name: 'novels', files: ['passages.jsonl'], fields: ['text'] }], n }, split, {
      stateDir: join(dir, `s${n}-${tasks}`),
      pipelineDir: dir,
    });
  };
  const measure = (dropped: Set<string>) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const missed: Record<string, number> = {};
    for (const d of docs) {
      const hit = dropped.has(d.id);
      if (hit && d.contaminated) tp++;
      else if (hit) fp++;
      else if (d.contaminated) {
        fn++;
        missed[d.category] = (missed[d.category] ?? 0) + 1;
      }
    }
    return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn), missed };
  };
  const r13 = await run(13, 3);
  const m13 = measure(new Set(r13.dropped.map((d) => d.doc.id)));
  assert.deepEqual([m13.tp, m13.fp, m13.fn], [101, 0, 19]);
  assert.deepEqual(m13.missed, { edited: 19 });
  // The same set in one task gives the same decisions (the index is per stage, not per task).
  const one = await run(13, 1);
  assert.deepEqual(new Set(one.dropped.map((d) => d.doc.id)), new Set(r13.dropped.map((d) => d.doc.id)));
  // n = 8 finds the edited copies too, and flags the 10-word quotes: the trade-off the docs describe.
  const m8 = measure(new Set((await run(8, 2)).dropped.map((d) => d.doc.id)));
  assert.deepEqual([m8.tp, m8.fp, m8.fn], [120, 20, 0]);
});
