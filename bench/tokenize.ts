/**
 * Tokenizer throughput, corpusmill against its peers on the same inputs in one run. Run:
 * `npm run bench:tokenize`. Inputs (~1.5 MB each, split into ~4 KB documents):
 *   prose        Project Gutenberg books from test/data/gutenberg
 *   code         the first 1.5 MB of node_modules/typescript/lib/typescript.js
 *   multilingual de/fr/ja/ru/zh/ar/vi Wikipedia wikitext from test/data/wikipedia
 * Engines: corpusmill llama2 (1 thread and all threads, ids kept), HF tokenizers (@anush008/tokenizers,
 * the same LLaMA vocabulary as tokenizer.json), sentencepiece `spm_encode` (the same vocabulary as
 * tokenizer.model, a process per run, so it includes start-up), llama-tokenizer-js (on the first 150 KB only,
 * it is slow), and tiktoken (npm, WASM) cl100k_base as the usual yardstick (a different vocabulary).
 * corpusmill and tiktoken: best of 6 runs; the slow peers: best of 2.
 * Each engine reports wall-clock MB/s and CPU MB/s (bytes per CPU-second of all its threads; for
 * spm_encode the child's CPU time). On a shared, loaded machine wall-clock numbers mostly
 * measure the neighbours; CPU MB/s is the per-core speed. Ratios compare CPU MB/s to corpusmill 1 thread.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import llamaJs from 'llama-tokenizer-js';
import { Tokenizer as HfTokenizer } from '@anush008/tokenizers';
import { get_encoding } from 'tiktoken';
import { loadTokenizer, packDocuments } from '../src/tokenize/tokenizer.js';
import { llamaTokenizerJsData } from '../src/tokenize/models/llama2.js';
import { llamaModelProto, llamaTokenizerJson, sampleTexts, samplesDir } from '../test/tokenize/helpers.js';

const MB = 1e6;
const SIZE = 1.5 * MB;
/** Best of REPS for the fast engines (the first run also warms corpusmill's per-thread chunk cache); slow peers run twice. */
const REPS = 6;
const SLOW_REPS = 2;

function docsOf(bytes: Buffer): string[] {
  const text = new TextDecoder().decode(bytes.subarray(0, SIZE));
  const docs: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    cur += `${line}\n`;
    if (cur.length >= 4096) {
      docs.push(cur);
      cur = '';
    }
  }
  if (cur) docs.push(cur);
  return docs;
}

if (!existsSync(samplesDir)) throw new Error(`bench:tokenize needs test/data (looked in ${samplesDir})`);
const samples = sampleTexts();
const pick = (re: RegExp) => Buffer.concat(samples.filter((s) => re.test(s.name)).map((s) => s.bytes));
const inputs: Record<string, string[]> = {
  prose: docsOf(pick(/^gutenberg\/.*\.txt$/)),
  code: docsOf(readFileSync(join('node_modules', 'typescript', 'lib', 'typescript.js'))),
  multilingual: docsOf(pick(/dbpedia-minidump-(de|fr|ja|ru|zh|ar)|viwiki/)),
};

/** An engine run returns its token count and, for child processes, the child's CPU milliseconds. */
type Run = () => number | { tokens: number; cpuMs: number } | Promise<number>;

async function best(fn: Run, reps: number): Promise<{ ms: number; cpuMs: number; tokens: number }> {
  let ms = Infinity,
    cpuMs = Infinity,
    tokens = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = typeof out === 'number' ? (c.user + c.system) / 1000 : out.cpuMs;
    tokens = typeof out === 'number' ? out : out.tokens;
    ms = Math.min(ms, wall);
    cpuMs = Math.min(cpuMs, cpu);
  }
  return { ms, cpuMs, tokens };
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-tok-'));
const { pieces, merges } = llamaTokenizerJsData();
const modelPath = join(tmp, 'llama.model');
writeFileSync(modelPath, llamaModelProto(pieces, merges));
const jsonPath = join(tmp, 'tokenizer.json');
writeFileSync(jsonPath, llamaTokenizerJson(pieces, merges));
const hf = HfTokenizer.fromFile(jsonPath);
const tk = get_encoding('cl100k_base');
const tok = await loadTokenizer('llama2');
const threads = availableParallelism();
const hasSpm = spawnSync('spm_encode', ['--help']).error === undefined;

interface Row {
  input: string;
  engine: string;
  mbs: number;
  cpuMbs: number;
  tps: number;
  ratio: number;
}
const rows: Row[] = [];

for (const [name, docs] of Object.entries(inputs)) {
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d), 0);
  const packed = packDocuments(docs);
  const runs: Array<[string, number, Run]> = [
    ['corpusmill llama2, 1 thread', bytes, async () => (await tok.encodeBatch(packed, { bos: false, threads: 1 }, 2)).total],
    [`corpusmill llama2, ${threads} threads`, bytes, async () => (await tok.encodeBatch(packed, { bos: false, threads }, 2)).total],
    ['HF tokenizers (llama2 vocab)', bytes, async () => (await hf.encodeBatch(docs, { addSpecialTokens: false })).reduce((a, e) => a + e.getLength(), 0)],
    ['tiktoken npm cl100k_base', bytes, () => docs.reduce((a, d) => a + tk.encode_ordinary(d).length, 0)],
  ];
  if (hasSpm) {
    const input = Buffer.from(docs.join(''));
    runs.push([
      'sentencepiece spm_encode',
      input.length,
      () => {
        // bash's `times` prints the children's user and system CPU time after the run
        const r = spawnSync('bash', ['-c', `spm_encode --model='${modelPath}' --output_format=id | wc -w; times`], { input, maxBuffer: 1 << 30 });
        const lines = r.stdout.toString().trim().split('\n');
        const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines.at(-1)!)!;
        return { tokens: Number(lines[0]), cpuMs: (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 };
      },
    ]);
  }
  const slice = docs.slice(0, 40);
  runs.push(['llama-tokenizer-js (first 150 KB)', slice.reduce((a, d) => a + Buffer.byteLength(d), 0), () => slice.reduce((a, d) => a + llamaJs.encode(d, false, true).length, 0)]);
  let base = 0;
  for (const [engine, n, fn] of runs) {
    const { ms, cpuMs, tokens } = await best(fn, engine.startsWith('corpusmill') || engine.startsWith('tiktoken') ? REPS : SLOW_REPS);
    const mbs = n / MB / (ms / 1000);
    const cpuMbs = n / MB / (cpuMs / 1000);
    if (!base) base = cpuMbs;
    rows.push({ input: name, engine, mbs, cpuMbs, tps: tokens / (ms / 1000), ratio: cpuMbs / base });
    process.stderr.write(`${name.padEnd(13)} ${engine.padEnd(36)} ${mbs.toFixed(2).padStart(8)} MB/s wall ${cpuMbs.toFixed(2).padStart(8)} MB/s per CPU\n`);
  }
}
tk.free();

console.log(`\n| input | engine | MB/s per CPU-second | MB/s wall | tokens/s wall | CPU speed × corpusmill 1 thread |\n|---|---|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.input} | ${r.engine} | ${r.cpuMbs.toFixed(2)} | ${r.mbs.toFixed(2)} | ${(r.tps / 1e6).toFixed(2)} M | ${r.ratio.toFixed(3)} |`);
