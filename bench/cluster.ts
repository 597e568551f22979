/**
 * `npm run bench:cluster`: MinHash clustering at corpus scale on synthetic scan output — the band
 * runs, keys and counts the signatures pass would write for BENCH_DOCS documents (default 10
 * million) over 8 scan tasks, 9 bands — then the reduce passes in a child process, task by task
 * (bench/dedup-cluster.ts), with each pass's CPU time and the largest peak memory of one of its tasks.
 * About 10% of documents are near copies of a random earlier one (one band in 9 differs), so
 * clusters span tasks and shards; the others have random band keys. The child runs with a 1 MB
 * young generation, so peaks show what a task holds rather than garbage not yet collected. Env: BENCH_DOCS, BENCH_SHARDS (default 16),
 * BENCH_KEEP=1 keeps the folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BandRunWriter } from '../src/dedup/minhash/bands.js';
import { rankName } from '../src/dedup/survivor.js';
import { AtomicFile } from '../src/io/atomic.js';
import { repoRoot } from '../test/helpers.js';

export interface ClusterResult {
  docs: number;
  planted: number;
  genSec: number;
  shards: number;
  passes: Array<{ pass: string; tasks: number; cpu: number; peak: number }>;
  counts: Record<string, number>;
}

/** A 32-bit mix of (seed, k): the band values of a synthetic document. */
function mix(seed: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/**
 * Writes the synthetic scan output for `docs` documents into `dir`; returns the near copies planted.
 * A document's band values come from its seed; a near copy takes the seed of a random earlier
 * document (anywhere in the corpus, so clusters span tasks and shards) with one band redrawn.
 */
function writeScanOutput(dir: string, docs: number, tasks: number, bands: number, rows: number): number {
  let state = 12345;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  const seeds = new Uint32Array(docs);
  const sig = new Uint32Array(bands * rows);
  const per = Math.ceil(docs / tasks);
  let planted = 0;
  for (let r = 0; r < tasks; r++) {
    const n = Math.max(0, Math.min(per, docs - r * per));
    const runs = new BandRunWriter(dir, r, bands, 1 << 20);
    const keys = new AtomicFile(join(dir, `keys-r${rankName(r)}.jsonl`), { createEmpty: true, bufferBytes: 1 << 20 });
    for (let i = 0; i < n; i++) {
      const g = r * per + i;
      let redraw = -1;
      if (g > 0 && rand() % 100 < 10) {
        seeds[g] = seeds[rand() % g]!;
        redraw = rand() % bands;
        planted++;
      } else seeds[g] = rand();
      for (let b = 0; b < bands; b++) {
        const seed = b === redraw ? rand() : seeds[g]!;
        for (let k = 0; k < rows; k++) sig[b * rows + k] = mix(seed, b * rows + k);
      }
      keys.writeString(`["commoncrawl","commoncrawl/synthetic.jsonl/${g}"]\n`);
      runs.add(sig, 0, rows, i);
    }
    runs.spill();
    keys.commit();
    writeFileSync(join(dir, `count-r${rankName(r)}.json`), JSON.stringify({ docs: n }));
  }
  return planted;
}

export function runClusterBench(docs: number, shards = 16): ClusterResult {
  const bands = 9;
  const perms = 128;
  const rows = 13;
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-cluster-'));
  try {
    const t0 = Date.now();
    const planted = writeScanOutput(dir, docs, 8, bands, rows);
    const genSec = (Date.now() - t0) / 1000;
    // One process per pass, so memory one pass freed does not hide the next one's peak.
    const r: Pick<ClusterResult, 'passes' | 'counts'> = { passes: [], counts: {} };
    for (const pass of ['buckets', 'local', 'cross', 'roots', 'labels', 'survivors']) {
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--max-semi-space-size=1', '--import', 'tsx', join(repoRoot, 'bench', 'dedup-cluster.ts'), dir, String(bands), String(perms), String(shards), pass],
        { cwd: repoRoot, maxBuffer: 1 << 24 },
      );
      const one = JSON.parse(out.toString().trim().split('\n').pop()!) as Pick<ClusterResult, 'passes' | 'counts'>;
      r.passes.push(...one.passes);
      Object.assign(r.counts, one.counts);
    }
    return { docs, planted, genSec, shards, ...r };
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export function formatCluster(r: ClusterResult): string {
  const lines = [
    `clustering ${r.docs.toLocaleString('en')} documents in ${r.shards} shards (${r.planted.toLocaleString('en')} near copies planted → ${(r.counts.duplicates ?? 0).toLocaleString('en')} removed in ${(r.counts.clusters ?? 0).toLocaleString('en')} clusters; scan output written in ${r.genSec.toFixed(0)} s)`,
    '',
    '| pass | tasks | CPU-s | largest task peak memory | per document of its shard |',
    '|---|---:|---:|---:|---:|',
  ];
  const perShard = Math.ceil(r.docs / r.shards);
  for (const p of r.passes) {
    const perDoc = p.pass === 'buckets' || p.pass === 'roots' ? '–' : `${(p.peak / perShard).toFixed(1)} B`;
    // buckets: one task per band (a merge of that band's runs); roots: one task over the roots of cross-shard components.
    lines.push(`| ${p.pass} | ${p.tasks} | ${p.cpu.toFixed(1)} | ${(p.peak / 1e6).toFixed(1)} MB | ${perDoc} |`);
  }
  const total = r.passes.reduce((a, p) => a + p.cpu, 0);
  lines.push(
    '',
    `total ${total.toFixed(1)} CPU-s; the roots pass holds only the local roots of components that span shards (${(r.counts.cross_shard_roots ?? 0).toLocaleString('en')} here)`,
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = runClusterBench(Number(process.env.BENCH_DOCS ?? 10_000_000), Number(process.env.BENCH_SHARDS ?? 16));
  console.log(formatCluster(r));
}
