/**
 * `npm run bench:dedup`: throughput of the quality signals and MinHash signatures (MB of UTF-8 text per
 * CPU-second of one core, so a busy shared machine does not distort them much), each next to the same
 * definitions run in Python by the reference scripts of test/dedup (RPv2's algorithms; RedPajama's own
 * package needs its full environment), and the clustering (band-bucket merge + union-find + survivors)
 * of synthetic documents, with time and memory.
 *
 * Env: BENCH_DOCS (synthetic documents, default 1,000,000), BENCH_REPEAT (passes over the sample text,
 * default 8), BENCH_SKIP_PY=1 to skip the Python comparisons, BENCH_HEAP_MB to cap the clustering
 * process's V8 old space.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeSignals, RPV2_SIGNALS } from '../src/filters/signals/signals.js';
import { TextViews } from '../src/text/rpv2-views.js';
import { stopWords } from '../src/filters/signals/stopwords.js';
import { MinHasher } from '../src/dedup/minhash/signature.js';
import { BandRunWriter } from '../src/dedup/minhash/bands.js';
import { AtomicLineFile } from '../src/io/atomic.js';
import { rankName } from '../src/dedup/survivor.js';
import { sampleTexts } from '../test/dedup/samples.js';
import { repoRoot } from '../test/helpers.js';

const cpu = () => process.cpuUsage().user / 1e6;
const repeat = Number(process.env.BENCH_REPEAT ?? 8);
const texts = sampleTexts();
const mb = texts.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6;
const rows: string[][] = [];

function pythonCpu(script: string, args: string[], input: string): number {
  const res = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `import time,sys,runpy,io\nsys.argv=[${JSON.stringify(script)}]+${JSON.stringify(args)}\nout=io.StringIO();real=sys.stdout;sys.stdout=out\nt=time.process_time()\nrunpy.run_path(${JSON.stringify(script)}, run_name='__main__')\nsys.stdout=real\nprint(time.process_time()-t)`,
    ],
    { input, maxBuffer: 1 << 30 },
  );
  return Number(res.toString().trim().split('\n').pop());
}

// ---- quality signals -------------------------------------------------------------------------------
{
  const env = { stopWords: stopWords('en') };
  for (const t of texts) computeSignals(new TextViews(t), env); // warm-up
  const t0 = cpu();
  for (let k = 0; k < repeat; k++) for (const t of texts) computeSignals(new TextViews(t), env, RPV2_SIGNALS);
  const ours = (mb * repeat) / (cpu() - t0);
  let py = NaN;
  if (!process.env.BENCH_SKIP_PY) {
    const input = `${texts.map((text) => JSON.stringify({ text, lang: 'en', stopwords: join(repoRoot, 'src', 'filters', 'signals', 'data', 'stopwords.json') })).join('\n')}\n`;
    py = mb / pythonCpu(join(repoRoot, 'test', 'filters', 'reference', 'rpv2_reference.py'), [], input);
  }
  rows.push(['quality signals (all rps_ signals)', `${ours.toFixed(1)} MB/s`, `${py.toFixed(2)} MB/s`, `${(ours / py).toFixed(1)}×`]);
}

// ---- MinHash signatures ----------------------------------------------------------------------------
{
  const mh = new MinHasher({ perms: 128, ngram: 13 });
  mh.signatures(texts); // warm-up
  const t0 = cpu();
  for (let k = 0; k < repeat; k++) mh.signatures(texts);
  const ours = (mb * repeat) / (cpu() - t0);
  let py = NaN;
  if (!process.env.BENCH_SKIP_PY) {
    const input = `${texts.map((text) => JSON.stringify({ text })).join('\n')}\n`;
    py = mb / pythonCpu(join(repoRoot, 'test', 'dedup', 'minhash_reference.py'), ['128'], input);
  }
  rows.push(['MinHash signatures (128 perms, 13-grams)', `${ours.toFixed(1)} MB/s`, `${py.toFixed(2)} MB/s`, `${(ours / py).toFixed(1)}×`]);
}

// ---- clustering of synthetic documents ---------------------------------------------------------------
{
  const docs = Number(process.env.BENCH_DOCS ?? 1_000_000);
  const tasks = 4;
  const perms = 128;
  const [bands, rows_] = [9, 13];
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-dedup-'));
  try {
    // Scan output as the signatures pass writes it: 10% of documents are copies of another one
    // (clusters of 2–5), the rest random signatures.
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const sig = new Uint32Array(perms);
    const per = Math.ceil(docs / tasks);
    let planted = 0;
    const t0 = Date.now();
    for (let r = 0; r < tasks; r++) {
      const n = Math.min(per, docs - r * per);
      const runs = new BandRunWriter(dir, r, bands, 1 << 20);
      const keys = new AtomicLineFile(join(dir, `keys-r${rankName(r)}.jsonl`));
      let copyLeft = 0;
      for (let i = 0; i < n; i++) {
        if (copyLeft > 0) {
          copyLeft--;
          planted++;
          sig[rand() % perms] = rand(); // a near copy: one value differs, most bands still match
        } else {
          for (let p = 0; p < perms; p++) sig[p] = rand();
          if (rand() % 100 < 4) copyLeft = 1 + (rand() % 4);
        }
        await keys.write(`["c4","c4/synthetic.jsonl/${r * per + i}"]`);
        runs.add(sig, 0, rows_, i);
      }
      runs.spill();
      await keys.commit();
      writeFileSync(join(dir, `count-r${rankName(r)}.json`), JSON.stringify({ docs: n }));
    }
    const genSec = (Date.now() - t0) / 1000;
    // The reduce passes run in a child process so its peak RSS is theirs alone.
    // BENCH_HEAP_MB caps the child's V8 old space, to show the live set (not lazy GC) bounds memory.
    const heap = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_HEAP_MB}`] : [];
    const child = execFileSync(process.execPath, [...heap, '--import', 'tsx', join(repoRoot, 'bench', 'dedup-cluster.ts'), dir, String(bands), String(perms)], {
      cwd: repoRoot,
    });
    const c = JSON.parse(child.toString().trim().split('\n').pop()!) as {
      bucketsSec: number;
      componentsSec: number;
      bucketsCpu: number;
      componentsCpu: number;
      rssStart: number;
      maxRss: number;
      maxRssBuckets: number;
      clusters: number;
      duplicates: number;
    };
    rows.push([
      `clustering ${docs.toLocaleString('en')} synthetic docs (${planted.toLocaleString('en')} near copies → ${c.duplicates.toLocaleString('en')} removed in ${c.clusters.toLocaleString('en')} clusters)`,
      `buckets ${c.bucketsCpu.toFixed(1)} CPU-s (${c.bucketsSec.toFixed(1)} s wall; ${bands} band tasks, one after another here) + union-find/survivors ${c.componentsCpu.toFixed(1)} CPU-s (${c.componentsSec.toFixed(1)} s wall)`,
      `(scan-side band runs written in ${genSec.toFixed(1)} s)`,
      `peak RSS ${((c.maxRss - c.rssStart) / 1e6).toFixed(0)} MB above the process start (${((c.maxRssBuckets - c.rssStart) / 1e6).toFixed(0)} MB by the end of the bucket tasks)`,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const head = ['what', 'corpusmill (per core)', 'Python, same definitions', 'ratio'];
console.log(`sample text: ${mb.toFixed(2)} MB × ${repeat}\n`);
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
