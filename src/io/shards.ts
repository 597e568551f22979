/**
 * Document shards on disk: the writer (RedPajama JSON lines in `.jsonl.zst`, rotated by size,
 * written under temporary names and renamed only when complete) and the reader (`.jsonl`,
 * `.jsonl.gz`, `.json.gz`, `.jsonl.zst`, uncompressed files also by byte range).
 *
 * Memory: the writer holds one 1 MiB line buffer plus zstd's window (~2 MiB at level 3); the reader
 * one read chunk plus the longest line. Output bytes depend only on the documents written: lines are
 * fed to zstd in fixed 1 MiB blocks, never in timing-dependent chunks.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { CompressStream } from 'zstd-napi';
import { type Doc, docFromJson, docToJson, provenanceId } from '../core/document.js';
import { CorpusError, errorMessage } from '../core/errors.js';
import { newOutputStats, type OutputStats, utf8Length } from '../core/stats.js';
import { compressionOf } from './compression.js';
import { readLines, type LineRange } from './lines.js';
import { isParquetFile, readParquetDocs } from './parquet.js';

export const SHARD_EXT = '.jsonl.zst';
const BLOCK = 1 << 20;

export interface ShardWriterOptions {
  /** Start a new file once this many uncompressed bytes are written (default 256 MiB). */
  maxBytes?: number;
  /** zstd level (default 3). */
  level?: number;
}

/** `part-00007-000.jsonl.zst`: the task's ordinal within its source, then the rotation index. */
export function shardName(prefix: string, rotation: number): string {
  return `${prefix}-${String(rotation).padStart(3, '0')}${SHARD_EXT}`;
}

export class ShardWriter {
  private readonly maxBytes: number;
  private readonly level: number;
  private file: WriteStream | null = null;
  private zstd: CompressStream | null = null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private fileBytes = 0;
  private rotation = 0;
  private readonly tmpFiles: string[] = [];
  readonly stats: OutputStats = newOutputStats();

  constructor(
    readonly dir: string,
    readonly prefix: string,
    opts: ShardWriterOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 256 << 20;
    this.level = opts.level ?? 3;
  }

  private rotatePending = false;

  /**
   * Adds a document without waiting (for rejects written from inside a step's loop). Call settle()
   * soon after; write() does both.
   */
  enqueue(doc: Doc): void {
    const line = docToJson(doc) + '\n';
    const n = utf8Length(line);
    if (!this.zstd) this.openNext();
    this.pending.push(line);
    this.pendingBytes += n;
    this.fileBytes += n;
    this.stats.docs += 1;
    this.stats.text_bytes += utf8Length(doc.text);
    if (this.pendingBytes >= BLOCK) this.flushBlock();
    if (this.fileBytes >= this.maxBytes) this.rotatePending = true;
  }

  /** Waits for zstd to drain and rotates the file when it is full. */
  async settle(): Promise<void> {
    if (this.zstd?.writableNeedDrain) await once(this.zstd, 'drain');
    if (this.rotatePending) {
      this.rotatePending = false;
      await this.finishFile();
    }
  }

  async write(doc: Doc): Promise<void> {
    this.enqueue(doc);
    await this.settle();
  }

  private openNext(): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, shardName(this.prefix, this.rotation) + '.tmp');
    this.rotation += 1;
    this.tmpFiles.push(tmp);
    this.file = createWriteStream(tmp);
    this.zstd = new CompressStream({ compressionLevel: this.level });
    this.zstd.pipe(this.file);
    this.fileBytes = 0;
  }

  private flushBlock(): void {
    if (!this.zstd || this.pending.length === 0) return;
    const block = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.zstd.write(block);
  }

  private async finishFile(): Promise<void> {
    if (!this.zstd || !this.file) return;
    this.flushBlock();
    const file = this.file;
    const done = once(file, 'close');
    this.zstd.end();
    await done;
    this.zstd = null;
    this.file = null;
  }

  /** Finishes the last file. Files keep their temporary names until commit(). */
  async close(): Promise<void> {
    await this.finishFile();
  }

  /** Renames the finished files to their final names; returns the final paths. */
  async commit(): Promise<string[]> {
    const finals: string[] = [];
    for (const tmp of this.tmpFiles) {
      const final = tmp.slice(0, -'.tmp'.length);
      await rename(tmp, final);
      this.stats.file_bytes += (await stat(final)).size;
      finals.push(final);
    }
    this.stats.files = finals.map((f) => basename(f));
    return finals;
  }

  /** Removes everything written so far (a failed task). */
  async abort(): Promise<void> {
    this.zstd?.destroy();
    this.file?.destroy();
    for (const tmp of this.tmpFiles) await rm(tmp, { force: true });
  }
}

/** A raw record the reader could not turn into a document. */
export interface BadRecord {
  reason: string;
  file: string;
  record: number | string;
  detail: string;
  raw?: string;
}

export interface ReadShardOptions {
  range?: LineRange;
  /** Source for records that carry none (plain JSONL from users). */
  source: string;
  /** Name used in ids of records without an id of their own. */
  inputName?: string;
  /** Called for each bad record; when absent, a bad record is an error. */
  onBad?: (bad: BadRecord) => void;
  /** Raw bytes read, for progress. */
  onBytes?: (n: number) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads documents from a JSON-lines file in any supported compression, or a Parquet shard (parquet.ts). */
export async function* readShard(path: string, opts: ReadShardOptions): AsyncGenerator<Doc> {
  if (isParquetFile(path)) {
    yield* readParquetDocs(path, { source: opts.source, inputName: opts.inputName, onBad: opts.onBad, onBytes: opts.onBytes });
    return;
  }
  const compression = compressionOf(path);
  const inputName = opts.inputName ?? basename(path);
  const ranged = opts.range !== undefined;
  let lastRecord: number | string = 0;
  try {
    for await (const line of readLines(path, opts.range, compression, opts.onBytes)) {
      // Ids of id-less records: the byte offset in a splittable file, the line number otherwise.
      const record = ranged ? `@${line.offset}` : line.index;
      lastRecord = ranged ? line.offset : line.index + 1;
      if (line.bytes.length === 0) continue;
      let text: string;
      try {
        text = utf8.decode(line.bytes);
      } catch {
        report(opts, { reason: 'invalid_utf8', file: path, record: lineLabel(line, ranged), detail: 'line is not valid UTF-8', raw: line.bytes.toString('latin1').slice(0, 200) });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        report(opts, { reason: 'malformed_json', file: path, record: lineLabel(line, ranged), detail: errorMessage(e), raw: text.slice(0, 200) });
        continue;
      }
      try {
        yield docFromJson(value, provenanceId(opts.source, inputName, record), opts.source);
      } catch (e) {
        report(opts, { reason: 'bad_document', file: path, record: lineLabel(line, ranged), detail: errorMessage(e), raw: text.slice(0, 200) });
      }
    }
  } catch (e) {
    if (e instanceof CorpusError) throw new CorpusError(`${e.message} after ${describeRecord(lastRecord, ranged)}`, {}, { cause: e });
    throw e;
  }
}

function lineLabel(line: { index: number; offset: number }, ranged: boolean): string {
  return ranged ? `byte ${line.offset}` : `line ${line.index + 1}`;
}

function describeRecord(n: number | string, ranged: boolean): string {
  return ranged ? `byte ${n}` : `line ${n}`;
}

function report(opts: ReadShardOptions, bad: BadRecord): void {
  if (!opts.onBad) throw new CorpusError(`${bad.reason}: ${bad.detail}`, { file: bad.file, record: String(bad.record) });
  opts.onBad(bad);
}

/** True for file names the shard reader accepts. */
export function isDocumentFile(name: string): boolean {
  return /\.(jsonl|jsonl\.gz|json\.gz|jsonl\.zst|json\.zst|ndjson|parquet)$/i.test(name);
}

/** Uncompressed JSONL can be split into byte ranges; compressed files are read whole. */
export function isSplittable(name: string): boolean {
  return compressionOf(name) === 'none' && !isParquetFile(name);
}

export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { force: true });
}
