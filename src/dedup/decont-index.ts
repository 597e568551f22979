/**
 * The n-gram index of benchmark decontamination: every n-gram (n normalised words, 13 by default)
 * of the benchmark rows a user names, hashed to 64 bits and kept as a sorted hashed set with the
 * benchmark as the tag (io/hash-index.ts), and the same hashing over a document's words.
 *
 * A row's text is each named field's texts (a list field such as HellaSwag's `endings` gives one
 * text per element) taken one by one, and all of them joined in field order, so n-grams that run
 * from a question into its answer are indexed too (datatrove's `find_overlap_ngrams`). Rows with
 * fewer than n words give no n-gram and are counted as `short_rows`: they cannot be found.
 *
 * Memory: building holds 8 bytes per benchmark n-gram (MMLU's test set, ~14k questions: about
 * 1.5M n-grams, 12 MB); a loaded index the same plus 256 KiB; a document's check holds its words.
 */
import { hash64, hashSeq64 } from '../core/hash64.js';
import { HashIndexBuilder } from '../io/hash-index.js';
import { fieldTexts, fieldValue, readRows } from '../io/rows.js';
import { decontWords } from '../text/decont-normalize.js';

export interface BenchmarkSpec {
  name: string;
  /** Absolute paths of the benchmark's files. */
  files: string[];
  /** Dotted field paths holding the text (`question`, `choices`, `answers.text`). */
  fields: string[];
}

export interface BenchmarkSummary {
  name: string;
  files: number;
  rows: number;
  /** Rows with fewer than n words in every text: no n-gram, cannot be detected. */
  short_rows: number;
  /** Distinct n-gram hashes of this benchmark. */
  ngrams: number;
}

/** The n-gram hashes of a word sequence, in reusable buffers. */
export class NgramHasher {
  private whi = new Uint32Array(256);
  private wlo = new Uint32Array(256);
  /** Hashes of the n-grams of the last `hash()` call: window i covers words [i, i + n). */
  hi = new Uint32Array(256);
  lo = new Uint32Array(256);
  count = 0;
  private readonly tmp = new Uint32Array(2);

  constructor(readonly n: number) {}

  hash(words: readonly string[]): number {
    const m = words.length;
    if (this.whi.length < m) {
      const cap = Math.max(m, this.whi.length * 2);
      this.whi = new Uint32Array(cap);
      this.wlo = new Uint32Array(cap);
      this.hi = new Uint32Array(cap);
      this.lo = new Uint32Array(cap);
    }
    for (let i = 0; i < m; i++) {
      hash64(words[i]!, this.tmp);
      this.whi[i] = this.tmp[0]!;
      this.wlo[i] = this.tmp[1]!;
    }
    this.count = Math.max(0, m - this.n + 1);
    for (let i = 0; i < this.count; i++) {
      hashSeq64(this.whi, this.wlo, i, i + this.n, this.tmp);
      this.hi[i] = this.tmp[0]!;
      this.lo[i] = this.tmp[1]!;
    }
    return this.count;
  }
}

/** The texts of one row whose n-grams are indexed: each field text, then all of them joined. */
function rowTexts(row: Record<string, unknown>, fields: readonly string[]): string[] {
  const texts: string[] = [];
  for (const f of fields) fieldTexts(fieldValue(row, f), texts);
  return texts.length > 1 ? [...texts, texts.join(' ')] : texts;
}

/** Reads every benchmark (tag = its position) into an index builder. */
export async function buildDecontIndex(benchmarks: readonly BenchmarkSpec[], n: number): Promise<{ builder: HashIndexBuilder; summary: BenchmarkSummary[] }> {
  const builder = new HashIndexBuilder();
  const summary: BenchmarkSummary[] = [];
  const hasher = new NgramHasher(n);
  for (const [tag, b] of benchmarks.entries()) {
    // Distinct n-grams per benchmark, counted from its own sorted index.
    const own = new HashIndexBuilder();
    const s: BenchmarkSummary = { name: b.name, files: b.files.length, rows: 0, short_rows: 0, ngrams: 0 };
    for (const file of b.files) {
      for await (const row of readRows(file)) {
        s.rows++;
        let any = false;
        for (const text of rowTexts(row, b.fields)) {
          const k = hasher.hash(decontWords(text));
          for (let i = 0; i < k; i++) {
            builder.add(hasher.hi[i]!, hasher.lo[i]!, tag);
            own.add(hasher.hi[i]!, hasher.lo[i]!, 0);
          }
          if (k > 0) any = true;
        }
        if (!any) s.short_rows++;
      }
    }
    s.ngrams = (own.bytes().length - 16) / 8;
    summary.push(s);
  }
  return { builder, summary };
}
