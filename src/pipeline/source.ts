/**
 * The contract of a corpus source: what to fetch, how to split the fetched files into tasks, and
 * how to read one task's records as documents.
 *
 * `list` names remote files (any `https://`, `http://` or `file://` URL, with a checksum when the
 * source publishes one); the runtime downloads them through the fetch layer and hands `plan` the
 * local copies. `plan` splits files into ReadTasks (a whole file, a byte range of a line-oriented
 * file, a stream offset of a multistream dump, ...). ReadTasks are plain JSON: they are frozen in
 * the catalog so a rerun, or a cluster task given only its rank, reads exactly the same records.
 */
import type { z } from 'zod';
import type { Doc } from '../core/document.js';
import type { Logger } from '../core/log.js';
import type { Fetcher } from '../fetch/fetcher.js';
import type { LocalFile, RemoteFile } from '../fetch/files.js';
import type { BadRecord } from '../io/shards.js';
import type { ReadLimits } from '../io/limits.js';

export interface ReadTask {
  /** Local path of the file to read. */
  path: string;
  /** Name for document ids (RemoteFile.name). */
  name: string;
  url: string;
  /** Bytes of input this task covers (for progress and balancing). */
  bytes: number;
  /** Byte range for splittable files. */
  range?: { start: number; end: number };
  /** Anything else the source needs, JSON only. */
  extra?: Record<string, unknown>;
}

export interface SourceEnv {
  pipelineDir: string;
  outDir: string;
  log: Logger;
  fetcher: Fetcher;
  /** Target bytes per task when a source can split files (settings.task_bytes). */
  taskBytes: number;
}

export interface ReadContext {
  log: Logger;
  /** Reports raw input bytes consumed (progress). */
  advance(bytes: number): void;
  /** Counts and records a raw record that could not become a document. */
  quarantine(bad: BadRecord): void;
  /**
   * Counts something about the raw records that is not an error, by name: a record skipped by
   * design (a WARC `warcinfo` or `request` record, an HTTP 404 page) or one read despite a fault (a
   * wrong WARC Content-Length). Shown on the source's `(read)` row of the stats.
   */
  count?(name: string, n?: number): void;
  /**
   * The pipeline's record-size and decompression-ratio caps (settings `max_record_bytes`,
   * `max_decompression_ratio`); a reader outside a build uses io/limits.ts's defaults.
   */
  limits?: ReadLimits;
}

export interface SourceDef<S extends z.ZodType = z.ZodType> {
  /** Name used in pipelines (`source: c4`). */
  name: string;
  /** Corpus source name written into documents (`c4`, `commoncrawl`, ...). */
  source: string;
  description: string;
  params: S;
  /** The corpus source of this input when its parameters decide it (generic readers); default `source`. */
  sourceName?(params: z.infer<S>): string;
  list(params: z.infer<S>, env: SourceEnv): Promise<RemoteFile[]>;
  plan(files: LocalFile[], params: z.infer<S>, env: SourceEnv): Promise<ReadTask[]>;
  read(task: ReadTask, params: z.infer<S>, ctx: ReadContext): AsyncIterable<Doc>;
}

export function defineSource<S extends z.ZodType>(def: SourceDef<S>): SourceDef<S> {
  return def;
}

/** One task per file: for sources whose files cannot be split. */
export async function wholeFileTasks(files: LocalFile[]): Promise<ReadTask[]> {
  return files.map((f) => ({ path: f.path, name: f.name, url: f.url, bytes: f.size }));
}
