/** MinHash-LSH dedup finds planted near-duplicates, keeps the lowest (source, id), whatever the task split. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { minhashDedupStep, bandsRows } from '../../src/dedup/minhash/step.js';
import { runStep } from '../../src/pipeline/standalone.js';
import { plantedCorpus, score } from './planted.js';

const defaults = { threshold: 0.8, perms: 128, ngram: 13, jaccard_check: false, batch: 64, run_records: 1 << 20, shards: 16 };

function split(docs: Doc[], tasks: number): Doc[][] {
  const out: Doc[][] = Array.from({ length: tasks }, () => []);
  for (const [i, d] of docs.entries()) out[i % tasks]!.push(d);
  return out;
}

async function run(docs: Doc[], tasks: number, extra: Partial<typeof defaults> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cm-minhash-'));
  try {
    return await runStep(minhashDedupStep({ ...defaults, ...extra }), split(docs, tasks), { stateDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('RPv2 bands × rows by threshold', () => {
  assert.deepEqual(bandsRows({ threshold: 0.7, perms: 128 }), [14, 9]);
  assert.deepEqual(bandsRows({ threshold: 0.8, perms: 128 }), [9, 13]);
  assert.deepEqual(bandsRows({ threshold: 0.9, perms: 128 }), [5, 25]);
});

test('planted near-duplicates are found with full precision; originals survive with cluster ids', async () => {
  const { docs, truth } = plantedCorpus();
  assert.ok(truth.size >= 20, `planted ${truth.size}`);
  const r = await run(docs, 3);
  const removed = r.dropped.map((d) => ({ id: d.doc.id, duplicateOf: (d.doc.meta.dedup as { duplicate_of: string }).duplicate_of }));
  const s = score(removed, truth);
  console.log(`minhash planted: ${truth.size} pairs, removed ${removed.length}, precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}`);
  assert.equal(s.precision, 1);
  assert.ok(s.recall >= 0.9, `recall ${s.recall}`);
  for (const d of r.dropped) assert.equal(d.reason, 'duplicate');
  const kept = r.kept.flat();
  for (const [vid, orig] of truth) {
    if (!removed.some((x) => x.id === vid)) continue;
    const o = kept.find((d) => d.id === orig)!;
    assert.deepEqual(o.meta.dedup, { cluster_id: orig, cluster_size: 2 });
  }
});

test('same result with one task or four, and with the signature Jaccard check', async () => {
  const { docs } = plantedCorpus();
  const view = (r: Awaited<ReturnType<typeof run>>) =>
    JSON.stringify({
      kept: r.kept
        .flat()
        .map((d) => [d.id, d.meta.dedup ?? null])
        .sort(),
      dropped: r.dropped.map((d) => [d.doc.id, d.doc.meta.dedup]).sort(),
    });
  const one = await run(docs, 1, { shards: 1 });
  const four = await run(docs, 4, { run_records: 7 });
  assert.equal(view(one), view(four));
  const checked = await run(docs, 2, { jaccard_check: true, shards: 5 });
  assert.equal(view(one), view(checked));
});

test('components that span shards: a chain of near copies is one cluster whatever the shard count', async () => {
  // Page k+1 is page k with one of its 400 words changed: neighbours are near copies (Jaccard of
  // 13-word shingles about 0.94), pages far apart in the chain are not, so the chain holds only
  // through its links, and the links fall in different shards.
  let x = 7;
  const rand = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  let words = Array.from({ length: 400 }, () => `w${rand() % 5000}`);
  const chain: Doc[] = [];
  for (let k = 0; k < 12; k++) {
    chain.push({ id: `chain/${k}`, text: words.join(' '), source: 'c4', meta: {} });
    words = [...words];
    words[(k * 37) % 400] = `changed${k}`;
  }
  const { docs } = plantedCorpus();
  // The chain's pages spread over the corpus, every fifth document.
  const all = [...docs];
  for (const [k, d] of chain.entries()) all.splice(Math.min(all.length, k * 5 + 3), 0, d);
  const results = [];
  for (const shards of [1, 3, 16]) {
    const r = await run(all, 3, { shards });
    const chainMarks = [...r.kept.flat(), ...r.dropped.map((d) => d.doc)].filter((d) => d.id.startsWith('chain/')).map((d) => d.meta.dedup);
    assert.equal(chainMarks.length, 12);
    for (const m of chainMarks) assert.deepEqual({ ...(m as object), duplicate_of: undefined }, { cluster_id: 'chain/0', cluster_size: 12, duplicate_of: undefined });
    results.push(JSON.stringify([r.kept.flat().map((d) => [d.id, d.meta.dedup ?? null]), r.dropped.map((d) => [d.doc.id, d.doc.meta.dedup])]));
  }
  assert.equal(results[1], results[0]);
  assert.equal(results[2], results[0]);
});
