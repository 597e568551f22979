/**
 * Documents in Parquet: the reader (any Parquet file, Hugging Face datasets exports such as FineWeb,
 * SlimPajama or RedPajama-V2, with configurable text, id, source and meta columns, one row group at
 * a time) and the shard writer (a stage's `format: parquet` output).
 *
 * Libraries: hyparquet reads, hyparquet-writer writes (pure JS, no native code); ZSTD goes through
 * zstd-napi (the same libzstd as our JSON-lines shards), the other codecs through
 * hyparquet-compressors (snappy in WASM, gzip, brotli, LZ4). docs/parquet.md has the measurements
 * behind the choice.
 *
 * Shard layout (the JSON line's keys, in its order): `text`, `meta` (the meta object as a JSON
 * string, since meta keys differ from document to document), `id`, `source`, all required UTF-8
 * strings. Rows are buffered into row groups of ~1 MiB of text+meta, so a file's bytes depend only on
 * its documents (never on timing), zstd-compressed; files rotate at `maxBytes` like the JSON-lines
 * writer and keep a `.tmp` name until commit().
 *
 * Memory: the writer holds one row group (~1 MiB plus its encoded pages); the reader holds one row
 * group of the columns it reads (a Parquet row group is the unit the format can decode).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors as hyparquetCompressors } from 'hyparquet-compressors';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { type Doc, provenanceId } from '../core/document.js';
import { CorpusError, errorMessage } from '../core/errors.js';
import { newOutputStats, type OutputStats, utf8Length } from '../core/stats.js';

const PARQUET_EXT = '.parquet';
/** Uncompressed text+meta bytes per row group. */
const ROW_GROUP_BYTES = 1 << 20;

export function isParquetFile(name: string): boolean {
  return name.toLowerCase().endsWith(PARQUET_EXT);
}

// ---------------------------------------------------------------------------------------------
// Writer

const SHARD_COLUMNS = ['text', 'meta', 'id', 'source'] as const;
const SHARD_SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: SHARD_COLUMNS.length },
  ...SHARD_COLUMNS.map((name): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' })),
];

/** hyparquet-writer's buffer, drained into a file descriptor after every row group. */
class FdWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 20);
  }

  flush(): void {
    if (this.index > 0) writeSync(this.fd, new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }
}

export interface ParquetShardWriterOptions {
  /** Start a new file once this many uncompressed bytes are written (default 256 MiB). */
  maxBytes?: number;
  /** zstd level (default 3). */
  level?: number;
}

/** `part-00007-000.parquet`: the task's ordinal within its source, then the rotation index. */
function parquetShardName(prefix: string, rotation: number): string {
  return `${prefix}-${String(rotation).padStart(3, '0')}${PARQUET_EXT}`;
}

/** Writes documents as Parquet shards; the same contract as io/shards.ts's ShardWriter. */
export class ParquetShardWriter {
  private readonly maxBytes: number;
  private readonly level: number;
  private fd: number | null = null;
  private writer: ParquetWriter | null = null;
  private columns: Record<(typeof SHARD_COLUMNS)[number], string[]> = { text: [], meta: [], id: [], source: [] };
  private pendingBytes = 0;
  private fileBytes = 0;
  private rotation = 0;
  private readonly tmpFiles: string[] = [];
  readonly stats: OutputStats = newOutputStats();

  constructor(
    readonly dir: string,
    readonly prefix: string,
    opts: ParquetShardWriterOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 256 << 20;
    this.level = opts.level ?? 3;
  }

  enqueue(doc: Doc): void {
    if (!this.writer) this.openNext();
    const meta = JSON.stringify(doc.meta);
    this.columns.text.push(doc.text);
    this.columns.meta.push(meta);
    this.columns.id.push(doc.id);
    this.columns.source.push(doc.source);
    const textBytes = utf8Length(doc.text);
    const n = textBytes + utf8Length(meta) + utf8Length(doc.id) + utf8Length(doc.source);
    this.pendingBytes += n;
    this.fileBytes += n;
    this.stats.docs += 1;
    this.stats.text_bytes += textBytes;
    if (this.pendingBytes >= ROW_GROUP_BYTES) this.writeRowGroup();
    // Writing is synchronous, so a full file is finished here: where files rotate depends only on the documents.
    if (this.fileBytes >= this.maxBytes) this.finishFile();
  }

  /** Nothing to wait for (writes are synchronous); part of the writer contract. */
  async settle(): Promise<void> {}

  async write(doc: Doc): Promise<void> {
    this.enqueue(doc);
    await this.settle();
  }

  private openNext(): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `${parquetShardName(this.prefix, this.rotation)}.tmp`);
    this.rotation += 1;
    this.tmpFiles.push(tmp);
    this.fd = openSync(tmp, 'w');
    const level = this.level;
    this.writer = new ParquetWriter({
      writer: new FdWriter(this.fd),
      schema: SHARD_SCHEMA,
      codec: 'ZSTD',
      compressors: { ZSTD: (bytes: Uint8Array) => new Uint8Array(zstdCompress(bytes, { compressionLevel: level })) },
      statistics: false,
      // No version in it: the bytes must not change with the package version.
      createdBy: 'corpusmill',
    });
    this.fileBytes = 0;
  }

  private writeRowGroup(): void {
    const rows = this.columns.text.length;
    if (!this.writer || rows === 0) return;
    const columnData = SHARD_COLUMNS.map((name) => ({ name, data: this.columns[name], statistics: name === 'id' || name === 'source' }));
    // One call, one row group: rowGroupSize is the whole block.
    void this.writer.write({ columnData, rowGroupSize: rows });
    this.columns = { text: [], meta: [], id: [], source: [] };
    this.pendingBytes = 0;
  }

  private finishFile(): void {
    if (!this.writer || this.fd === null) return;
    this.writeRowGroup();
    void this.writer.finish();
    closeSync(this.fd);
    this.writer = null;
    this.fd = null;
  }

  async close(): Promise<void> {
    this.finishFile();
  }

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

  async abort(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.writer = null;
    for (const tmp of this.tmpFiles) await rm(tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

const COMPRESSORS = {
  ...hyparquetCompressors,
  ZSTD: (input: Uint8Array) => new Uint8Array(zstdDecompress(input)),
};
const SUPPORTED_CODECS = new Set(['UNCOMPRESSED', ...Object.keys(COMPRESSORS)]);

/** Column values as JSON: int64 as numbers (what JSON.parse would give), dates as ISO strings. */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => isoTime(Number(v)),
  timestampFromMicroseconds: (v: bigint) => isoTime(Number(v / 1000n)),
  timestampFromNanoseconds: (v: bigint) => isoTime(Number(v / 1000000n)),
  dateFromDays: (days: number) => isoTime(days * 86_400_000)?.slice(0, 10) ?? null,
};

function isoTime(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A decoded Parquet value as the JSON value a JSON-lines copy of the row would hold. */
function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return isoTime(v.getTime());
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonValue(x);
    return out;
  }
  return String(v);
}

interface ParquetColumns {
  /** Column with the document text (default `text`). */
  text?: string;
  /** Column with the document id (default `id`; rows without one get `<source>/<file>/<row>`). */
  id?: string;
  /** Column with the corpus source name (default `source`; else the reader's `source`). */
  source?: string;
  /** A struct, map or JSON-object string column that becomes meta (default `meta`, else `metadata`, when present). */
  meta?: string | null;
  /** Further columns copied into meta under their own names; `'*'` = every other column. */
  metaColumns?: string[] | '*';
}

export interface ReadParquetOptions {
  /** Source for rows that carry none. */
  source: string;
  /** Name used in ids of rows without an id of their own (default: the file name). */
  inputName?: string;
  columns?: ParquetColumns;
  /** Row groups [from, to) to read (default: all). */
  rowGroups?: [number, number];
  /** Called for each bad row (or unreadable row group); when absent, a bad row is an error. */
  onBad?: (bad: { reason: string; file: string; record: number | string; detail: string; raw?: string }) => void;
  /** Compressed bytes read, for progress. */
  onBytes?: (n: number) => void;
}

/** The footer of a Parquet file; a file that is not Parquet is a CorpusError naming it. */
export async function readParquetMetadata(path: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  const file = await asyncBufferFromFile(path);
  try {
    return { file, metadata: await parquetMetadataAsync(file) };
  } catch (e) {
    throw new CorpusError(`not a readable Parquet file (${errorMessage(e)})`, { file: path });
  }
}

/** Compressed bytes of a row group. */
export function rowGroupBytes(metadata: FileMetaData, g: number): number {
  const rg = metadata.row_groups[g]!;
  if (rg.total_compressed_size !== undefined) return Number(rg.total_compressed_size);
  return rg.columns.reduce((a, c) => a + Number(c.meta_data?.total_compressed_size ?? 0n), 0);
}

/** Top-level column names, in file order. */
function topLevelColumns(metadata: FileMetaData): string[] {
  const schema = metadata.schema;
  const names: string[] = [];
  // schema[0] is the root; its children are the columns, each followed by its own descendants.
  let i = 1;
  const skip = (): void => {
    // Steps over one element and all its descendants.
    const n = schema[i]!.num_children ?? 0;
    i++;
    for (let c = 0; c < n; c++) skip();
  };
  while (i < schema.length) {
    names.push(schema[i]!.name);
    skip();
  }
  return names;
}

/** Which columns a read takes, resolved against the file's schema. */
function resolveColumns(path: string, available: string[], cols: ParquetColumns) {
  const has = new Set(available);
  const text = cols.text ?? 'text';
  if (!has.has(text)) throw new CorpusError(`no text column "${text}" (columns: ${available.join(', ')})`, { file: path });
  const id = has.has(cols.id ?? 'id') ? (cols.id ?? 'id') : null;
  if (cols.id !== undefined && id === null) throw new CorpusError(`no id column "${cols.id}" (columns: ${available.join(', ')})`, { file: path });
  const source = has.has(cols.source ?? 'source') ? (cols.source ?? 'source') : null;
  if (cols.source !== undefined && source === null) throw new CorpusError(`no source column "${cols.source}" (columns: ${available.join(', ')})`, { file: path });
  let meta: string | null = null;
  if (cols.meta === undefined) meta = has.has('meta') ? 'meta' : has.has('metadata') ? 'metadata' : null;
  else if (cols.meta !== null) {
    if (!has.has(cols.meta)) throw new CorpusError(`no meta column "${cols.meta}" (columns: ${available.join(', ')})`, { file: path });
    meta = cols.meta;
  }
  const used = new Set([text, id, source, meta].filter((c): c is string => c !== null));
  let extra: string[] = [];
  if (cols.metaColumns === '*') extra = available.filter((c) => !used.has(c));
  else if (cols.metaColumns) {
    for (const c of cols.metaColumns) if (!has.has(c)) throw new CorpusError(`no column "${c}" for meta (columns: ${available.join(', ')})`, { file: path });
    extra = cols.metaColumns;
  }
  const read = [...new Set([...used, ...extra])];
  return { text, id, source, meta, extra, read };
}

/** A file whose column chunks use a codec we cannot decompress is refused up front, naming the column. */
function checkCodecs(path: string, metadata: FileMetaData): void {
  for (const rg of metadata.row_groups)
    for (const c of rg.columns) {
      const codec = c.meta_data?.codec;
      if (codec && !SUPPORTED_CODECS.has(codec)) throw new CorpusError(`column ${c.meta_data!.path_in_schema.join('.')} uses the unsupported codec ${codec}`, { file: path });
    }
}

type RowGroupRead = { g: number; rowStart: number; rows: number } & ({ objects: Record<string, unknown>[]; error?: undefined } | { objects?: undefined; error: unknown });

/** Row groups [from, to) of a file, one in memory at a time: their rows as objects, or why a group could not be read. */
async function* rowGroups(file: AsyncBuffer, metadata: FileMetaData, columns: string[] | undefined, from: number, to: number): AsyncGenerator<RowGroupRead> {
  let rowStart = 0;
  for (let g = 0; g < from; g++) rowStart += Number(metadata.row_groups[g]!.num_rows);
  for (let g = from; g < to; g++) {
    const rows = Number(metadata.row_groups[g]!.num_rows);
    let read: RowGroupRead;
    try {
      read = {
        g,
        rowStart,
        rows,
        objects: await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd: rowStart + rows, compressors: COMPRESSORS, parsers: PARSERS, utf8: true }),
      };
    } catch (error) {
      read = { g, rowStart, rows, error };
    }
    yield read;
    rowStart += rows;
  }
}

/**
 * Reads a Parquet file's rows as documents, one row group at a time. Row `i` of the file (counted
 * from 0 across row groups) without an id gets `<source>/<inputName>/<i>`: a JSON-lines copy of the
 * same rows gives the same ids (its line index).
 */
export async function* readParquetDocs(path: string, opts: ReadParquetOptions): AsyncGenerator<Doc> {
  const { file, metadata } = await readParquetMetadata(path);
  const inputName = opts.inputName ?? basename(path);
  const cols = resolveColumns(path, topLevelColumns(metadata), opts.columns ?? {});
  checkCodecs(path, metadata);
  const [from, to] = opts.rowGroups ?? [0, metadata.row_groups.length];
  const bad = (b: { reason: string; record: number | string; detail: string; raw?: string }) => {
    if (!opts.onBad) throw new CorpusError(`${b.reason}: ${b.detail}`, { file: path, record: String(b.record) });
    opts.onBad({ ...b, file: path });
  };
  for await (const { g, rowStart, rows, objects, error } of rowGroups(file, metadata, cols.read, from, to)) {
    if (!objects) {
      bad({ reason: 'parquet_unreadable_row_group', record: `row group ${g} (rows ${rowStart}-${rowStart + rows - 1})`, detail: `${rows} rows lost: ${errorMessage(error)}` });
      continue;
    }
    opts.onBytes?.(rowGroupBytes(metadata, g));
    for (let k = 0; k < objects.length; k++) {
      const row = objects[k]!;
      const index = rowStart + k;
      const doc = rowToDoc(row, cols, provenanceId(opts.source, inputName, index), opts.source);
      if (typeof doc === 'string') bad({ reason: 'bad_document', record: `row ${index}`, detail: doc, raw: JSON.stringify(jsonValue(row)).slice(0, 200) });
      else yield doc;
    }
  }
}

/**
 * Every row of a Parquet file as a plain JSON-like object (all top-level columns; integers as
 * numbers, timestamps as ISO strings, binary as base64), one row group in memory at a time: the row
 * format `io/rows.ts` reads benchmark and other tabular files with. An unreadable row group is an error.
 */
export async function* readParquetRows(path: string, opts: { onBytes?: (n: number) => void } = {}): AsyncGenerator<Record<string, unknown>> {
  const { file, metadata } = await readParquetMetadata(path);
  checkCodecs(path, metadata);
  for await (const { g, rowStart, rows, objects, error } of rowGroups(file, metadata, undefined, 0, metadata.row_groups.length)) {
    if (!objects) throw new CorpusError(`unreadable row group ${g} (${errorMessage(error)})`, { file: path, record: `rows ${rowStart}-${rowStart + rows - 1}` });
    opts.onBytes?.(rowGroupBytes(metadata, g));
    for (const row of objects) yield jsonValue(row) as Record<string, unknown>;
  }
}

/** One row as a document, or why it is not one. */
function rowToDoc(row: Record<string, unknown>, cols: ReturnType<typeof resolveColumns>, fallbackId: string, fallbackSource: string): Doc | string {
  const text = row[cols.text];
  if (typeof text !== 'string') return `expected a string "${cols.text}" column, got ${text === null || text === undefined ? 'null' : typeof text}`;
  let meta: Record<string, unknown> = {};
  if (cols.meta !== null) {
    let m = row[cols.meta];
    if (typeof m === 'string') {
      try {
        m = JSON.parse(m);
      } catch (e) {
        return `the "${cols.meta}" column is not JSON (${errorMessage(e)})`;
      }
    }
    if (m !== null && m !== undefined) {
      const v = jsonValue(m);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `the "${cols.meta}" column is not an object`;
      meta = v as Record<string, unknown>;
    }
  }
  for (const c of cols.extra) meta[c] = jsonValue(row[c]);
  const idValue = cols.id !== null ? row[cols.id] : undefined;
  const id = typeof idValue === 'string' ? idValue : typeof idValue === 'number' || typeof idValue === 'bigint' ? String(idValue) : fallbackId;
  const sourceValue = cols.source !== null ? row[cols.source] : undefined;
  return { id, text, source: typeof sourceValue === 'string' ? sourceValue : fallbackSource, meta };
}
