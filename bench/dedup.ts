/**
 * `npm run bench:dedup`: throughput of the quality signals and MinHash signatures through their steps
 * (MB of UTF-8 text per CPU-second of one core — the unit of src/pipeline/rates.ts — so a busy shared
 * machine does not distort them much), each next to the same
 * definitions run in Python by the reference scripts of test/dedup (RPv2's algorithms; RedPajama's own
 * package needs its full environment), and the clustering (band-bucket merge + union-find + survivors)
 * of synthetic documents, with time and memory.
 *
 * Env: BENCH_DOCS (synthetic documents, default 1,000,000), BENCH_REPEAT (passes over the sample text,
 * default 8), BENCH_SKIP_PY=1 to skip the Python comparisons.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '../src/core/document.js';
import { qualitySignalsStep } from '../src/filters/signals/step.js';
import { minhashDedupDef, minhashDedupStep } from '../src/dedup/minhash/step.js';
import { stepEnv, taskContext } from '../src/pipeline/standalone.js';
import { stepRateOf } from '../src/pipeline/rates.js';
import { formatCluster, runClusterBench } from './cluster.js';
import { sampleTexts } from '../test/dedup/samples.js';
import { repoRoot } from '../test/helpers.js';

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
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

// Documents as a build's tasks see them, and a step run over all of them, CPU-timed.
const docs: Doc[] = texts.map((text, i) => ({ id: `bench/${i}`, text, source: 'commoncrawl', meta: {} }));
async function* each(list: Doc[]): AsyncGenerator<Doc> {
  yield* list;
}
const benchDir = mkdtempSync(join(tmpdir(), 'cm-bench-dedup-'));
let runs = 0;
const stepCtx = () => taskContext({ stateDir: join(benchDir, String(runs++)) });

// ---- quality signals, through the quality_signals step ------------------------------------------------
{
  const step = await qualitySignalsStep.create(qualitySignalsStep.params.parse({}), stepEnv({ stateDir: tmpdir() }));
  const run = async () => {
    for await (const _ of step.run(each(docs), stepCtx()));
  };
  await run(); // warm-up
  const t0 = cpu();
  for (let k = 0; k < repeat; k++) await run();
  const ours = (mb * repeat) / (cpu() - t0);
  let py = NaN;
  if (!process.env.BENCH_SKIP_PY) {
    const input = `${texts.map((text) => JSON.stringify({ text, lang: 'en', stopwords: join(repoRoot, 'src', 'filters', 'signals', 'data', 'stopwords.json') })).join('\n')}\n`;
    py = mb / pythonCpu(join(repoRoot, 'test', 'filters', 'reference', 'rpv2_reference.py'), [], input);
  }
  rows.push(['quality signals (all rps_ signals), through the step', `${ours.toFixed(1)} MB/s`, `${py.toFixed(2)} MB/s`, `${(ours / py).toFixed(1)}×`]);
}

// ---- MinHash signatures, through the minhash_dedup step's signatures pass ----------------------------
{
  const params = minhashDedupDef.params.parse({});
  const run = async () => {
    const scan = minhashDedupStep(params).passes![0]!;
    if (scan.kind !== 'scan') throw new Error('expected the signatures scan');
    const ctx = stepCtx();
    await scan.scan(each(docs), ctx);
    rmSync(ctx.state.dir, { recursive: true, force: true });
  };
  await run(); // warm-up
  const t0 = cpu();
  for (let k = 0; k < repeat; k++) await run();
  const ours = (mb * repeat) / (cpu() - t0);
  let py = NaN;
  if (!process.env.BENCH_SKIP_PY) {
    const input = `${texts.map((text) => JSON.stringify({ text })).join('\n')}\n`;
    py = mb / pythonCpu(join(repoRoot, 'test', 'dedup', 'minhash_reference.py'), ['128'], input);
  }
  rows.push(['MinHash signatures (128 perms, 13-grams), through the step', `${ours.toFixed(1)} MB/s`, `${py.toFixed(2)} MB/s`, `${(ours / py).toFixed(1)}×`]);
}

rmSync(benchDir, { recursive: true, force: true });

// ---- clustering of synthetic documents (bench/cluster.ts; `npm run bench:cluster` runs 10 million) ----
const cluster = runClusterBench(Number(process.env.BENCH_DOCS ?? 1_000_000));

const head = ['what', 'corpusmill (per core)', 'Python, same definitions', 'ratio'];
console.log(`sample text: ${mb.toFixed(2)} MB × ${repeat}\n`);
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\n${formatCluster(cluster)}`);
console.log(`\nrates.ts: quality_signals ${stepRateOf('quality_signals')}, minhash_dedup ${stepRateOf('minhash_dedup')} MB per CPU-second`);
