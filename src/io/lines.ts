/**
 * Line-oriented reading with byte offsets, and the byte-range rule that lets one large
 * line-oriented file (JSONL, Posts.xml rows) split into many tasks.
 *
 * Range rule: a task [start, end) owns every line that *starts* inside it. A reader that begins
 * at start > 0 skips the partial line it lands in (unless byte start-1 is a newline) and reads past
 * `end` to finish its last line, so ranges tile the file with no line read twice or lost.
 */
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openDecompressed, type Compression } from './compression.js';

export interface Line {
  /** The line's bytes without the newline (and without a trailing CR). */
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
  let carry: Buffer | null = null;
  let carryOffset = baseOffset;
  let pos = baseOffset;
  let index = 0;
  for await (const chunk of stream) {
    let from = 0;
    let nl = chunk.indexOf(NL, 0);
    while (nl !== -1) {
      let bytes = chunk.subarray(from, nl);
      let offset = pos + from;
      if (carry) {
        bytes = Buffer.concat([carry, bytes]);
        offset = carryOffset;
        carry = null;
      }
      yield { bytes: trimCR(bytes), offset, index: index++ };
      from = nl + 1;
      nl = chunk.indexOf(NL, from);
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (carry) carry = Buffer.concat([carry, rest]);
      else {
        // Copy: the chunk's memory may be reused by the stream.
        carry = Buffer.from(rest);
        carryOffset = pos + from;
      }
    }
    pos += chunk.length;
  }
  if (carry && carry.length > 0) yield { bytes: trimCR(carry), offset: carryOffset, index: index++ };
}

function trimCR(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === CR ? b.subarray(0, b.length - 1) : b;
}

export interface LineRange {
  start: number;
  end: number;
}

/**
 * Reads the lines of `path` that start inside [range.start, range.end) (uncompressed files only),
 * or every line of the whole (possibly compressed) file when no range is given.
 */
export async function* readLines(path: string, range?: LineRange, compression?: Compression, onRawBytes?: (n: number) => void): AsyncGenerator<Line> {
  if (!range) {
    yield* splitLines(openDecompressed(path, { compression, onRawBytes }) as Readable & AsyncIterable<Buffer>, 0);
    return;
  }
  const { start, end } = range;
  let begin = start;
  if (start > 0) {
    // Find where the first owned line begins: just after the first newline at or after start-1.
    begin = await nextLineStart(path, start - 1);
    if (begin < 0 || begin >= end) return;
  }
  const stream = openDecompressed(path, { start: begin, end: undefined, compression: 'none', onRawBytes });
  try {
    for await (const line of splitLines(stream as AsyncIterable<Buffer>, begin)) {
      if (line.offset >= end) break;
      yield line;
    }
  } finally {
    stream.destroy();
  }
}

/** Offset just past the first newline at or after `from`, or -1 when there is none. */
async function nextLineStart(path: string, from: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    let pos = from;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return -1;
      const i = buf.subarray(0, bytesRead).indexOf(NL);
      if (i !== -1) return pos + i + 1;
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** Splits a file of `size` bytes into ranges of about `target` bytes (the last may be shorter). */
export function byteRanges(size: number, target: number): LineRange[] {
  if (size <= 0) return [{ start: 0, end: 0 }];
  const n = Math.max(1, Math.ceil(size / Math.max(1, target)));
  const ranges: LineRange[] = [];
  for (let i = 0; i < n; i++) ranges.push({ start: Math.floor((size * i) / n), end: Math.floor((size * (i + 1)) / n) });
  return ranges;
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
