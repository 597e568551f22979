/**
 * Benchmark decontamination by n-gram overlap (GPT-3, Brown et al. 2020 §4 and appendix C: 13-gram
 * overlap; datatrove's `NGramsDecontIndexer` / `NGramsDecontFilter`): a document that shares at
 * least `min_matches` distinct n-grams (13 normalised words by default) with the benchmark files a
 * user names is dropped with reason `contaminated`, or only annotated.
 *
 * Passes (state in the step's folder):
 * 1. reduce `index` (one task): reads each benchmark's rows (io/rows.ts: JSON lines, JSON arrays
 *    or Parquet), hashes the n-grams of the named fields
 *    (decont-index.ts) and writes `index.bin` (sorted 56-bit hashes tagged by benchmark) and
 *    `index.json` (rows, short rows and n-grams per benchmark). Built once per stage.
 * 2. main (every task): loads the index once per worker and looks up every n-gram of each
 *    document's normalised words (text/decont-normalize.ts). A contaminated document gets
 *    `meta.contamination = {matches: {<benchmark>: <distinct n-grams>}, ngrams: [<first matched
 *    n-grams, normalised>]}`; counters `contaminated_<benchmark>` say which benchmark it matched.
 * Memory: the index (8 bytes per benchmark n-gram) per worker, and one document's words.
 * False positives beyond real overlap: 56-bit hash collisions, about (index size / 2^56) per n-gram
 * looked up (10^-10 per n-gram for a 10M-n-gram index).
 */
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Doc } from '../core/document.js';
import { HashIndex } from '../io/hash-index.js';
import { rowFormatOf } from '../io/rows.js';
import { defineStep, type Step, type TaskContext } from '../pipeline/step.js';
import { decontWords } from '../text/decont-normalize.js';
import { type BenchmarkSpec, type BenchmarkSummary, buildDecontIndex, NgramHasher } from './decont-index.js';

/** GPT-3's and the lm-evaluation-harness's n; datatrove's default is 12. */
const DEFAULT_DECONT_N = 13;
const INDEX_FILE = 'index.bin';
const SUMMARY_FILE = 'index.json';

const benchmark = z
  .object({
    /** Name in meta and counters (`mmlu`, `hellaswag`). */
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
    /** Files or folders (every file a row reader reads), relative to the pipeline's folder. */
    files: z.array(z.string()).min(1),
    /** Fields holding the text, dotted for nested ones (`answers.text`); list fields give one text per element. */
    fields: z.array(z.string().min(1)).min(1),
  })
  .strict();

const params = z
  .object({
    benchmarks: z.array(benchmark).min(1).max(256),
    n: z.number().int().min(3).max(64).default(DEFAULT_DECONT_N),
    /** Distinct matching n-grams that make a document contaminated. */
    min_matches: z.number().int().min(1).default(1),
    /** `drop` removes contaminated documents; `annotate` keeps them with meta.contamination. */
    mode: z.enum(['drop', 'annotate']).default('drop'),
    /** How many matched n-grams meta.contamination lists. */
    report_ngrams: z.number().int().min(0).max(100).default(3),
  })
  .strict()
  .refine((p) => new Set(p.benchmarks.map((b) => b.name)).size === p.benchmarks.length, 'benchmark names must be distinct');

type Params = z.infer<typeof params>;

/** The benchmark files: listed files, and the readable files of listed folders (sorted). */
function resolveBenchmarks(p: Params, pipelineDir: string): BenchmarkSpec[] {
  return p.benchmarks.map((b) => {
    const files: string[] = [];
    for (const f of b.files) {
      const path = isAbsolute(f) ? f : resolve(pipelineDir, f);
      if (!existsSync(path)) throw new ConfigError(`decontaminate: benchmark ${b.name}: ${path} not found`);
      if (statSync(path).isDirectory()) {
        const inside = readdirSync(path)
          .sort()
          .map((n) => join(path, n))
          .filter((x) => statSync(x).isFile() && rowFormatOf(x));
        if (inside.length === 0) throw new ConfigError(`decontaminate: benchmark ${b.name}: no readable file in ${path}`);
        files.push(...inside);
      } else {
        if (!rowFormatOf(path)) throw new ConfigError(`decontaminate: benchmark ${b.name}: ${path}: no row reader for this file type`);
        files.push(path);
      }
    }
    return { name: b.name, files, fields: b.fields };
  });
}

interface Contamination {
  /** Distinct matched n-grams per benchmark. */
  matches: Record<string, number>;
  /** The first matched n-grams (normalised words), in document order. */
  ngrams: string[];
}

/** What a document shares with the index: distinct matched n-grams per benchmark, and the first few. */
function findContamination(
  text: string,
  index: HashIndex,
  names: readonly string[],
  hasher: NgramHasher,
  reportNgrams: number,
): { contamination: Contamination; distinct: number } | null {
  const words = decontWords(text);
  const k = hasher.hash(words);
  let matches: Record<string, number> | null = null;
  let seen: Set<string> | null = null;
  const ngrams: string[] = [];
  for (let i = 0; i < k; i++) {
    const hi = hasher.hi[i]!;
    const lo = hasher.lo[i]!;
    if (index.find(hi, lo) === -1) continue;
    const key = `${hi}:${lo >>> 8}`;
    seen ??= new Set();
    if (seen.has(key)) continue;
    seen.add(key);
    matches ??= {};
    for (const tag of index.tags(hi, lo)) matches[names[tag]!] = (matches[names[tag]!] ?? 0) + 1;
    if (ngrams.length < reportNgrams) ngrams.push(words.slice(i, i + hasher.n).join(' '));
  }
  return matches ? { contamination: { matches, ngrams }, distinct: seen!.size } : null;
}

function decontaminateStep(p: Params, pipelineDir: string): Step {
  const names = p.benchmarks.map((b) => b.name);
  // Resolved now so a missing file is a configuration error before any task runs.
  const specs = resolveBenchmarks(p, pipelineDir);
  let loaded: { dir: string; index: HashIndex } | undefined;
  const indexOf = (ctx: TaskContext): HashIndex => {
    if (loaded?.dir !== ctx.state.dir) loaded = { dir: ctx.state.dir, index: HashIndex.fromBytes(readFileSync(ctx.state.path(INDEX_FILE)), ctx.state.path(INDEX_FILE)) };
    return loaded.index;
  };
  return {
    passes: [
      {
        kind: 'reduce',
        name: 'index',
        tasks: 1,
        async reduce(ctx) {
          const { builder, summary } = await buildDecontIndex(specs, p.n);
          await ctx.state.write(INDEX_FILE, builder.bytes());
          await ctx.state.writeJson(SUMMARY_FILE, { n: p.n, benchmarks: summary });
          for (const s of summary) {
            ctx.count(`rows_${s.name}`, s.rows);
            ctx.count(`ngrams_${s.name}`, s.ngrams);
            if (s.short_rows) ctx.count(`short_rows_${s.name}`, s.short_rows);
            if (s.short_rows) ctx.log.warn(`benchmark ${s.name}: ${s.short_rows} of ${s.rows} rows have fewer than ${p.n} words and cannot be detected`);
          }
        },
      },
    ],
    async *run(docs, ctx) {
      const index = indexOf(ctx);
      const hasher = new NgramHasher(p.n);
      for await (const doc of docs) {
        const found = findContamination(doc.text, index, names, hasher, p.report_ngrams);
        if (!found || found.distinct < p.min_matches) {
          yield doc;
          continue;
        }
        const c = found.contamination;
        for (const name of Object.keys(c.matches)) ctx.count(`contaminated_${name}`);
        const marked: Doc = { ...doc, meta: { ...doc.meta, contamination: c } };
        if (p.mode === 'drop') ctx.drop(marked, 'contaminated');
        else {
          ctx.count('contaminated');
          yield marked;
        }
      }
    },
  };
}

/** The index summary a finished `index` pass left (for tests and tools). */
export function readDecontSummary(stateDir: string): { n: number; benchmarks: BenchmarkSummary[] } {
  return JSON.parse(readFileSync(join(stateDir, SUMMARY_FILE), 'utf8'));
}

export const decontaminateDef = defineStep({
  name: 'decontaminate',
  description: 'benchmark decontamination: drop (or annotate) documents sharing 13-grams with named benchmark files',
  params,
  create: (p, env) => decontaminateStep(p, env.pipelineDir),
});
