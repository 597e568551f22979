/**
 * Tokenizer throughput against the goals of issue 15 and against the peers, on the same documents in
 * one run. Run: `npm run bench:tokenize` (about 3 minutes; `-- --quick` for a smaller run). Prints, per
 * figure: corpusmill's number, its goal, the peer's number in the same run and the ratio; the README's
 * benchmark rows are this table.
 *
 * Inputs (~1.5 MB each, in ~4 KB documents, as JS strings):
 *   prose         the Project Gutenberg books of test/data/gutenberg
 *   code          the first 1.5 MB of node_modules/typescript/lib/typescript.js
 *   multilingual  de/fr/ja/ru/zh/ar Wikipedia XML dumps and vi wikitext, 1/7 each
 *
 * corpusmill is timed through the API the pipeline and the CLI use: packDocuments (strings -> one UTF-8
 * buffer) + Tokenizer.encodeBatch, ids kept (uint16 for llama2, uint32 for the others). MB/s are per
 * CPU-second (best of REPS runs of the process CPU time): on this shared machine wall-clock numbers
 * mostly measure the neighbours. The thread-scaling rows are wall-clock (best of REPS), since CPU time
 * cannot show scaling.
 *
 * Peers: tiktoken (npm, tiktoken's Rust core in WASM) with the same encoding; HF tokenizers
 * (@anush008/tokenizers) and sentencepiece `spm_encode` (Debian) with the LLaMA vocabulary; quicktok
 * (C++, github.com/dmatth1/quicktok) for cl100k when QUICKTOK_DIR names a built quicktok clone (the
 * bench compiles bench/quicktok-driver.cc against it with -O3 -march=native; otherwise its rows say so).
 * The CLI rows run `count` / `tokenize`'s own code path (readPackedInputs -> countTokens /
 * tokenizeToShards, 1 encoder thread) on a generated .jsonl.zst of the same documents and compare it with
 * the encoder alone (countBatch on the same documents, packed in advance).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tokenizer as HfTokenizer } from '@anush008/tokenizers';
import { get_encoding, Tiktoken } from 'tiktoken';
import { readPackedInputs } from '../src/tokenize/inputs.js';
import { tiktokenSpec } from '../src/tokenize/models/tiktoken.js';
import { llamaTokenizerJsData } from '../src/tokenize/models/llama2.js';
import { countTokens, tokenizeToShards } from '../src/tokenize/run.js';
import { loadTokenizer, packDocuments, type Tokenizer } from '../src/tokenize/tokenizer.js';
import { llamaModelProto, llamaTokenizerJson, sampleTexts, samplesDir } from '../test/tokenize/helpers.js';
import { LLAMA3_PAT_STR } from '../test/tokenize/tiktoken-refs.js';

const quick = process.argv.includes('--quick');
const MB = 1e6;
const SIZE = quick ? 0.4 * MB : 1.5 * MB;
const REPS = quick ? 3 : 6;
const SLOW_REPS = quick ? 1 : 2;

// ---- inputs ----------------------------------------------------------------------------------------

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
const bunzip = (p: string) => execFileSync('bzip2', ['-dc', p], { maxBuffer: 1 << 30 });
const w = join(samplesDir, 'wikipedia');
const inputs: Record<string, string[]> = {
  prose: docsOf(
    Buffer.concat(
      sampleTexts()
        .filter((s) => /^gutenberg\/.*\.txt$/.test(s.name))
        .map((s) => s.bytes),
    ),
  ),
  code: docsOf(readFileSync(join('node_modules', 'typescript', 'lib', 'typescript.js'))),
  multilingual: docsOf(
    Buffer.concat(
      ['de', 'fr', 'ja', 'ru', 'zh', 'ar']
        .map((l) => bunzip(join(w, `dbpedia-minidump-${l}.xml.bz2`)).subarray(0, SIZE / 7))
        .concat([readFileSync(join(w, 'wikiextractor-viwiki-test.xml')).subarray(0, SIZE / 7)]),
    ),
  ),
};
const bytesOf = (docs: string[]) => docs.reduce((a, d) => a + Buffer.byteLength(d), 0);

// ---- timing ----------------------------------------------------------------------------------------

type Run = () => number | { tokens: number; cpuMs: number } | Promise<number>;

/** Best CPU and best wall time of `reps` runs; child processes report their own CPU time. */
async function best(fn: Run, reps: number): Promise<{ ms: number; cpuMs: number; tokens: number }> {
  let ms = Infinity;
  let cpuMs = Infinity;
  let tokens = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs = Math.min(cpuMs, typeof out === 'number' ? (c.user + c.system) / 1000 : out.cpuMs);
    tokens = typeof out === 'number' ? out : out.tokens;
    ms = Math.min(ms, wall);
  }
  return { ms, cpuMs, tokens };
}

const mbs = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

/** CPU seconds of this process's main thread (Linux schedstat, ns), to see what reading costs beside the encoder. */
function mainThreadCpu(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return NaN;
  }
}

// ---- the table -------------------------------------------------------------------------------------

interface Row {
  figure: string;
  value: string;
  goal: string;
  peer: string;
  ratio: string;
  met: string;
}
const rows: Row[] = [];
function row(figure: string, value: number, unit: string, goal: { min?: number; text?: string }, peer?: { name: string; value: number }) {
  const met = goal.min === undefined ? '' : value >= goal.min ? 'yes' : 'no';
  rows.push({
    figure,
    value: `${value.toFixed(unit === '×' ? 2 : 1)}${unit === '×' ? '×' : ` ${unit}`}`,
    goal: goal.text ?? (goal.min === undefined ? '–' : `≥ ${goal.min}${unit === '×' ? '×' : ` ${unit}`}`),
    peer: peer ? `${peer.name} ${peer.value.toFixed(1)} ${unit === '×' ? '' : unit}`.trim() : '–',
    ratio: peer ? `${(value / peer.value).toFixed(2)}×` : '–',
    met,
  });
  process.stderr.write(`${figure}: ${rows.at(-1)!.value} (goal ${rows.at(-1)!.goal}${peer ? `; ${rows.at(-1)!.peer}` : ''})\n`);
}

// ---- peers -----------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'bench-tok-'));
const { pieces, merges } = llamaTokenizerJsData();
const modelPath = join(tmp, 'llama.model');
writeFileSync(modelPath, llamaModelProto(pieces, merges));
const jsonPath = join(tmp, 'tokenizer.json');
writeFileSync(jsonPath, llamaTokenizerJson(pieces, merges));
const hf = HfTokenizer.fromFile(jsonPath);
const hasSpm = spawnSync('spm_encode', ['--help']).error === undefined;

function tiktokenPeer(name: string): Tiktoken {
  if (name !== 'llama3') return get_encoding(name as 'cl100k_base' | 'o200k_base');
  const spec = tiktokenSpec('llama3');
  return new Tiktoken(spec.tiktoken.toString('latin1'), spec.specials, LLAMA3_PAT_STR);
}

/** quicktok, when QUICKTOK_DIR is a built clone: the driver binary, else why not. */
function quicktokDriver(): { bin: string; data: string } | string {
  const dir = process.env.QUICKTOK_DIR;
  if (!dir) return 'set QUICKTOK_DIR to a built quicktok clone';
  const bin = join(tmp, 'quicktok-driver');
  const r = spawnSync('g++', [
    '-std=c++20',
    '-O3',
    '-march=native',
    `-I${join(dir, 'include')}`,
    'bench/quicktok-driver.cc',
    `-L${join(dir, 'build')}`,
    '-lquicktok',
    '-pthread',
    '-o',
    bin,
    `-Wl,-rpath,${join(dir, 'build')}`,
  ]);
  if (r.status !== 0) return `could not build the driver: ${r.stderr.toString().slice(0, 200)}`;
  return { bin, data: join(dir, 'data') };
}
const qt = quicktokDriver();

function quicktokRun(docs: string[]): { tokens: number; cpuMs: number } {
  if (typeof qt === 'string') throw new Error(qt);
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeUInt32LE(docs.length);
  parts.push(head);
  for (const d of docs) {
    const b = Buffer.from(d);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(len, b);
  }
  const file = join(tmp, 'docs.bin');
  writeFileSync(file, Buffer.concat(parts));
  const out = JSON.parse(execFileSync(qt.bin, [qt.data, file, String(REPS)]).toString()) as { tokens: number; cpu_s: number };
  return { tokens: out.tokens, cpuMs: out.cpu_s * 1000 };
}

// ---- 1. encoders, one thread -------------------------------------------------------------------------

const tokenizers: Record<string, Tokenizer> = {};
for (const name of ['llama2', 'cl100k_base', 'o200k_base', 'llama3']) tokenizers[name] = await loadTokenizer(name);

/** corpusmill through the pipeline's API: pack the strings, one encodeBatch, ids kept. */
async function encodeRun(tok: Tokenizer, docs: string[], threads: number): Promise<number> {
  return (await tok.encodeBatch(packDocuments(docs), { bos: false, threads }, tok.idBytes)).total;
}

const oneThread: Record<string, Record<string, number>> = {};
for (const [name, tok] of Object.entries(tokenizers)) {
  oneThread[name] = {};
  const peer = name === 'llama2' ? null : tiktokenPeer(name);
  for (const [input, docs] of Object.entries(inputs)) {
    const bytes = bytesOf(docs);
    const mine = await best(() => encodeRun(tok, docs, 1), REPS);
    const v = mbs(bytes, mine.cpuMs);
    oneThread[name]![input] = v;
    const goal = name === 'llama2' && input === 'prose' ? { min: 100 } : name !== 'llama2' && input === 'multilingual' ? { min: 75 } : {};
    if (peer) {
      const p = await best(() => docs.reduce((a, d) => a + peer.encode_ordinary(d).length, 0), SLOW_REPS);
      row(`${name} ${input}, 1 thread (MB/s per CPU-s)`, v, 'MB/s', goal, { name: 'tiktoken npm', value: mbs(bytes, p.cpuMs) });
    } else {
      const p = await best(async () => (await hf.encodeBatch(docs, { addSpecialTokens: false })).reduce((a, e) => a + e.getLength(), 0), SLOW_REPS);
      row(`${name} ${input}, 1 thread (MB/s per CPU-s)`, v, 'MB/s', goal, { name: 'HF tokenizers', value: mbs(bytes, p.cpuMs) });
      if (hasSpm) {
        const input_ = Buffer.from(docs.join(''));
        const s = await best(() => {
          // bash's `times` prints the children's user and system CPU time after the run
          const r = spawnSync('bash', ['-c', `spm_encode --model='${modelPath}' --output_format=id | wc -w; times`], { input: input_, maxBuffer: 1 << 30 });
          const lines = r.stdout.toString().trim().split('\n');
          const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines.at(-1)!)!;
          return { tokens: Number(lines[0]), cpuMs: (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 };
        }, SLOW_REPS);
        row(`${name} ${input} vs sentencepiece`, v, 'MB/s', {}, { name: 'spm_encode', value: mbs(input_.length, s.cpuMs) });
      }
    }
  }
  peer?.free();
}

// ---- 2. cl100k against quicktok ------------------------------------------------------------------------

for (const [input, docs] of Object.entries(inputs)) {
  const v = oneThread.cl100k_base![input]!;
  if (typeof qt === 'string') {
    rows.push({
      figure: `cl100k_base ${input} vs quicktok (MB/s per CPU-s)`,
      value: `${v.toFixed(1)} MB/s`,
      goal: '≥ 1.5× quicktok',
      peer: `quicktok: ${qt}`,
      ratio: '–',
      met: '?',
    });
    continue;
  }
  const p = quicktokRun(docs);
  const q = mbs(bytesOf(docs), p.cpuMs);
  const ratio = v / q;
  rows.push({
    figure: `cl100k_base ${input} vs quicktok (MB/s per CPU-s)`,
    value: `${v.toFixed(1)} MB/s`,
    goal: '≥ 1.5× quicktok',
    peer: `quicktok ${q.toFixed(1)} MB/s`,
    ratio: `${ratio.toFixed(2)}×`,
    met: ratio >= 1.5 ? 'yes' : 'no',
  });
}

// ---- 3. thread scaling ---------------------------------------------------------------------------------
// Wall-clock 2 threads vs 1, interleaved so both see the same neighbours; and, since a loaded machine
// cannot show scaling, the same from the engine's per-thread CPU times: one thread's CPU time over the
// busiest of two threads' (the speed-up two free cores would give).

const scaling: Record<string, string[]> = { ...inputs, 'one long document (prose)': [inputs.prose!.join('')] };
for (const name of ['llama2', 'cl100k_base']) {
  const tok = tokenizers[name]!;
  for (const [input, docs] of Object.entries(scaling)) {
    let t1 = Infinity;
    let t2 = Infinity;
    let c1 = Infinity;
    let c2 = Infinity;
    for (let r = 0; r < REPS; r++) {
      const packed = packDocuments(docs);
      let t0 = performance.now();
      const r1 = await tok.encodeBatch(packed, { bos: false, threads: 1 }, tok.idBytes);
      t1 = Math.min(t1, performance.now() - t0);
      t0 = performance.now();
      const r2 = await tok.encodeBatch(packed, { bos: false, threads: 2 }, tok.idBytes);
      t2 = Math.min(t2, performance.now() - t0);
      c1 = Math.min(c1, r1.threadCpuMs[0]!);
      c2 = Math.min(c2, Math.max(...r2.threadCpuMs));
    }
    row(`${name} ${input}, 2 threads ÷ 1 thread (wall)`, t1 / t2, '×', { min: 1.8 });
    row(`  ${name} ${input}, 1 thread's CPU ÷ busiest of 2 threads' CPU`, c1 / c2, '×', { min: 1.8 });
  }
}

// ---- 4. the count and tokenize commands against the encoder alone ---------------------------------------

const all = [...inputs.prose!, ...inputs.code!, ...inputs.multilingual!];
const lines: string[] = [];
let corpusBytes = 0;
for (let k = 0; corpusBytes < (quick ? 4 : 16) * MB; k++) {
  for (const d of all) {
    const text = k ? `${d}\n(copy ${k})` : d;
    lines.push(JSON.stringify({ text, source: lines.length % 3 ? 'web' : 'books' }));
    corpusBytes += Buffer.byteLength(text);
  }
}
const jsonl = join(tmp, 'corpus.jsonl');
writeFileSync(jsonl, `${lines.join('\n')}\n`);
execFileSync('zstd', ['-q', '-3', '-f', jsonl, '-o', `${jsonl}.zst`]);
const corpus = `${jsonl}.zst`;
const packedAhead: Array<ReturnType<typeof packDocuments>> = [];
for await (const b of readPackedInputs([corpus])) packedAhead.push({ text: b.text, offsets: b.offsets });

for (const name of ['cl100k_base', 'llama2']) {
  const tok = tokenizers[name]!;
  const alone = await best(async () => {
    let n = 0;
    for (const b of packedAhead) n += (await tok.countBatch(b, { threads: 1 })).total;
    return n;
  }, SLOW_REPS + 1);
  const encoderMbs = mbs(corpusBytes, alone.cpuMs);
  for (const cmd of ['count', 'tokenize'] as const) {
    let wall = Infinity;
    let cpu = Infinity;
    let reading = Infinity;
    for (let r = 0; r < SLOW_REPS + 1; r++) {
      const out = join(tmp, `tok-${name}`);
      const c0 = process.cpuUsage();
      const m0 = mainThreadCpu();
      const t0 = performance.now();
      if (cmd === 'count') await countTokens(tok, readPackedInputs([corpus]), { threads: 1 });
      else await tokenizeToShards(tok, readPackedInputs([corpus]), { out, format: 'megatron', threads: 1 });
      wall = Math.min(wall, performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / 1000);
      reading = Math.min(reading, (mainThreadCpu() - m0) * 1000);
      rmSync(out, { recursive: true, force: true });
    }
    const wallMbs = mbs(corpusBytes, wall);
    row(
      `corpusmill ${cmd} --tokenizer ${name} --threads 1, ${(corpusBytes / MB).toFixed(0)} MB .jsonl.zst (wall MB/s)`,
      wallMbs,
      'MB/s',
      { text: '≥ 0.8 × encoder' },
      { name: 'encoder alone (per CPU-s)', value: encoderMbs },
    );
    rows.at(-1)!.met = wallMbs >= 0.8 * encoderMbs ? 'yes' : 'no';
    // Load-independent views: the command's wall time is bounded by the slower of its two threads
    // (reading on the main thread, encoding on one encoder thread), and its total CPU cost per byte
    // (reading, decompression on libuv threads, encoding, shard writing) against the encoder's.
    row(`  ${cmd} ${name}: MB per CPU-second of the whole process`, mbs(corpusBytes, cpu), 'MB/s', {}, { name: 'encoder alone', value: encoderMbs });
    const critical = Math.max(reading, alone.cpuMs);
    row(
      `  ${cmd} ${name}: encoder time ÷ slower thread (main thread reading ${(reading / 1000).toFixed(2)} s CPU, encoder ${(alone.cpuMs / 1000).toFixed(2)} s, process ${(cpu / 1000).toFixed(2)} s)`,
      alone.cpuMs / critical,
      '×',
      { min: 0.8 },
    );
  }
}

rmSync(tmp, { recursive: true, force: true });

console.log('\n| figure | corpusmill | goal | peer, same run | corpusmill ÷ peer | goal met |\n|---|---:|---|---|---:|---|');
for (const r of rows) console.log(`| ${r.figure} | ${r.value} | ${r.goal} | ${r.peer} | ${r.ratio} | ${r.met} |`);
