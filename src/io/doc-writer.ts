/**
 * A stage's document output: one interface, two formats. `jsonl` is the RedPajama JSON line in
 * `.jsonl.zst` (shards.ts), `parquet` the same fields as Parquet columns (parquet.ts). The runner
 * writes through this interface and never knows which.
 */
import type { Doc } from '../core/document.js';
import type { OutputStats } from '../core/stats.js';
import { ParquetShardWriter } from './parquet.js';
import { ShardWriter } from './shards.js';

export const DOC_FORMATS = ['jsonl', 'parquet'] as const;
export type DocFormat = (typeof DOC_FORMATS)[number];

export interface DocWriterOptions {
  /** Start a new file once this many uncompressed bytes are written. */
  maxBytes?: number;
  /** zstd level. */
  level?: number;
}

/** Writes documents into rotated shard files that keep temporary names until commit(). */
export interface DocWriter {
  readonly stats: OutputStats;
  /** Adds a document without waiting; call settle() soon after (write() does both). */
  enqueue(doc: Doc): void;
  settle(): Promise<void>;
  write(doc: Doc): Promise<void>;
  /** Finishes the last file. */
  close(): Promise<void>;
  /** Renames the finished files to their final names; returns the final paths. */
  commit(): Promise<string[]>;
  /** Removes everything written so far (a failed task). */
  abort(): Promise<void>;
}

export function openDocWriter(format: DocFormat, dir: string, prefix: string, opts: DocWriterOptions = {}): DocWriter {
  return format === 'parquet' ? new ParquetShardWriter(dir, prefix, opts) : new ShardWriter(dir, prefix, opts);
}
