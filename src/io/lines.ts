/**
 * Line-oriented reading with byte offsets: a byte stream split into lines, and the lines of a file
 * (any supported compression) or of one byte range of an uncompressed file (byte-ranges.ts has the
 * rule that makes ranges tile a file).
 *
 * Lines are bounded: one longer than `maxLineBytes` is never held. Its first bytes are kept for the
 * report and the rest streamed past to its newline; it is handed to `onOversize` (the caller
 * quarantines it) or, without one, it is an error naming the file and the line's offset.
 */
import type { Readable } from 'node:stream';
import { CorpusError } from '../core/errors.js';
import { firstLineStart, type ByteRange } from './byte-ranges.js';
import { openDecompressed, type Compression } from './compression.js';
import { DEFAULT_MAX_RECORD_BYTES } from './limits.js';

export interface Line {
  /** The line's bytes without the newline (and without a trailing CR); valid until the next line. */
  bytes: Buffer;
  /** Byte offset of the line's first byte in the (decompressed) stream or file. */
  offset: number;
  /** 0-based index of the line in its range. */
  index: number;
}

/** A line longer than the cap: where it starts, how long it is, and its first bytes. */
export interface OversizeLine {
  offset: number;
  index: number;
  /** The line's full length in bytes (without the newline). */
  size: number;
  /** Its first bytes (at most OVERSIZE_HEAD), for the quarantine record. */
  head: Buffer;
}

export interface SplitOptions {
  /** Lines longer than this are not held (default DEFAULT_MAX_RECORD_BYTES). */
  maxLineBytes?: number;
  /** Receives each over-size line (not yielded); without it an over-size line is an error. */
  onOversize?: (line: OversizeLine) => void;
  /** The file, for errors. */
  label?: string;
}

const NL = 0x0a;
const CR = 0x0d;
const OVERSIZE_HEAD = 1024;

/** Splits a byte stream into lines; `baseOffset` is the offset of the stream's first byte. */
export async function* splitLines(stream: AsyncIterable<Buffer>, baseOffset = 0, opts: SplitOptions = {}): AsyncGenerator<Line> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_RECORD_BYTES;
  // A line spread over several chunks is kept as a list of pieces and joined once, when its newline
  // arrives: appending each chunk to one growing buffer would cost time quadratic in its length.
  let pieces: Buffer[] = [];
  let pieceBytes = 0;
  /** Length so far of a line over the cap (-1: the current line is within the cap). */
  let over = -1;
  let head: Buffer = Buffer.alloc(0);
  let carryOffset = baseOffset;
  let pos = baseOffset;
  let index = 0;
  const oversize = (offset: number, size: number) => {
    const line = { offset, index: index++, size, head };
    head = Buffer.alloc(0);
    if (!opts.onOversize)
      throw new CorpusError(`a line of ${size} bytes is longer than the ${max}-byte record limit (max_record_bytes)`, { file: opts.label, record: `byte ${offset}` });
    opts.onOversize(line);
  };
  for await (const chunk of stream) {
    let from = 0;
    let nl = chunk.indexOf(NL, 0);
    while (nl !== -1) {
      if (over >= 0) {
        oversize(carryOffset, over + nl - from);
        over = -1;
      } else if (pieceBytes + nl - from > max) {
        head = Buffer.concat([...pieces, chunk.subarray(from, nl)]).subarray(0, OVERSIZE_HEAD);
        oversize(pieces.length > 0 ? carryOffset : pos + from, pieceBytes + nl - from);
        pieces = [];
        pieceBytes = 0;
      } else {
        let bytes = chunk.subarray(from, nl);
        let offset = pos + from;
        if (pieces.length > 0) {
          pieces.push(bytes);
          bytes = Buffer.concat(pieces);
          offset = carryOffset;
          pieces = [];
          pieceBytes = 0;
        }
        yield { bytes: trimCR(bytes), offset, index: index++ };
      }
      from = nl + 1;
      nl = chunk.indexOf(NL, from);
    }
    if (from < chunk.length) {
      const rest = chunk.length - from;
      if (over >= 0) over += rest;
      else {
        if (pieces.length === 0) carryOffset = pos + from;
        if (pieceBytes + rest > max) {
          // Over the cap: keep the first bytes for the report, count the rest, hold nothing more.
          head = Buffer.from(Buffer.concat([...pieces, chunk.subarray(from)]).subarray(0, OVERSIZE_HEAD));
          over = pieceBytes + rest;
          pieces = [];
          pieceBytes = 0;
        } else {
          // Copy: the chunk's memory may be reused by the stream.
          pieces.push(Buffer.from(chunk.subarray(from)));
          pieceBytes += rest;
        }
      }
    }
    pos += chunk.length;
  }
  if (over >= 0) oversize(carryOffset, over);
  else if (pieces.length > 0) yield { bytes: trimCR(Buffer.concat(pieces)), offset: carryOffset, index: index++ };
}

function tooLong(path: string, opts: SplitOptions): (l: OversizeLine) => void {
  return (l) => {
    throw new CorpusError(`a line of ${l.size} bytes is longer than the ${opts.maxLineBytes ?? DEFAULT_MAX_RECORD_BYTES}-byte record limit (max_record_bytes)`, {
      file: path,
      record: `byte ${l.offset}`,
    });
  };
}

function trimCR(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === CR ? b.subarray(0, b.length - 1) : b;
}

export interface ReadLinesOptions {
  /** Read only the lines that start inside this range (uncompressed files only). */
  range?: ByteRange;
  /** Default: from the file name. */
  compression?: Compression;
  /**
   * Called with raw (still compressed) bytes consumed, for progress. A range reports exactly its own
   * length in all, though its reader looks past both ends to find line boundaries.
   */
  onBytes?: (n: number) => void;
  /** Line cap and what to do with longer lines (see splitLines). */
  maxLineBytes?: number;
  onOversize?: (line: OversizeLine) => void;
  /** Decompression-ratio cap (see openDecompressed). */
  maxRatio?: number;
}

/** Reads the lines of `path`: all of them, or those of one byte range. */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const { range, compression, onBytes } = opts;
  const split: SplitOptions = { maxLineBytes: opts.maxLineBytes, onOversize: opts.onOversize, label: path };
  if (!range) {
    yield* splitLines(
      openDecompressed(path, { compression, onRawBytes: onBytes, maxRatio: opts.maxRatio, slack: opts.maxLineBytes }) as Readable & AsyncIterable<Buffer>,
      0,
      split,
    );
    return;
  }
  const { start, end } = range;
  let owed = Math.max(0, end - start);
  const report = onBytes
    ? (n: number) => {
        const k = Math.min(n, owed);
        owed -= k;
        if (k > 0) onBytes(k);
      }
    : undefined;
  const begin = await firstLineStart(path, start);
  if (begin >= 0 && begin < end) {
    const stream = openDecompressed(path, { start: begin, compression, onRawBytes: report });
    try {
      // An over-size line starting past the range's end belongs to the next range: not reported here.
      const inRange: SplitOptions = { ...split, onOversize: (l) => (l.offset < end ? (split.onOversize ?? tooLong(path, split))(l) : undefined) };
      for await (const line of splitLines(stream as AsyncIterable<Buffer>, begin, inRange)) {
        if (line.offset >= end) break;
        yield line;
      }
    } finally {
      stream.destroy();
    }
  }
  report?.(owed);
}
