/**
 * The bounds every reader of raw input applies, so no input can make a worker hold or decompress
 * without limit (README "Bad input"). Pipelines set them in `settings` (`max_record_bytes`,
 * `max_decompression_ratio`); readers used outside a build take these defaults.
 */

/** The largest record (a JSON line, a WARC record, a wiki page, a Posts.xml row, a LaTeX file) read whole. */
export const DEFAULT_MAX_RECORD_BYTES = 64 << 20;

/**
 * The most output a compressed stream may give per input byte before it is treated as a
 * decompression bomb. Text compresses 3–10× (bzip2 of wikitext ~5×, zstd of JSON lines up to ~20×);
 * a bomb of zeros 1,000× (gzip) to 1,000,000× (bzip2).
 */
export const DEFAULT_MAX_DECOMPRESSION_RATIO = 100;

export interface ReadLimits {
  maxRecordBytes: number;
  maxDecompressionRatio: number;
}
