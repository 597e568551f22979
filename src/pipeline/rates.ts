/**
 * Measured processing rates that `corpusmill plan` turns into CPU-hours, all in one unit: MB per
 * CPU-second of one core. A source's rate is MB of downloaded input read into documents (parse,
 * decompress, extraction); a step's rate is MB of the step's input text (UTF-8), its passes included.
 * The figures come from the benchmarks named next to them, which print their measurements in the
 * same unit (`npm run bench:scale` prints each step of the standard pipeline next to this table);
 * they are rounded down, so a plan does not promise what a run cannot keep. Last measured on a quiet
 * 2-core machine, 2026-12-07.
 */

export interface Rate {
  /** MB per CPU-second of one core. */
  mb_per_cpu_s: number;
  /** The benchmark that measures it. */
  bench: string;
}

/** Reading a source's downloaded files into documents. */
export const READ_RATES: Readonly<Record<string, Rate>> = {
  // bench:scale's "rest of the first stage": reading, the prefix cache and writing the stage's shards.
  jsonl: { mb_per_cpu_s: 7, bench: 'bench:scale' },
  c4: { mb_per_cpu_s: 40, bench: 'bench:io' },
  commoncrawl: { mb_per_cpu_s: 40, bench: 'bench:web' },
  commoncrawl_warc: { mb_per_cpu_s: 10, bench: 'bench:web' },
  wikipedia: { mb_per_cpu_s: 8, bench: 'bench:xml' },
  stackexchange: { mb_per_cpu_s: 10, bench: 'bench:xml' },
  github: { mb_per_cpu_s: 40, bench: 'bench:github' },
  arxiv: { mb_per_cpu_s: 30, bench: 'bench:curated' },
  gutenberg: { mb_per_cpu_s: 30, bench: 'bench:curated' },
};

/** Text bytes a source yields per downloaded byte (compressed inputs expand). */
export const TEXT_PER_INPUT_BYTE: Readonly<Record<string, number>> = {
  jsonl: 0.9,
  c4: 2.5,
  commoncrawl: 2.5,
  commoncrawl_warc: 0.5,
  wikipedia: 3,
  stackexchange: 2,
  github: 3,
  arxiv: 2,
  gutenberg: 2.5,
};

/** A step's own work, passes included, per MB of the text it reads. */
export const STEP_RATES: Readonly<Record<string, Rate>> = {
  normalize_text: { mb_per_cpu_s: 100, bench: 'bench:scale' },
  text_length: { mb_per_cpu_s: 500, bench: 'bench:scale' },
  quality_signals: { mb_per_cpu_s: 15, bench: 'bench:dedup' },
  quality_filter: { mb_per_cpu_s: 50, bench: 'bench:scale' },
  exact_dedup: { mb_per_cpu_s: 60, bench: 'bench:scale' },
  minhash_dedup: { mb_per_cpu_s: 20, bench: 'bench:dedup' },
  tokenize: { mb_per_cpu_s: 60, bench: 'bench:scale' },
  ccnet_line_dedup: { mb_per_cpu_s: 35, bench: 'bench:web' },
  language_id: { mb_per_cpu_s: 30, bench: 'bench:web-models' },
  perplexity: { mb_per_cpu_s: 20, bench: 'bench:web-models' },
};

/** Rates for what the table does not list: the slow end of what is listed. */
const DEFAULT_READ = 10;
const DEFAULT_STEP = 20;
const DEFAULT_TEXT_RATIO = 2.5;

export function readRateOf(source: string): number {
  return READ_RATES[source]?.mb_per_cpu_s ?? DEFAULT_READ;
}

export function stepRateOf(step: string): number {
  return STEP_RATES[step]?.mb_per_cpu_s ?? DEFAULT_STEP;
}

export function textPerInputByte(source: string): number {
  return TEXT_PER_INPUT_BYTE[source] ?? DEFAULT_TEXT_RATIO;
}

/** Compressed shards written per stage, as a fraction of the compressed input. */
export const OUTPUT_RATIO = 0.6;
