/**
 * The shared I/O mechanics on synthetic inputs, in one process: the MinHash band-run merge, the
 * StackExchange grouping's external sort (in memory and spilling), JSON-lines reading, and line
 * splitting of one very long line. CPU seconds (user + system), best of BENCH_REPEAT (default 3);
 * BENCH_ONLY=<text> runs only the cases whose name contains it.
 *
 * With BENCH_BASELINE=<folder holding an older `src/`> each row also runs that tree's code on the same
 * inputs and checks it gives the same result. The folder must sit inside the repository (its imports
 * resolve node_modules from there), e.g.:
 *   mkdir -p .baseline && git archive <commit> src | tar -x -C .baseline
 *   BENCH_BASELINE=.baseline node --import tsx bench/io-mechanics.ts
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compress } from 'zstd-napi';
import { paragraph, rng } from '../scripts/sample/rng.js';

const repeat = Number(process.env.BENCH_REPEAT ?? 3);
/** Run only the cases whose name contains this. */
const only = process.env.BENCH_ONLY;
const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const here = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-iomech-'));
const rows: string[][] = [];

type Tree = { root: string; label: string };
const trees: Tree[] = [{ root: here, label: 'this tree' }, ...(baseline ? [{ root: baseline, label: 'baseline' }] : [])];
const load = (t: Tree, mod: string) => import(pathToFileURL(join(t.root, 'src', mod)).href);

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best CPU time of `repeat` runs per tree, runs of the trees interleaved; results must agree. */
async function measure(name: string, run: (t: Tree) => Promise<string>): Promise<void> {
  if (only && !name.includes(only)) return;
  const best = trees.map(() => Infinity);
  const results = trees.map(() => '');
  for (let k = 0; k < repeat; k++) {
    for (let i = 0; i < trees.length; i++) {
      const t0 = cpu();
      results[i] = await run(trees[i]!);
      best[i] = Math.min(best[i]!, cpu() - t0);
    }
  }
  if (results.some((r) => r !== results[0])) throw new Error(`${name}: results differ: ${results.join(' vs ')}`);
  const row = [name, `${best[0]!.toFixed(2)} s`];
  if (baseline) row.push(`${best[1]!.toFixed(2)} s`, `${(best[1]! / best[0]!).toFixed(2)}×`);
  rows.push(row);
  console.error(row.join('  '));
}

// ---- MinHash band runs: 16 sorted runs of 250k 12-byte records, keys from a pool (many groups) -------
{
  const runs: Array<{ path: string; base: number }> = [];
  const r = rng(1);
  const n = 250_000;
  const { sortRecords } = await load(trees[0]!, 'dedup/minhash/bands.ts');
  for (let k = 0; k < 16; k++) {
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const doc = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const key = Math.floor(r() * 3_000_000);
      hi[i] = key >>> 8;
      lo[i] = Math.imul(key, 0x9e3779b1) >>> 0;
      doc[i] = i;
    }
    const [h, l, d] = sortRecords(hi, lo, doc) as [Uint32Array, Uint32Array, Uint32Array];
    const buf = Buffer.allocUnsafe(n * 12);
    for (let i = 0; i < n; i++) {
      buf.writeUInt32LE(h[i]!, i * 12);
      buf.writeUInt32LE(l[i]!, i * 12 + 4);
      buf.writeUInt32LE(d[i]!, i * 12 + 8);
    }
    const path = join(dir, `band-${k}.bin`);
    writeFileSync(path, buf);
    runs.push({ path, base: k * n });
  }
  await measure('minhash: merge 16 band runs × 250k records', async (t) => {
    const { mergeBandRuns } = await load(t, 'dedup/minhash/bands.ts');
    let groups = 0;
    let sum = 0;
    for (const g of mergeBandRuns(runs) as Iterable<number[]>) {
      groups++;
      for (const x of g) sum = (sum + x * groups) % 1_000_000_007;
    }
    return `${groups}/${sum}`;
  });
}

// ---- StackExchange grouping: the reduce pass over 2 scan tasks' partition files ----------------------
{
  const r = rng(2);
  const recs: string[][] = [[], []];
  let id = 1;
  for (let q = 0; q < 40_000; q++) {
    const qid = id++;
    const site = q % 3 === 0 ? 'a.stackexchange.com' : 'b.stackexchange.com';
    const posts: unknown[][] = [[site, qid, 0, Math.floor(r() * 50) - 5, qid, paragraph(r, 3), true, '2020-01-01T00:00:00Z', 'f.7z']];
    const answers = Math.floor(r() * 5);
    for (let a = 0; a < answers; a++) {
      const aid = id++;
      posts.push([site, qid, 1, Math.floor(r() * 50) - 5, aid, paragraph(r, 2), false, null, 'f.7z']);
    }
    for (const p of posts) recs[Math.floor(r() * 2)]!.push(`${JSON.stringify(p)}\n`);
  }
  const state = join(dir, 'se-state');
  for (const rank of [0, 1]) {
    mkdirSync(join(state, 'runs', String(rank)), { recursive: true });
    writeFileSync(join(state, 'runs', String(rank), 'p0.jsonl'), recs[rank]!.join(''));
  }
  mkdirSync(join(state, 'tasks'), { recursive: true });
  for (const rank of [0, 1]) writeFileSync(join(state, 'tasks', `${rank}.json`), JSON.stringify({ source: 'stackexchange', posts: recs[rank]!.length, worldSize: 2 }));
  const mb = recs.flat().reduce((a, l) => a + l.length, 0) / 1e6;
  for (const memory_mb of [1024, 8]) {
    await measure(`stackexchange_group: reduce ${mb.toFixed(0)} MB of posts, memory_mb ${memory_mb}`, async (t) => {
      const { stackexchangeGroupStep } = await load(t, 'sources/stackexchange/group.ts');
      const step = stackexchangeGroupStep.create(stackexchangeGroupStep.params.parse({ partitions: 1, memory_mb }), {} as never);
      const pass = step.passes.find((p: { kind: string }) => p.kind === 'reduce');
      const counts: Record<string, number> = {};
      const noop = () => {};
      const log = { info: noop, warn: noop, debug: noop, error: noop };
      await pass.reduce({
        rank: 0,
        worldSize: 1,
        stage: 's',
        source: '',
        stats: {},
        log,
        stateDir: state,
        drop: noop,
        count: (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n),
      });
      return `${createHash('sha256')
        .update(readFileSync(join(state, 'grouped', 'p0.jsonl')))
        .digest('hex')
        .slice(0, 16)}/${counts.questions_grouped}`;
    });
  }
}

// ---- JSON lines: readShard over ~64 MB, whole (plain and zstd) and in 4 byte ranges ------------------
{
  const r = rng(3);
  const lines: string[] = [];
  let size = 0;
  while (size < 64e6) {
    const l = JSON.stringify({ text: paragraph(r, 6), meta: { n: lines.length } });
    lines.push(l);
    size += l.length + 1;
  }
  const body = Buffer.from(`${lines.join('\n')}\n`);
  const plain = join(dir, 'docs.jsonl');
  const zst = join(dir, 'docs.jsonl.zst');
  writeFileSync(plain, body);
  writeFileSync(zst, compress(body));
  const { byteRanges } = await import('../src/io/byte-ranges.js');
  const digest = async (t: Tree, path: string, ranges?: Array<{ start: number; end: number }>) => {
    const { readShard } = await load(t, 'io/shards.ts');
    let n = 0;
    let chars = 0;
    for (const range of ranges ?? [undefined]) {
      for await (const d of readShard(path, { source: 'x', range }) as AsyncIterable<{ text: string }>) {
        n++;
        chars += d.text.length;
      }
    }
    return `${n}/${chars}`;
  };
  await measure('readShard: 64 MB .jsonl', (t) => digest(t, plain));
  await measure('readShard: 64 MB .jsonl in 4 byte ranges', (t) => digest(t, plain, byteRanges(body.length, Math.ceil(body.length / 4))));
  await measure('readShard: 64 MB .jsonl.zst', (t) => digest(t, zst));
}

// ---- One 32 MB line arriving in 64 KiB chunks (gunzip's chunk size) ----------------------------------
{
  const line = Buffer.alloc(32 << 20, 0x61);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let off = 0; off < line.length; off += 1 << 16) yield line.subarray(off, off + (1 << 16));
  }
  await measure('splitLines: one 32 MB line in 64 KiB chunks', async (t) => {
    const { splitLines } = await load(t, 'io/lines.ts');
    let n = 0;
    for await (const l of splitLines(chunks()) as AsyncIterable<{ bytes: Buffer }>) n += l.bytes.length;
    return String(n);
  });
}

rmSync(dir, { recursive: true, force: true });
const header = baseline ? ['case', 'this tree (CPU)', 'baseline (CPU)', 'speed-up'] : ['case', 'CPU'];
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
