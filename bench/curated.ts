/**
 * Curated sources benchmark: `npm run bench:curated [-- --only <case>] [--mb 8] [--books 10000] [--json]`.
 *
 * A list of named cases (each source adds its own to `cases`); every case measures corpusmill and
 * the peer tool on the same input in the same run and prints the ratio. One core, no workers; times
 * are CPU seconds (user + system) of the measuring process, so figures are per core and hold on a
 * loaded machine.
 *
 *   arxiv-clean       LaTeX cleaning MB/s (10^6 bytes of UTF-8 LaTeX per second): the corpusmill
 *                     cleaner, our `redpajama` cleaner, and RedPajama's regexes under
 *                     /usr/bin/python3 (test/sources/arxiv/reference/rp_arxiv_clean.py) on the real papers of
 *                     test/data/arxiv, repeated to --mb.
 *   github-filter     (bench/github.ts, when present) GitHub filtering MB/s against RedPajama's Python.
 *   book-near-dedup   --books synthetic books (~3 KB of prose each, every 10th a near-copy of an
 *                     earlier one): SimHash + MinHash signatures (the scan pass, books streamed and
 *                     never held), then clustering (the reduce pass); heap measured along the way.
 *                     Peer: RedPajama's SimHash as the `simhash` package computes it (md5 per 6-gram,
 *                     numpy bit sums) under /usr/bin/python3 on the first --peer-books books.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanLatex } from '../src/sources/arxiv/clean.js';
import { decodeTex, isTexPath, openPaper } from '../src/sources/arxiv/project.js';
import { rpCleanProject } from '../src/sources/arxiv/redpajama-cleaner.js';
import { bookSignature, findClusters, type BookSignature } from '../src/sources/books/near-dedup.js';
import { rng } from '../scripts/sample/rng.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const json = args.includes('--json');

export interface Row {
  case: string;
  measure: string;
  value: number;
  unit: string;
  peer?: number;
  /** corpusmill / peer (higher is better for rates). */
  ratio?: number;
  note?: string;
}

export interface BenchCase {
  name: string;
  run(): Promise<Row[]>;
}

/** LaTeX documents for the cleaning benchmark: one string per file, decoded as the source does. */
async function latexCorpus(): Promise<string[]> {
  const docs: string[] = [];
  const data = join(root, 'test', 'data');
  for (const id of ['1707.08043', '1708.00137', '1803.07574']) docs.push(decodeTex(readFileSync(join(data, 'arxiv', 'engrafo-papers', id, 'main.tex'))).text);
  for (const f of ['arXiv-eprint-1911.02782.tar.gz', 'arXiv-eprint-2004.14974.nofigures.tar.gz']) {
    const opened = await openPaper(readFileSync(join(data, 'arxiv', f)), f, 1 << 28);
    for (const file of opened.files) if (isTexPath(file.path)) docs.push(decodeTex(file.data).text);
  }
  return docs;
}

const utf8Bytes = (docs: string[]) => docs.reduce((n, d) => n + Buffer.byteLength(d), 0);

const PEER_ARXIV = `
import json, sys, time
sys.path.insert(0, sys.argv[1])
import rp_arxiv_clean as rp
docs = json.load(open(sys.argv[2], encoding="utf-8"))
t = time.process_time()
for d in docs:
    try:
        rp.clean_project([d])
    except Exception:
        pass
print(time.process_time() - t)
`;

const arxivClean: BenchCase = {
  name: 'arxiv-clean',
  async run() {
    const base = await latexCorpus();
    const target = arg('--mb', 8) * 1e6;
    const docs: string[] = [];
    while (utf8Bytes(docs) < target) docs.push(...base);
    const bytes = utf8Bytes(docs);
    // CPU seconds (user + system) of this process: "per core", and steady on a shared machine.
    const time = (fn: () => void) => {
      const c = process.cpuUsage();
      fn();
      const u = process.cpuUsage(c);
      return (u.user + u.system) / 1e6;
    };
    const runOurs = () => {
      for (const d of docs) cleanLatex(d);
    };
    const runRp = () => {
      for (const d of docs) {
        try {
          rpCleanProject([d]);
        } catch {
          // a paper RedPajama drops
        }
      }
    };
    // Warm-up pass, then the better of two timed passes (JIT and GC noise on a shared machine).
    runOurs();
    runRp();
    const ours = Math.min(time(runOurs), time(runOurs));
    const rpTs = Math.min(time(runRp), time(runRp));
    const dir = mkdtempSync(join(tmpdir(), 'bench-curated-'));
    try {
      writeFileSync(join(dir, 'docs.json'), JSON.stringify(docs));
      writeFileSync(join(dir, 'peer.py'), PEER_ARXIV);
      const peer = Number(
        execFileSync('/usr/bin/python3', [join(dir, 'peer.py'), join(root, 'test', 'sources', 'arxiv', 'reference'), join(dir, 'docs.json')])
          .toString()
          .trim(),
      );
      const mbs = (s: number) => bytes / 1e6 / s;
      return [
        {
          case: 'arxiv-clean',
          measure: 'corpusmill cleaner',
          value: mbs(ours),
          unit: 'MB/s',
          peer: mbs(peer),
          ratio: peer / ours,
          note: `${(bytes / 1e6).toFixed(1)} MB LaTeX, ${docs.length} files`,
        },
        { case: 'arxiv-clean', measure: 'redpajama cleaner (TS)', value: mbs(rpTs), unit: 'MB/s', peer: mbs(peer), ratio: peer / rpTs },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Deterministic prose (the samples' seeded PRNG): pseudo-words built from syllables, drawn with a Zipf-like skew (a few very
 * common words, a long tail), so books share function words the way real ones do without being
 * near-copies of each other.
 */
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ber', 'dan', 'gor', 'hal', 'ist', 'mon', 'pel', 'quo', 'ster', 'wen', 'th', 'an'];
const VOCAB = Array.from({ length: 20_000 }, (_, i) => {
  let w = '';
  let k = i + 1;
  while (k > 0) {
    w += SYLLABLES[k % SYLLABLES.length];
    k = Math.floor(k / SYLLABLES.length);
  }
  return w;
});

function syntheticBook(seed: number, chars: number): string {
  const r = rng(seed + 1);
  const next = () => Math.floor(r() * 2 ** 32);
  let s = '';
  while (s.length < chars) {
    const r = next();
    // Zipf-like: rank = floor(N^u) for uniform u, so rank k has probability ~ 1/k.
    const rank = Math.floor(VOCAB.length ** ((r & 0xffffff) / 0x1000000));
    s += VOCAB[Math.max(rank - 1, 0)] + (r >>> 28 === 0 ? '.\n' : ' ');
  }
  return s;
}

/** A near-copy: about one word in 200 replaced. */
function nearCopy(text: string, seed: number): string {
  let k = seed;
  return text.replace(/\S+/g, (w) => (++k % 200 === 0 ? 'changed' : w));
}

const PEER_SIMHASH = String.raw`
import hashlib, json, re, sys, time
import numpy as np
books = json.load(open(sys.argv[1], encoding="utf-8"))
t = time.process_time()
for text in books:
    s = re.sub(r"[^\w]+", "", text.lower())
    feats = [s[i:i + 6] for i in range(max(len(s) - 6 + 1, 1))]
    hs = b"".join(hashlib.md5(f.encode("utf-8")).digest()[-8:] for f in feats)
    bits = np.unpackbits(np.frombuffer(hs, dtype=">B").reshape(-1, 8), axis=1)
    value = np.packbits(bits.sum(0) > len(feats) / 2).tobytes().hex()
print(time.process_time() - t)
`;

const bookNearDedup: BenchCase = {
  name: 'book-near-dedup',
  async run() {
    const n = arg('--books', 10_000);
    const chars = arg('--book-chars', 3000);
    const peerBooks = arg('--peer-books', 100);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const heapAt: Array<[number, number]> = [];
    const sigs: BookSignature[] = [];
    let bytes = 0;
    const cpuSeconds = (c: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(c);
      return (u.user + u.system) / 1e6;
    };
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      // Every 10th book is a near-copy of the book 7 places before it (a second edition).
      const text = i % 10 === 9 ? nearCopy(syntheticBook(i - 7, chars), i) : syntheticBook(i, chars);
      bytes += Buffer.byteLength(text);
      sigs.push(bookSignature({ id: `books/pg${i + 1}.txt/${i + 1}`, text, source: 'books', meta: { gutenberg_id: i + 1 } }, { simhash: true, minhash: true }));
      if ((i + 1) % Math.max(1, Math.floor(n / 4)) === 0) {
        gc?.();
        heapAt.push([i + 1, process.memoryUsage().heapUsed - heap0]);
      }
    }
    const scanS = cpuSeconds(t0);
    const sigBytes = sigs.reduce((s, x) => s + x.id.length + x.key.length + (x.simhash?.length ?? 0) + (x.minhash?.length ?? 0), 0);
    const t1 = process.cpuUsage();
    const clusters = findClusters(sigs, { simhash_max_hamming: 5, overlap_threshold: 0.9 });
    const reduceS = cpuSeconds(t1);
    gc?.();
    // Recall: planted near-copies (book i, i % 10 == 9, copied from i - 7) in their original's
    // cluster; extra: books removed that were not planted copies (false positives).
    const idOf = (i: number) => `books/pg${i + 1}.txt/${i + 1}`;
    let found = 0;
    for (let i = 9; i < n; i += 10) if (clusters.cluster[idOf(i)]?.[0] === clusters.cluster[idOf(i - 7)]?.[0] && clusters.cluster[idOf(i)]) found++;
    const extra = Object.keys(clusters.duplicate_of).filter((id) => Number(id.split('/').pop()) % 10 !== 0).length;

    const dir = mkdtempSync(join(tmpdir(), 'bench-curated-'));
    let peerRate = NaN;
    let oursRate = NaN;
    try {
      const subset = Array.from({ length: peerBooks }, (_, i) => syntheticBook(i, chars));
      writeFileSync(join(dir, 'books.json'), JSON.stringify(subset));
      writeFileSync(join(dir, 'peer.py'), PEER_SIMHASH);
      const peerS = Number(
        execFileSync('/usr/bin/python3', [join(dir, 'peer.py'), join(dir, 'books.json')])
          .toString()
          .trim(),
      );
      const { simhash64 } = await import('../src/sources/books/simhash.js');
      const t2 = process.cpuUsage();
      for (const b of subset) simhash64(b);
      const oursS = cpuSeconds(t2);
      peerRate = peerBooks / peerS;
      oursRate = peerBooks / oursS;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const heapNote = heapAt.map(([k, h]) => `${k}: ${(h / 2 ** 20).toFixed(1)} MiB`).join(', ');
    return [
      { case: 'book-near-dedup', measure: 'signatures (scan pass)', value: n / scanS, unit: 'books/s', note: `${n} books, ${(bytes / 1e6).toFixed(1)} MB, ${scanS.toFixed(1)} s` },
      { case: 'book-near-dedup', measure: 'SimHash only', value: oursRate, unit: 'books/s', peer: peerRate, ratio: oursRate / peerRate, note: `${peerBooks} books` },
      {
        case: 'book-near-dedup',
        measure: 'clusters (reduce pass)',
        value: reduceS,
        unit: 's',
        note: `${found} of ${Math.floor(n / 10)} planted near-copies found, ${extra} other books removed`,
      },
      {
        case: 'book-near-dedup',
        measure: 'signature memory',
        value: sigBytes / n,
        unit: 'B/book',
        note: gc ? `heap growth: ${heapNote}` : 'run with --expose-gc for heap figures',
      },
    ];
  },
};

/** Every case; a source adds its own here. */
export const cases: BenchCase[] = [arxivClean, bookNearDedup];
// GitHub's case lives in bench/github.ts (its own branch); it joins the list when present.
const githubBench = join(root, 'bench', 'github.ts');
if (existsSync(githubBench)) cases.push(((await import(pathToFileURL(githubBench).href)) as { githubFilterCase: BenchCase }).githubFilterCase);

const rows: Row[] = [];
for (const c of cases) {
  if (only && c.name !== only) continue;
  process.stderr.write(`bench:curated ${c.name}…\n`);
  rows.push(...(await c.run()));
}
if (json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
else {
  const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
  process.stdout.write('case             measure                      value      unit     peer      ×peer  note\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.case.padEnd(16)} ${r.measure.padEnd(28)} ${fmt(r.value).padStart(9)}  ${r.unit.padEnd(8)} ${fmt(r.peer).padStart(7)}  ${r.ratio === undefined ? '' : fmt(r.ratio).padStart(6)}  ${r.note ?? ''}\n`,
    );
  }
}
