/**
 * JSON-lines reading with quarantine, one loop for every JSONL input (document shards, C4, BigQuery
 * exports, users' files): lines of any supported compression, or of one byte range of an
 * uncompressed file, decoded as UTF-8, parsed and converted to records. A line that fails any of the
 * three is a bad record handed to `onBad` with its file, its line number or byte offset, the reason
 * and the start of its raw text; without `onBad` it is an error naming file and record. So is a line
 * longer than `maxRecordBytes` (`record_too_large`, streamed past, never held) and a decompression
 * bomb (`decompression_bomb`: the rest of the file, from the decompressed offset where it was stopped).
 */
import { CorpusError, errorMessage } from '../core/errors.js';
import type { ByteRange } from './byte-ranges.js';
import { DecompressionBombError, type Compression } from './compression.js';
import { DEFAULT_MAX_RECORD_BYTES } from './limits.js';
import { readLines } from './lines.js';

/** A raw record the reader could not turn into a document. */
export interface BadRecord {
  reason: string;
  file: string;
  record: number | string;
  detail: string;
  raw?: string;
}

/** One parsed line. */
export interface JsonLine {
  value: unknown;
  /** The line's text. */
  text: string;
  /** Byte offset of the line in the (decompressed) file. */
  offset: number;
  /** 0-based line number (within the range, when there is one). */
  index: number;
}

export interface JsonLinesOptions<T> {
  range?: ByteRange;
  /** Default: from the file name. */
  compression?: Compression;
  /** Raw bytes consumed, for progress (a range reports exactly its length). */
  onBytes?: (n: number) => void;
  /** Bad records are named `line N` (1-based) or `byte N` (offset); default: `byte` in a range, `line` otherwise. */
  position?: 'line' | 'byte';
  /** Turns a parsed line into a record; a throw makes the line a bad record (reason `reasons.record`). */
  convert: (line: JsonLine) => T;
  /** Reasons recorded for lines that are not UTF-8, not JSON, or rejected by `convert`. */
  reasons?: { utf8?: string; json?: string; record?: string };
  /** Called for each bad record; when absent, a bad record is an error. */
  onBad?: (bad: BadRecord) => void;
  /**
   * Tried first on each line's bytes: a record built without the generic decode and parse, or null
   * to take the generic path (shards.ts reads its own documents this way).
   */
  fast?: (bytes: Buffer, where: string) => T | null;
  /** Longest line read (default DEFAULT_MAX_RECORD_BYTES); longer ones are bad records. */
  maxRecordBytes?: number;
  /** Decompression-ratio cap (see openDecompressed). */
  maxRatio?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const RAW_CHARS = 200;

/** Streams the records of a JSON-lines file; empty lines are skipped. */
export async function* readJsonLines<T>(path: string, opts: JsonLinesOptions<T>): AsyncGenerator<T> {
  const byOffset = (opts.position ?? (opts.range ? 'byte' : 'line')) === 'byte';
  const where = (offset: number, index: number) => (byOffset ? `byte ${offset}` : `line ${index + 1}`);
  const bad = (b: BadRecord) => {
    if (!opts.onBad) throw new CorpusError(`${b.reason}: ${b.detail}`, { file: b.file, record: String(b.record) });
    opts.onBad(b);
  };
  let lastOffset = opts.range?.start ?? 0;
  let lastIndex = -1;
  const maxLineBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  try {
    const lines = readLines(path, {
      range: opts.range,
      compression: opts.compression,
      onBytes: opts.onBytes,
      maxLineBytes,
      maxRatio: opts.maxRatio,
      onOversize: (l) =>
        bad({
          reason: 'record_too_large',
          file: path,
          record: where(l.offset, l.index),
          detail: `a line of ${l.size} bytes is longer than max_record_bytes (${maxLineBytes}); streamed past`,
          raw: l.head.toString('latin1', 0, RAW_CHARS),
        }),
    });
    for await (const line of lines) {
      lastOffset = line.offset;
      lastIndex = line.index;
      if (line.bytes.length === 0) continue;
      if (opts.fast) {
        const r = opts.fast(line.bytes, where(line.offset, line.index));
        if (r !== null) {
          yield r;
          continue;
        }
      }
      let text: string;
      try {
        text = utf8.decode(line.bytes);
      } catch {
        bad({
          reason: opts.reasons?.utf8 ?? 'invalid_utf8',
          file: path,
          record: where(line.offset, line.index),
          detail: 'line is not valid UTF-8',
          raw: line.bytes.toString('latin1', 0, RAW_CHARS),
        });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        bad({ reason: opts.reasons?.json ?? 'malformed_json', file: path, record: where(line.offset, line.index), detail: errorMessage(e), raw: text.slice(0, RAW_CHARS) });
        continue;
      }
      let record: T;
      try {
        record = opts.convert({ value, text, offset: line.offset, index: line.index });
      } catch (e) {
        bad({ reason: opts.reasons?.record ?? 'bad_record', file: path, record: where(line.offset, line.index), detail: errorMessage(e), raw: text.slice(0, RAW_CHARS) });
        continue;
      }
      yield record;
    }
  } catch (e) {
    if (e instanceof DecompressionBombError && opts.onBad) {
      // Nothing after this point can be trusted to be data: the rest of the file is one bad record.
      const after = lastIndex < 0 ? 'before the first line' : `after ${where(lastOffset, lastIndex)}`;
      opts.onBad({ reason: 'decompression_bomb', file: path, record: `byte ${e.offset} (decompressed), ${after}`, detail: e.detail });
      return;
    }
    // A read error (truncated gzip, I/O) says how far the file was read; the error keeps its class.
    if (e instanceof CorpusError && e.where.record === undefined) {
      e.message = `${e.message} after ${where(lastOffset, lastIndex)}`;
      (e.where as { record?: string }).record = where(lastOffset, lastIndex);
    }
    throw e;
  }
}
