/**
 * Document shards on disk: the writer (RedPajama JSON lines in `.jsonl.zst`, rotated by size,
 * written under temporary names and renamed only when complete) and the reader (`.jsonl`,
 * `.jsonl.gz`, `.json.gz`, `.jsonl.zst`, uncompressed files also by byte range; jsonl.ts does the
 * reading and quarantine, this module the mapping to documents).
 *
 * Memory: the writer holds one 1 MiB line buffer plus zstd's window (~2 MiB at level 3); the reader
 * one read chunk plus the longest line. Output bytes depend only on the documents written: lines are
 * fed to zstd in fixed 1 MiB blocks, never in timing-dependent chunks.
 */
import { tmpPath } from './atomic.js';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { CompressStream } from 'zstd-napi';
import { isUtf8 } from 'node:buffer';
import { type Doc, docFromJson, docToJson, lazyMetaDoc, provenanceId } from '../core/document.js';
import { CorpusError, errorMessage } from '../core/errors.js';
import { newOutputStats, type OutputStats, utf8Length } from '../core/stats.js';
import type { ByteRange } from './byte-ranges.js';
import { readJsonLines, type BadRecord } from './jsonl.js';
import type { ReadLimits } from './limits.js';
import { isParquetFile, readParquetDocs } from './parquet.js';

const SHARD_EXT = '.jsonl.zst';
const BLOCK = 1 << 20;

export interface ShardWriterOptions {
  /** Start a new file once this many uncompressed bytes are written (default 256 MiB). */
  maxBytes?: number;
  /** zstd level (default 3). */
  level?: number;
}

/** `part-00007-000.jsonl.zst`: the task's ordinal within its source, then the rotation index. */
function shardName(prefix: string, rotation: number): string {
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
  private readonly tmpFiles: Array<{ tmp: string; final: string }> = [];
  readonly stats: OutputStats = newOutputStats();
  /** The first write error (a full disk): every later call rejects with it, naming the file. */
  private failure: CorpusError | null = null;
  private readonly failed: Promise<never>;
  private rejectFailed: (e: CorpusError) => void = () => {};

  constructor(
    readonly dir: string,
    readonly prefix: string,
    opts: ShardWriterOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 256 << 20;
    this.level = opts.level ?? 3;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
  }

  private fail(e: Error, file: string): void {
    if (this.failure) return;
    this.failure = new CorpusError(`cannot write (${e.message})`, { file }, { cause: e });
    this.rejectFailed(this.failure);
  }

  /** Waits for `p`, or rejects as soon as a write failed (a stream that failed never drains or closes). */
  private until<T>(p: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.race([p, this.failed]);
  }

  private rotatePending = false;

  /**
   * Adds a document without waiting (for rejects written from inside a step's loop). Call settle()
   * soon after; write() does both.
   */
  enqueue(doc: Doc): void {
    const line = `${docToJson(doc)}\n`;
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
    if (this.failure) throw this.failure;
    if (this.zstd?.writableNeedDrain) await this.until(once(this.zstd, 'drain'));
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
    const final = join(this.dir, shardName(this.prefix, this.rotation));
    const tmp = tmpPath(final);
    this.rotation += 1;
    this.tmpFiles.push({ tmp, final });
    this.file = createWriteStream(tmp);
    this.zstd = new CompressStream({ compressionLevel: this.level });
    this.file.on('error', (e) => this.fail(e, final));
    this.zstd.on('error', (e) => this.fail(e, final));
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
    done.catch(() => {});
    this.zstd.end();
    await this.until(done);
    if (this.failure) throw this.failure;
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
    for (const { tmp, final } of this.tmpFiles) {
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
    for (const { tmp } of this.tmpFiles) await rm(tmp, { force: true });
  }
}

export type { BadRecord } from './jsonl.js';

export interface ReadShardOptions {
  range?: ByteRange;
  /** Source for records that carry none (plain JSONL from users). */
  source: string;
  /** Name used in ids of records without an id of their own. */
  inputName?: string;
  /** Called for each bad record; when absent, a bad record is an error. */
  onBad?: (bad: BadRecord) => void;
  /** Raw bytes read, for progress. */
  onBytes?: (n: number) => void;
  /**
   * The file was written by ShardWriter (a build's own shards): documents keep their meta as JSON
   * bytes until a step reads it (lazyMetaDoc), which saves parsing and writing it again for the
   * many steps that read only the text. Other lines are read the usual way.
   */
  ownShard?: boolean;
  /** Record-size and decompression-ratio caps (defaults: io/limits.ts). */
  limits?: Partial<ReadLimits>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEAD = Buffer.from('{"text":"');
const META_KEY = Buffer.from(',"meta":{');
const ID_KEY = Buffer.from(',"id":');
const SOURCE_KEY = Buffer.from(',"source":');

/** True when the quote at `q` ends a JSON string (an even number of backslashes before it). */
function unescaped(b: Buffer, q: number): boolean {
  let k = q - 1;
  while (b[k] === BACKSLASH) k--;
  return (q - 1 - k) % 2 === 0;
}

function hasAt(b: Buffer, at: number, what: Buffer): boolean {
  return at >= 0 && at + what.length <= b.length && b.compare(what, 0, what.length, at, at + what.length) === 0;
}

/**
 * A docToJson line `{"text":…,"meta":{…},"id":…,"source":…}` as a document with lazy meta, or null
 * when the line has another shape (it is then parsed in full). Quotes and backslashes are ASCII, so
 * the strings' ends are found in the UTF-8 bytes; the text, id and source literals are parsed, meta
 * is kept as bytes.
 */
function cutOwnLine(b: Buffer, file: string, where: string): Doc | null {
  if (!hasAt(b, 0, HEAD) || b[b.length - 1] !== 0x7d || b[b.length - 2] !== QUOTE || !isUtf8(b)) return null;
  let textEnd = b.indexOf(QUOTE, HEAD.length);
  while (textEnd !== -1 && !unescaped(b, textEnd)) textEnd = b.indexOf(QUOTE, textEnd + 1);
  if (textEnd === -1 || !hasAt(b, textEnd + 1, META_KEY)) return null;
  const metaStart = textEnd + META_KEY.length; // at the "{"
  let srcOpen = b.lastIndexOf(QUOTE, b.length - 3);
  while (srcOpen > 0 && !unescaped(b, srcOpen)) srcOpen = b.lastIndexOf(QUOTE, srcOpen - 1);
  const idClose = srcOpen - SOURCE_KEY.length - 1;
  if (srcOpen <= 0 || !hasAt(b, idClose + 1, SOURCE_KEY) || b[idClose] !== QUOTE) return null;
  let idOpen = b.lastIndexOf(QUOTE, idClose - 1);
  while (idOpen > 0 && !unescaped(b, idOpen)) idOpen = b.lastIndexOf(QUOTE, idOpen - 1);
  const metaEnd = idOpen - ID_KEY.length;
  if (idOpen <= 0 || !hasAt(b, metaEnd, ID_KEY) || metaEnd <= metaStart || b[metaEnd - 1] !== 0x7d) return null;
  const text = JSON.parse(b.toString('utf8', HEAD.length - 1, textEnd + 1)) as string;
  const id = JSON.parse(b.toString('utf8', idOpen, idClose + 1)) as string;
  const source = JSON.parse(b.toString('utf8', srcOpen, b.length - 1)) as string;
  // A copy: the line's bytes are only valid until the next line is read.
  return lazyMetaDoc(id, text, source, Buffer.from(b.subarray(metaStart, metaEnd)), (e) => {
    throw new CorpusError(`malformed_json: meta is not JSON: ${errorMessage(e)}`, { file, record: where });
  });
}

/** Reads documents from a JSON-lines file in any supported compression, or a Parquet shard (parquet.ts). */
export function readShard(path: string, opts: ReadShardOptions): AsyncGenerator<Doc> {
  if (isParquetFile(path)) return readParquetDocs(path, { source: opts.source, inputName: opts.inputName, onBad: opts.onBad, onBytes: opts.onBytes });
  const inputName = opts.inputName ?? basename(path);
  const ranged = opts.range !== undefined;
  return readJsonLines(path, {
    range: opts.range,
    onBytes: opts.onBytes,
    onBad: opts.onBad,
    fast: opts.ownShard ? (bytes, where) => cutOwnLine(bytes, path, where) : undefined,
    maxRecordBytes: opts.limits?.maxRecordBytes,
    maxRatio: opts.limits?.maxDecompressionRatio,
    reasons: { json: 'malformed_json', record: 'bad_document' },
    // Ids of id-less records: the byte offset in a splittable file, the line number otherwise.
    convert: (line) => docFromJson(line.value, provenanceId(opts.source, inputName, ranged ? `@${line.offset}` : line.index), opts.source),
  });
}

/** True for file names the shard reader accepts. */
export function isDocumentFile(name: string): boolean {
  return /\.(jsonl|jsonl\.gz|json\.gz|jsonl\.zst|json\.zst|ndjson|parquet)$/i.test(name);
}
