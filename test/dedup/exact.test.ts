/** Exact dedup: planted copies across tasks and sources are found; the lowest (source, id) survives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { exactDedupStep } from '../../src/dedup/exact.js';
import { runStep } from '../../src/pipeline/standalone.js';
import { sampleTexts } from './samples.js';

function corpus(): Doc[][] {
  const texts = sampleTexts().slice(0, 30);
  const c4: Doc[] = texts.slice(0, 15).map((text, i) => ({ id: `c4/a.json/${i}`, source: 'c4', text, meta: { url: `https://x/${i}` } }));
  const cc: Doc[] = texts.slice(15).map((text, i) => ({ id: `commoncrawl/b.json/${i}`, source: 'commoncrawl', text, meta: { url: `https://y/${i}` } }));
  // Planted: an exact copy of c4/0 in commoncrawl (c4 < commoncrawl: the c4 one survives), a copy of
  // commoncrawl/3 in another commoncrawl task, and a triple of c4/5 within c4 under other ids.
  cc.push({ id: 'commoncrawl/b.json/100', source: 'commoncrawl', text: c4[0]!.text, meta: { url: 'https://y/100' } });
  const cc2: Doc[] = [{ id: 'commoncrawl/c.json/0', source: 'commoncrawl', text: cc[3]!.text, meta: { url: 'https://x/1' } }];
  c4.push({ id: 'c4/a.json/99', source: 'c4', text: c4[5]!.text, meta: {} }, { id: 'c4/a.json/100', source: 'c4', text: c4[5]!.text, meta: {} });
  return [c4, cc, cc2];
}

test('exact dedup on the text: planted copies dropped, lowest (source, id) kept, reasons recorded', async () => {
  // ids compare in natural order: 'c4/a.json/5' < 'c4/a.json/99' < 'c4/a.json/100'.
  const dir = mkdtempSync(join(tmpdir(), 'cm-exact-'));
  try {
    const r = await runStep(exactDedupStep({ key: 'text', buckets: 4 }), corpus(), { stateDir: dir });
    const dropped = r.dropped.map((d) => [d.doc.id, d.reason, (d.doc.meta.dedup as { duplicate_of: string }).duplicate_of]).sort();
    assert.deepEqual(dropped, [
      ['c4/a.json/100', 'duplicate', 'c4/a.json/5'],
      ['c4/a.json/99', 'duplicate', 'c4/a.json/5'],
      ['commoncrawl/b.json/100', 'duplicate', 'c4/a.json/0'],
      ['commoncrawl/c.json/0', 'duplicate', 'commoncrawl/b.json/3'],
    ]);
    const kept = r.kept.flat();
    assert.equal(kept.length, 30 + 4 - 4);
    const surv = kept.find((d) => d.id === 'c4/a.json/5')!;
    assert.deepEqual(surv.meta.dedup, { cluster_id: 'c4/a.json/5', cluster_size: 3 });
    assert.equal(r.stats.counts.clusters, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exact dedup on a meta key; documents without the key pass through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-exact-'));
  try {
    const r = await runStep(exactDedupStep({ key: 'meta.url', buckets: 3 }), corpus(), { stateDir: dir });
    assert.deepEqual(
      r.dropped.map((d) => [d.doc.id, (d.doc.meta.dedup as { duplicate_of: string }).duplicate_of]),
      [['commoncrawl/c.json/0', 'c4/a.json/1']],
    );
    assert.equal(r.stats.counts.no_key, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('natural order of ids: digit runs by value', async () => {
  const { compareNatural } = await import('../../src/dedup/survivor.js');
  const ids = ['c/f/100', 'c/f/5', 'c/f/@20', 'c/f/@3', 'c/f/05', 'c/g/1', 'c/f/99'];
  assert.deepEqual([...ids].sort(compareNatural), ['c/f/05', 'c/f/5', 'c/f/99', 'c/f/100', 'c/f/@3', 'c/f/@20', 'c/g/1']);
});

test('normalized_text key: copies differing only in case, punctuation and spacing are duplicates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-exact-'));
  try {
    const docs: Doc[] = [
      { id: 'x/f/1', source: 'x', text: 'Hello, World!  This is   a TEST.', meta: {} },
      { id: 'x/f/2', source: 'x', text: 'hello world this is a test', meta: {} },
      { id: 'x/f/3', source: 'x', text: 'hello world this is another test', meta: {} },
    ];
    const raw = await runStep(exactDedupStep({ key: 'text', buckets: 2 }), [docs], { stateDir: dir });
    assert.equal(raw.dropped.length, 0);
    const norm = await runStep(exactDedupStep({ key: 'normalized_text', buckets: 2 }), [docs], { stateDir: dir });
    assert.deepEqual(
      norm.dropped.map((d) => [d.doc.id, (d.doc.meta.dedup as { duplicate_of: string }).duplicate_of]),
      [['x/f/2', 'x/f/1']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same (source, id) twice in a task: the first copy survives, the second is dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-exact-'));
  try {
    const docs: Doc[] = [
      { id: 'x/f/1', source: 'x', text: 'same', meta: {} },
      { id: 'x/f/1', source: 'x', text: 'same', meta: {} },
    ];
    const r = await runStep(exactDedupStep({ key: 'text', buckets: 1 }), [docs], { stateDir: dir });
    assert.equal(r.kept[0]!.length, 1);
    assert.equal(r.dropped.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
