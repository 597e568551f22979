/**
 * Per-core processing rates used by `corpusmill plan`, in MB of downloaded input per second per
 * core, for the whole recipe of each source (parse, clean, filter, dedup, tokenize). They come from
 * the benchmarks (`npm run bench:*`, figures in the README) and are deliberately the slowest step's
 * rate, rounded down: a plan should not promise what a run cannot keep.
 */
const RATES: Record<string, number> = {
  // WET parse + line dedup + language id + perplexity + classifier (compressed WET in).
  commoncrawl: 2,
  c4: 5,
  github: 10,
  wikipedia: 3,
  books: 10,
  arxiv: 5,
  stackexchange: 5,
};
const DEFAULT_RATE = 5;

/** Compressed shards written per stage, as a fraction of the compressed input. */
export const OUTPUT_RATIO = 0.6;

export function rateFor(source: string): number {
  return RATES[source] ?? DEFAULT_RATE;
}
