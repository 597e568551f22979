/**
 * Line-oriented reading with byte offsets: a byte stream split into lines, and the lines of a file
 * (any supported compression) or of one byte range of an uncompressed file (byte-ranges.ts has the
 * rule that makes ranges tile a file).
 */
import type { Readable } from 'node:stream';
import { firstLineStart, type ByteRange } from './byte-ranges.js';
import { openDecompressed, type Compression } from './compression.js';

export interface Line {
  /** The line's bytes without the newline (and without a trailing CR); valid until the next line. */
  bytes: Buffer;
  /** Byte offset of the line's first byte in the (decompressed) stream or file. */
  offset: number;
  /** 0-based index of the line in its range. */
  index: number;
}

const NL = 0x0a;
const CR = 0x0d;

/** Splits a byte stream into lines; `baseOffset` is the offset of the stream's first byte. */
export async function* splitLines(stream: AsyncIterable<Buffer>, baseOffset = 0): AsyncGenerator<Line> {
  // A line spread over several chunks is kept as a list of pieces and joined once, when its newline
  // arrives: appending each chunk to one growing buffer would cost time quadratic in its length.
  let pieces: Buffer[] = [];
  let carryOffset = baseOffset;
  let pos = baseOffset;
  let index = 0;
  for await (const chunk of stream) {
    let from = 0;
    let nl = chunk.indexOf(NL, 0);
    while (nl !== -1) {
      let bytes = chunk.subarray(from, nl);
      let offset = pos + from;
      if (pieces.length > 0) {
        pieces.push(bytes);
        bytes = Buffer.concat(pieces);
        offset = carryOffset;
        pieces = [];
      }
      yield { bytes: trimCR(bytes), offset, index: index++ };
      from = nl + 1;
      nl = chunk.indexOf(NL, from);
    }
    if (from < chunk.length) {
      if (pieces.length === 0) carryOffset = pos + from;
      // Copy: the chunk's memory may be reused by the stream.
      pieces.push(Buffer.from(chunk.subarray(from)));
    }
    pos += chunk.length;
  }
  if (pieces.length > 0) yield { bytes: trimCR(Buffer.concat(pieces)), offset: carryOffset, index: index++ };
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
}

/** Reads the lines of `path`: all of them, or those of one byte range. */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const { range, compression, onBytes } = opts;
  if (!range) {
    yield* splitLines(openDecompressed(path, { compression, onRawBytes: onBytes }) as Readable & AsyncIterable<Buffer>, 0);
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
      for await (const line of splitLines(stream as AsyncIterable<Buffer>, begin)) {
        if (line.offset >= end) break;
        yield line;
      }
    } finally {
      stream.destroy();
    }
  }
  report?.(owed);
}
