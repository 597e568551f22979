/**
 * Benchmark: corpusmill's byte_bpe encoder vs the `tiktoken` npm package (tiktoken's Rust core in WASM)
 * on the same documents, one thread, in the same run. Prints MB/s (wall clock and process CPU time;
 * CPU time is the fairer figure on a shared machine), tokens/s and the speed ratio, and checks that
 * both produced the same ids. "count only" runs the same encoder without handing the ids to JavaScript
 * (byteBpeCount): the encoder's own speed, without the per-document Uint32Array.
 *
 * Inputs (each about 1 MB, cut into ~64 KB documents at line ends):
 * - english: Project Gutenberg books from test/data/gutenberg
 * - code: the first 1 MB of node_modules/typescript/lib/typescript.js (real JavaScript, always installed)
 * - multilingual: Wikipedia dumps in de, fr, ja, ru, zh, ar, vi from test/data/wikipedia
 *
 * Run: `npm run bench:tiktoken` (about a minute; `-- --quick` for a smaller run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Tiktoken, get_encoding } from 'tiktoken';
import { byteBpeNative, tiktokenSpec, type TiktokenName } from '../src/tokenize/models/tiktoken.js';
import { samplesDir } from '../test/tokenize/tiktoken-samples.js';
import { repoRoot } from '../test/helpers.js';
import { LLAMA3_PAT_STR } from '../test/tokenize/tiktoken-refs.js';

const quick = process.argv.includes('--quick');
const TARGET = quick ? 256 << 10 : 1 << 20;

function bunzip(path: string): Buffer {
  return execFileSync('bzip2', ['-dc', path], { maxBuffer: 64 << 20 });
}

function take(parts: Buffer[]): Buffer {
  return Buffer.concat(parts).subarray(0, TARGET);
}

function inputs(): Record<string, Buffer> {
  const g = join(samplesDir, 'gutenberg');
  const w = join(samplesDir, 'wikipedia');
  return {
    english: take(['pg84-modern-2020s-header.txt', '244-0.txt', '48020.txt', 'pg42.txt'].map((f) => readFileSync(join(g, f)))),
    code: take([readFileSync(join(repoRoot, 'node_modules', 'typescript', 'lib', 'typescript.js'))]),
    multilingual: take(
      ['de', 'fr', 'ja', 'ru', 'zh', 'ar']
        .map((l) => bunzip(join(w, `dbpedia-minidump-${l}.xml.bz2`)).subarray(0, TARGET / 7))
        .concat([readFileSync(join(w, 'wikiextractor-viwiki-test.xml')).subarray(0, TARGET / 7)]),
    ),
  };
}

/** ~64 KB documents cut after a newline, as valid UTF-8 (both engines get the same text). */
function documents(buf: Buffer): Array<{ bytes: Buffer; text: string }> {
  const docs: Array<{ bytes: Buffer; text: string }> = [];
  for (let start = 0; start < buf.length; ) {
    let end = Math.min(buf.length, start + (64 << 10));
    const nl = buf.indexOf(10, end);
    end = nl < 0 ? buf.length : nl + 1;
    const text = buf.subarray(start, end).toString('utf8');
    docs.push({ bytes: Buffer.from(text), text });
    start = end;
  }
  return docs;
}

function timeIt(fn: () => number, reps: number): { wall: number; cpu: number; tokens: number } {
  let wall = Infinity;
  let cpu = Infinity;
  let tokens = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    tokens = fn();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu, tokens };
}

const native = byteBpeNative();
const rows: string[][] = [];
const data = inputs();
for (const name of ['cl100k_base', 'o200k_base', 'llama3'] as TiktokenName[]) {
  const spec = tiktokenSpec(name);
  const h = native.byteBpeCreate(spec);
  const ref: Tiktoken = name === 'llama3' ? new Tiktoken(spec.tiktoken.toString('latin1'), spec.specials, LLAMA3_PAT_STR) : get_encoding(name);
  for (const [input, buf] of Object.entries(data)) {
    const docs = documents(buf);
    const bytes = docs.reduce((a, d) => a + d.bytes.length, 0);
    let same = true;
    for (const d of docs) {
      const a = native.byteBpeEncode(h, d.bytes);
      const b = ref.encode_ordinary(d.text);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) same = false;
    }
    const mine = timeIt(() => docs.reduce((n, d) => n + native.byteBpeEncode(h, d.bytes).length, 0), quick ? 3 : 5);
    const count = timeIt(() => docs.reduce((n, d) => n + native.byteBpeCount(h, d.bytes), 0), quick ? 3 : 5);
    const peer = timeIt(() => docs.reduce((n, d) => n + ref.encode_ordinary(d.text).length, 0), 1);
    const mbs = (s: number) => (bytes / 1e6 / s).toFixed(1);
    rows.push([
      name,
      input,
      (bytes / 1e6).toFixed(2),
      mbs(mine.wall),
      mbs(mine.cpu),
      (mine.tokens / mine.cpu / 1e6).toFixed(1),
      mbs(count.cpu),
      mbs(peer.wall),
      mbs(peer.cpu),
      `${(peer.cpu / mine.cpu).toFixed(1)}×`,
      same ? 'yes' : 'NO',
    ]);
    console.error(`${name} ${input} done`);
  }
  ref.free();
}
const header = [
  'model',
  'input',
  'MB',
  'corpusmill MB/s (wall)',
  'corpusmill MB/s (CPU)',
  'corpusmill Mtok/s (CPU)',
  'count only MB/s (CPU)',
  'tiktoken MB/s (wall)',
  'tiktoken MB/s (CPU)',
  'speed-up (CPU)',
  'same ids',
];
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
