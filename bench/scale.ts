/**
 * `npm run bench:scale`: the standard pipeline end to end through `corpusmill build` (the compiled
 * CLI, as a user runs it) at 1×, 4× and 16× a base size of generated web pages (bench/scale-corpus.ts):
 *   jsonl → normalize_text → quality_signals → quality_filter(c4, gopher) → exact_dedup → minhash_dedup,
 *   then tokenize llama2 (Megatron shards).
 * For each size it prints MB of input per CPU-second (coordinator + workers, from this process's
 * waited-for children), wall MB/s, and the peak RSS of the coordinator and of the largest worker
 * (VmHWM polled from /proc), then per-step rates in the units of src/pipeline/rates.ts next to the
 * table's figures, and which goals the run meets.
 *
 * Env: SCALE_BASE_MB (default 16), SCALE_SIZES (default 1,4,16), SCALE_WORKERS (default 2),
 * SCALE_SEED (default 1), SCALE_HEAP_MB (V8 old space of every process, default 128), SCALE_KEEP=1
 * keeps the temporary folder, SCALE_CLI another corpusmill's bin/corpusmill.js (to compare builds on
 * the same corpus).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRateOf, STEP_RATES, stepRateOf } from '../src/pipeline/rates.js';
import { writeCorpus, type CorpusStats } from './scale-corpus.js';
import { repoRoot } from '../test/helpers.js';

const baseMb = Number(process.env.SCALE_BASE_MB ?? 16);
const factors = (process.env.SCALE_SIZES ?? '1,4,16').split(',').map(Number);
const workers = Number(process.env.SCALE_WORKERS ?? 2);
const seed = Number(process.env.SCALE_SEED ?? 1);
const heapMb = Number(process.env.SCALE_HEAP_MB ?? 128);
const GOAL_MB_PER_CPU_S = 5;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ). */
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime, stime, cutime, cstime of a process, in seconds. */
function procTimes(pid: number | 'self'): number[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return [f[11], f[12], f[13], f[14]].map((x) => Number(x) / TICK);
  } catch {
    return null;
  }
}

function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface RunResult {
  cpuS: number;
  wallS: number;
  coordRss: number;
  workerRss: number;
  stats: BuildStatsFile;
}

interface StepStatsFile {
  step: string;
  docs_in: number;
  docs_out: number;
  bytes_in: number;
  time_ms: number;
  cpu_ms?: number;
}
interface BuildStatsFile {
  stages: Array<{
    name: string;
    sources: Record<string, { steps: StepStatsFile[]; output: { docs: number; text_bytes: number }; input_bytes: number; time_ms?: number; cpu_ms?: number }>;
    passes: Record<string, { tasks: number; time_ms: number; cpu_ms?: number; steps: StepStatsFile[] }>;
  }>;
}

async function runBuild(pipelineFile: string, out: string): Promise<RunResult> {
  const before = procTimes('self')!;
  const t0 = performance.now();
  // A capped old space for the coordinator and the workers: peak memory then shows what they hold,
  // not how lazily V8 collects garbage, and a build whose live memory grew with the input would fail.
  const child = spawn(
    process.execPath,
    [process.env.SCALE_CLI ?? join(repoRoot, 'bin', 'corpusmill.js'), 'build', pipelineFile, '--out', out, '--workers', String(workers), '-q'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`.trim() },
    },
  );
  let coordRss = 0;
  let workerRss = 0;
  const poll = setInterval(() => {
    if (child.pid === undefined) return;
    coordRss = Math.max(coordRss, peakRss(child.pid));
    for (const w of childrenOf(child.pid)) workerRss = Math.max(workerRss, peakRss(w));
  }, 50);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearInterval(poll);
  if (code !== 0) throw new Error(`corpusmill build exited with ${code}`);
  const after = procTimes('self')!;
  // Children's CPU (the coordinator and, through it, its waited-for workers).
  const cpuS = after[2]! + after[3]! - before[2]! - before[3]!;
  const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as BuildStatsFile;
  return { cpuS, wallS: (performance.now() - t0) / 1000, coordRss, workerRss, stats };
}

function pipelineYaml(corpus: string): string {
  return `name: scale
settings:
  keep_rejects: false
stages:
  - name: clean
    inputs:
      - source: jsonl
        urls: ["file:${corpus}"]
        source_name: commoncrawl
    steps:
      - step: normalize_text
      - step: quality_signals
      - step: quality_filter
        rules: [c4, gopher]
      - step: exact_dedup
      - step: minhash_dedup
  - name: tokenize
    inputs:
      - stage: clean
    write_documents: false
    steps:
      - step: tokenize
        tokenizer: llama2
        format: megatron
        eos: true
`;
}

function dirBytes(d: string): number {
  let n = 0;
  if (!existsSync(d)) return 0;
  for (const e of readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(d, e.name)) : statSync(join(d, e.name)).size;
  return n;
}

/**
 * Per-step MB of the step's input per CPU-second, passes included (a pass's time counts for its step,
 * `minhash_dedup.signatures` for `minhash_dedup`): each step's measured time scaled by the CPU / wall
 * ratio of the tasks it ran in (the time a worker waited for a core is not the step's cost).
 */
function stepRates(stats: BuildStatsFile): Map<string, { mb: number; cpuS: number }> {
  const acc = new Map<string, { mb: number; cpuS: number }>();
  const add = (s: StepStatsFile, ratio: number, main: boolean) => {
    const step = s.step.split('.')[0]!;
    const a = acc.get(step) ?? { mb: 0, cpuS: 0 };
    if (main) a.mb += s.bytes_in / 1e6;
    a.cpuS += (s.time_ms * ratio) / 1000;
    acc.set(step, a);
  };
  const ratio = (x: { cpu_ms?: number; time_ms?: number }) => (x.cpu_ms && x.time_ms ? Math.min(1, x.cpu_ms / x.time_ms) : 1);
  for (const st of stats.stages) {
    for (const src of Object.values(st.sources)) for (const s of src.steps) add(s, ratio(src), true);
    for (const p of Object.values(st.passes)) for (const s of p.steps) if (s.step.includes('.')) add(s, ratio(p), false);
  }
  return acc;
}

/**
 * CPU-seconds of the first stage's tasks not spent in any step (reading and parsing the input,
 * writing shards and caches): an upper bound on the read's own cost.
 */
function readCpu(stats: BuildStatsFile): number {
  const st = stats.stages[0]!;
  let cpu = 0;
  for (const src of Object.values(st.sources))
    cpu += ((src.cpu_ms ?? 0) - src.steps.reduce((a, s) => a + s.time_ms, 0) * Math.min(1, (src.cpu_ms ?? 1) / (src.time_ms ?? 1))) / 1000;
  for (const p of Object.values(st.passes)) cpu += ((p.cpu_ms ?? 0) - p.steps.reduce((a, s) => a + s.time_ms, 0) * Math.min(1, (p.cpu_ms ?? 1) / (p.time_ms || 1))) / 1000;
  return Math.max(cpu, 1e-9);
}

const dir = mkdtempSync(join(tmpdir(), 'cm-bench-scale-'));
try {
  const sizes = factors.map((f) => Math.round(f * baseMb * 1e6));
  const paths = factors.map((f) => join(dir, `corpus-${f}x.jsonl`));
  const g0 = process.cpuUsage();
  const corpora: CorpusStats[] = writeCorpus(seed, sizes, paths);
  const genCpu = (process.cpuUsage(g0).user + process.cpuUsage(g0).system) / 1e6;
  console.log(`generated ${factors.map((f, i) => `${f}× = ${(corpora[i]!.bytes / 1e6).toFixed(0)} MB (${corpora[i]!.docs} pages)`).join(', ')} in ${genCpu.toFixed(1)} CPU-s`);
  console.log(`planted in the largest: ${corpora.at(-1)!.exact} exact copies, ${corpora.at(-1)!.near} near copies, ${corpora.at(-1)!.junk} junk pages`);
  console.log(`${workers} workers, every process with a ${heapMb} MB V8 old space\n`);

  const head = ['size', 'input MB', 'CPU-s', 'MB per CPU-s', 'wall s', 'wall MB/s', 'coordinator peak RSS', 'worker peak RSS', 'docs kept', 'tokens'];
  const rows: string[][] = [];
  const results: Array<{ factor: number; mb: number; r: RunResult }> = [];
  for (const [i, f] of factors.entries()) {
    const yaml = join(dir, `scale-${f}x.yaml`);
    writeFileSync(yaml, pipelineYaml(paths[i]!));
    const out = join(dir, `out-${f}x`);
    const r = await runBuild(yaml, out);
    const mb = corpora[i]!.bytes / 1e6;
    results.push({ factor: f, mb, r });
    const clean = r.stats.stages.find((s) => s.name === 'clean')!;
    const kept = Object.values(clean.sources).reduce((a, s) => a + s.output.docs, 0);
    const tokens = dirBytes(join(out, 'tokens'));
    rows.push([
      `${f}×`,
      mb.toFixed(0),
      r.cpuS.toFixed(1),
      (mb / r.cpuS).toFixed(2),
      r.wallS.toFixed(1),
      (mb / r.wallS).toFixed(2),
      `${(r.coordRss / 1e6).toFixed(0)} MB`,
      `${(r.workerRss / 1e6).toFixed(0)} MB`,
      String(kept),
      `${(tokens / 1e6).toFixed(0)} MB of shards`,
    ]);
    console.log(`${f}×: ${(mb / r.cpuS).toFixed(2)} MB per CPU-second`);
    if (!process.env.SCALE_KEEP) rmSync(out, { recursive: true, force: true });
  }
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);

  // Per-step rates of the largest run, in the units of src/pipeline/rates.ts.
  const largest = results.at(-1)!;
  console.log(`\nper-step rates at ${largest.factor}× (MB of step input per CPU-second; rates.ts has the figures plan uses):`);
  console.log('| step | measured MB per CPU-s | rates.ts |\n|---|---:|---:|');
  for (const [step, a] of stepRates(largest.r.stats)) console.log(`| ${step} | ${(a.mb / a.cpuS).toFixed(1)} | ${STEP_RATES[step] ? stepRateOf(step) : '–'} |`);
  console.log(`| (the rest of the first stage: reading jsonl, prefix cache, writing shards) | ${(largest.mb / readCpu(largest.r.stats)).toFixed(1)} | ${readRateOf('jsonl')} |`);

  // Goals.
  const first = results[0]!;
  const costFirst = first.r.cpuS / first.mb;
  const costLast = largest.r.cpuS / largest.mb;
  const endToEnd = largest.mb / largest.r.cpuS;
  const memGrowth = Math.max(largest.r.workerRss / first.r.workerRss, largest.r.coordRss / first.r.coordRss);
  const goals: Array<[string, boolean, string]> = [
    [`≥ ${GOAL_MB_PER_CPU_S} MB per CPU-second end to end (largest size)`, endToEnd >= GOAL_MB_PER_CPU_S, `${endToEnd.toFixed(2)}`],
    [`cost per MB at ${largest.factor}× within 10% of ${first.factor}×`, costLast <= costFirst * 1.1, `${((costLast / costFirst - 1) * 100).toFixed(1)}%`],
    ['memory flat (peak RSS at the largest size within 25% of the smallest)', memGrowth <= 1.25, `×${memGrowth.toFixed(2)}`],
  ];
  console.log('\ngoals:');
  for (const [what, ok, got] of goals) console.log(`  ${ok ? 'MET    ' : 'NOT MET'} ${what}: ${got}`);
} finally {
  if (process.env.SCALE_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
