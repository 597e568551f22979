/**
 * Records of a JSON file that is either one top-level array (`[{...}, {...}]`, the layout of
 * Stanford's alpaca_data.json) or JSON lines, told apart by the first byte that is not whitespace.
 * Both stream: an array is cut into its elements by a byte scanner that follows strings, escapes and
 * nesting depth, so only one element is held at a time, never the whole array. An element or line
 * that does not parse is yielded with its error (the caller quarantines it) and reading goes on; a
 * file that breaks the array's own structure (no `[`, ends inside the array, text after `]`) is a
 * CorpusError naming the file and byte. An element or line longer than `maxRecordBytes` is read past
 * without being held and yielded as `record_too_large`.
 */
import type { Readable } from 'node:stream';
import { CorpusError, errorMessage } from '../core/errors.js';
import { openDecompressed } from './compression.js';
import { splitLines } from './lines.js';
import { DEFAULT_MAX_RECORD_BYTES } from './limits.js';

function tooLarge(index: number, offset: number, size: number, max: number, head: Buffer): JsonRecord {
  return {
    index,
    offset,
    reason: 'record_too_large',
    detail: `a record of ${size} bytes is longer than max_record_bytes (${max}); read past`,
    raw: head.toString('latin1', 0, 200),
  };
}

export interface JsonRecord {
  /** 0-based element index in the array, or line index in JSON lines (blank lines counted, not yielded). */
  index: number;
  /** Byte offset of the element or line in the (decompressed) file. */
  offset: number;
  value?: unknown;
  /** Why the record could not be read (`malformed_json`, `invalid_utf8`, `record_too_large`), with `detail` and `raw`. */
  reason?: 'malformed_json' | 'invalid_utf8' | 'record_too_large';
  detail?: string;
  raw?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const BOM = [0xef, 0xbb, 0xbf];

function parse(bytes: Buffer, index: number, offset: number): JsonRecord {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { index, offset, reason: 'invalid_utf8', detail: 'record is not valid UTF-8', raw: bytes.toString('latin1').slice(0, 200) };
  }
  try {
    return { index, offset, value: JSON.parse(text) };
  } catch (e) {
    return { index, offset, reason: 'malformed_json', detail: errorMessage(e), raw: text.slice(0, 200) };
  }
}

/** Reads the records of `path` (any supported compression). */
export async function* readJsonRecords(path: string, opts: { onBytes?: (n: number) => void; maxRecordBytes?: number; maxRatio?: number } = {}): AsyncGenerator<JsonRecord> {
  const max = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const stream = openDecompressed(path, { onRawBytes: opts.onBytes, maxRatio: opts.maxRatio, slack: max }) as Readable & AsyncIterable<Buffer>;
  const it = stream[Symbol.asyncIterator]();
  // Peek until the first byte that is not whitespace (or a UTF-8 BOM) decides the layout.
  const head: Buffer[] = [];
  let first = -1;
  while (first < 0) {
    const r = await it.next();
    if (r.done) return;
    head.push(r.value);
    const all = head.length === 1 ? r.value : Buffer.concat(head);
    let i = all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf ? 3 : 0;
    while (i < all.length && WS.has(all[i]!)) i++;
    if (i < all.length) first = all[i]!;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  try {
    if (first === 0x5b) yield* arrayElements(chunks(), path, max);
    else {
      const over: JsonRecord[] = [];
      for await (const line of splitLines(chunks(), 0, { maxLineBytes: max, onOversize: (l) => over.push(tooLarge(l.index, l.offset, l.size, max, l.head)) })) {
        yield* over.splice(0);
        if (line.bytes.every((b) => WS.has(b))) continue;
        yield parse(line.bytes, line.index, line.offset);
      }
      yield* over.splice(0);
    }
  } finally {
    stream.destroy();
  }
}

enum Phase {
  Start,
  BeforeElement,
  InElement,
  Done,
}

/** The elements of a top-level JSON array, one at a time. */
export async function* arrayElements(chunks: AsyncIterable<Buffer>, label: string, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): AsyncGenerator<JsonRecord> {
  let phase = Phase.Start as Phase;
  let pos = 0; // offset of the current chunk's first byte
  let index = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let afterComma = false;
  let bom = 0;
  let elemStart = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  /** The current element passed the cap: its first bytes, and no more are kept. */
  let overHead: Buffer | null = null;
  const fail = (at: number, what: string): never => {
    throw new CorpusError(`${what} at byte ${at}`, { file: label });
  };
  for await (const chunk of chunks) {
    let from = -1; // where the current element starts in this chunk, when it does
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (phase) {
        case Phase.Start:
          // a UTF-8 byte order mark, possibly split across chunks
          if (pos + i < 3 && b === BOM[pos + i] && (pos + i === 0 || bom === pos + i)) {
            bom++;
            continue;
          }
          if (WS.has(b)) continue;
          if (b !== 0x5b) fail(pos + i, 'expected "[" (a JSON array)');
          phase = Phase.BeforeElement;
          continue;
        case Phase.BeforeElement:
          if (WS.has(b)) continue;
          if (b === 0x5d) {
            if (afterComma) fail(pos + i, 'a "]" after a "," (trailing comma)');
            phase = Phase.Done;
            continue;
          }
          if (b === 0x2c) fail(pos + i, 'an empty array element');
          phase = Phase.InElement;
          elemStart = pos + i;
          from = i;
          depth = 0;
          inString = false;
          escaped = false;
          i--; // read this byte as part of the element
          continue;
        case Phase.InElement:
          if (inString) {
            if (escaped) escaped = false;
            else if (b === 0x5c) escaped = true;
            else if (b === 0x22) inString = false;
            continue;
          }
          if (b === 0x22) inString = true;
          else if (b === 0x7b || b === 0x5b) depth++;
          else if ((b === 0x7d || b === 0x5d) && depth > 0) depth--;
          else if (depth === 0 && (b === 0x2c || b === 0x5d)) {
            const size = partBytes + i - Math.max(from, 0);
            if (overHead || size > maxRecordBytes) {
              yield tooLarge(
                index++,
                elemStart,
                pos + i - elemStart,
                maxRecordBytes,
                overHead ?? Buffer.concat([...parts, chunk.subarray(Math.max(from, 0), i)]).subarray(0, 1024),
              );
            } else {
              parts.push(chunk.subarray(Math.max(from, 0), i));
              yield parse(Buffer.concat(parts), index++, elemStart);
            }
            parts = [];
            partBytes = 0;
            overHead = null;
            from = -1;
            afterComma = b === 0x2c;
            phase = b === 0x2c ? Phase.BeforeElement : Phase.Done;
          }
          continue;
        case Phase.Done:
          if (!WS.has(b)) fail(pos + i, 'text after the end of the array');
          continue;
      }
    }
    // the element goes on in the next chunk: keep a copy (the stream may reuse this memory), up to the cap
    if (phase === Phase.InElement && !overHead) {
      const rest = chunk.subarray(Math.max(from, 0));
      if (partBytes + rest.length > maxRecordBytes) {
        overHead = Buffer.from(Buffer.concat([...parts, rest]).subarray(0, 1024));
        parts = [];
        partBytes = 0;
      } else {
        parts.push(Buffer.from(rest));
        partBytes += rest.length;
      }
    }
    pos += chunk.length;
  }
  if (phase !== Phase.Done)
    fail(pos, phase === Phase.InElement ? `the file ends inside element ${index} (which starts at byte ${elemStart})` : 'the file ends before the array is closed');
}
