/**
 * paragraph_dedup: boilerplate lines repeated across documents are kept once, in the lowest
 * (source, id) document, whatever the task split; paragraphs, normalised keys, short units and
 * documents that become empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { paragraphDedupDef, removeUnits, splitUnits } from '../../src/dedup/paragraph.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import { tempDir } from '../helpers.js';

const doc = (id: string, text: string, source = 'web'): Doc => ({ id, text, source, meta: {} });

const NAV = 'Home | News | Sport | Weather | Contact';
const COOKIE = 'We use cookies to improve your experience. By continuing you accept our cookie policy.';
const FOOTER = '© 2024 Riverside Gazette. All rights reserved.';

function corpus(): Doc[] {
  return [
    doc('gazette/10', `${NAV}\nCouncil approves the new bridge\nThe council voted 7-2 on Tuesday to fund the footbridge.\n${COOKIE}\n${FOOTER}`),
    doc('gazette/2', `${NAV}\nLibrary extends opening hours\nFrom March the library opens until 9 pm on weekdays.\n${FOOTER}\n${FOOTER}`),
    doc('gazette/33', `${NAV}\nRiver festival returns\nBoats, music and food stalls line the quay this weekend.\n${COOKIE}\n${FOOTER}\n`),
    doc('blog/1', `My week in photos\n${COOKIE}\nI finally visited the river festival.`, 'blog'),
    doc('gazette/40', `${NAV}\n${COOKIE}\n${FOOTER}`),
  ];
}

const texts = (docs: Doc[][]) => Object.fromEntries(docs.flat().map((d) => [d.id, d.text]));

test('units cover the text exactly; removing units takes their separators, and the last unit keeps none', () => {
  const t = 'a\nb\n\nc\nd';
  assert.deepEqual(
    splitUnits(t, 'line').map((u) => t.slice(u.start, u.end)),
    ['a', 'b', '', 'c', 'd'],
  );
  assert.deepEqual(
    splitUnits(t, 'paragraph').map((u) => t.slice(u.start, u.end)),
    ['a\nb', 'c\nd'],
  );
  assert.equal(removeUnits(t, splitUnits(t, 'line'), new Set([1])), 'a\n\nc\nd');
  assert.equal(removeUnits(t, splitUnits(t, 'line'), new Set([4])), 'a\nb\n\nc');
  assert.equal(removeUnits('x\ny\n', splitUnits('x\ny\n', 'line'), new Set([1])), 'x\n');
  assert.equal(removeUnits(t, splitUnits(t, 'paragraph'), new Set([0])), 'c\nd');
});

test('repeated lines are kept once, in the lowest (source, id) document; the task split does not matter', async () => {
  const dir = tempDir();
  const docs = corpus();
  const one = await runStepDef(paragraphDedupDef, { buckets: 3 }, [docs], { stateDir: join(dir, 'one') });
  const three = await runStepDef(paragraphDedupDef, { buckets: 5 }, [[docs[0]!, docs[3]!], [docs[1]!], [docs[2]!, docs[4]!]], { stateDir: join(dir, 'three') });
  // Survivors: 'blog' < 'web' (source first), then natural id order gazette/2 < gazette/10 < gazette/33 < gazette/40.
  const want = {
    'blog/1': `My week in photos\n${COOKIE}\nI finally visited the river festival.`,
    'gazette/2': `${NAV}\nLibrary extends opening hours\nFrom March the library opens until 9 pm on weekdays.\n${FOOTER}`,
    'gazette/10': 'Council approves the new bridge\nThe council voted 7-2 on Tuesday to fund the footbridge.',
    'gazette/33': 'River festival returns\nBoats, music and food stalls line the quay this weekend.\n',
  };
  assert.deepEqual(texts(one.kept), want);
  assert.deepEqual(texts(three.kept), want);
  assert.deepEqual(
    one.dropped.map((d) => [d.doc.id, d.reason, d.doc.text]),
    [['gazette/40', 'all_paragraphs_duplicate', `${NAV}\n${COOKIE}\n${FOOTER}`]],
  );
  // gazette/2 loses its second footer; gazette/10 three lines, gazette/33 three, gazette/40 all three.
  assert.equal(one.stats.counts.units_removed, 1 + 3 + 3 + 3);
  assert.deepEqual(one.kept.flat().find((d) => d.id === 'gazette/10')!.meta.paragraph_dedup, { removed: 3, units: 5 });
  assert.equal(one.stats.counts.repeated_units, 3);
});

test('paragraph units, normalised keys and the min_chars floor', async () => {
  const dir = tempDir();
  const docs = [doc('a', 'Intro to a.\n\nShare this article!\nFollow us.\n\nOk.'), doc('b', 'Intro to b.\n\nshare THIS article\nfollow us\n\nOk.')];
  const exact = await runStepDef(paragraphDedupDef, { unit: 'paragraph' }, [docs], { stateDir: join(dir, 'e') });
  assert.deepEqual(texts(exact.kept), { a: docs[0]!.text, b: 'Intro to b.\n\nshare THIS article\nfollow us' });
  const norm = await runStepDef(paragraphDedupDef, { unit: 'paragraph', key: 'normalized' }, [docs], { stateDir: join(dir, 'n') });
  assert.deepEqual(texts(norm.kept), { a: docs[0]!.text, b: 'Intro to b.' });
  const floor = await runStepDef(paragraphDedupDef, { unit: 'paragraph', key: 'normalized', min_chars: 4 }, [docs], { stateDir: join(dir, 'f') });
  assert.deepEqual(texts(floor.kept), { a: docs[0]!.text, b: 'Intro to b.\n\nOk.' });
});

test('drop_empty: false keeps a document whose every line repeats, with what is left', async () => {
  const dir = tempDir();
  const r = await runStepDef(paragraphDedupDef, { drop_empty: false }, [[doc('1', 'x\ny'), doc('2', 'y\nx')]], { stateDir: join(dir, 's') });
  assert.deepEqual(texts(r.kept), { '1': 'x\ny', '2': '' });
  assert.equal(r.dropped.length, 0);
});
