/**
 * `npm run bench:dedup`: throughput of the quality signals and MinHash signatures (MB of UTF-8 text per
 * CPU-second of one core, so a busy shared machine does not distort them much), each next to the same
 * definitions run in Python by the reference scripts of test/dedup (RPv2's algorithms; RedPajama's own
 * package needs its full environment), and the clustering (band-bucket merge + union-find + survivors)
 * of synthetic documents, with time and memory.
 *
 * Env: BENCH_DOCS (synthetic documents, default 1,000,000), BENCH_REPEAT (passes over the sample text,
 * default 8), BENCH_SKIP_PY=1 to skip the Python comparisons.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { computeSignals, RPV2_SIGNALS } from '../src/filters/signals/signals.js';
import { TextViews } from '../src/text/rpv2-views.js';
import { stopWords } from '../src/filters/signals/stopwords.js';
import { MinHasher } from '../src/dedup/minhash/signature.js';
import { formatCluster, runClusterBench } from './cluster.js';
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

// ---- clustering of synthetic documents (bench/cluster.ts; `npm run bench:cluster` runs 10 million) ----
const cluster = runClusterBench(Number(process.env.BENCH_DOCS ?? 1_000_000));

const head = ['what', 'corpusmill (per core)', 'Python, same definitions', 'ratio'];
console.log(`sample text: ${mb.toFixed(2)} MB × ${repeat}\n`);
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\n${formatCluster(cluster)}`);
