/**
 * The byte-range rule that lets one large line-oriented file (JSONL, Posts.xml rows) be read by many
 * tasks: the planner side (cut a file into ranges of about `task_bytes`) and the reader side (where a
 * range's first line starts). lines.ts reads the lines of a range with these.
 *
 * Rule: a range [start, end) owns every line that *starts* inside it. A reader that begins at
 * start > 0 skips the partial line it lands in (unless byte start-1 is a newline) and reads past
 * `end` to finish its last line, so ranges tile the file with no line read twice or lost.
 * Compressed files cannot be entered mid-stream, so they are one task each.
 */
import { open } from 'node:fs/promises';
import { compressionOf } from './compression.js';

export interface ByteRange {
  start: number;
  end: number;
}

/** Splits a file of `size` bytes into ranges of about `target` bytes (the last may be shorter). */
export function byteRanges(size: number, target: number): ByteRange[] {
  if (size <= 0) return [{ start: 0, end: 0 }];
  const n = Math.max(1, Math.ceil(size / Math.max(1, target)));
  const ranges: ByteRange[] = [];
  for (let i = 0; i < n; i++) ranges.push({ start: Math.floor((size * i) / n), end: Math.floor((size * (i + 1)) / n) });
  return ranges;
}

/** One task's share of a line-oriented file: its byte count and, when the file is split, its range. */
export interface FileSplit {
  bytes: number;
  range?: ByteRange;
}

/**
 * The tasks of one line-oriented file: ranges of about `taskBytes` when the file (named by `path`)
 * is uncompressed, the whole file otherwise.
 */
export function splitLineFile(path: string, size: number, taskBytes: number): FileSplit[] {
  if (compressionOf(path) !== 'none') return [{ bytes: size }];
  return byteRanges(size, taskBytes).map((r) => ({ bytes: r.end - r.start, range: r }));
}

const NL = 0x0a;

/**
 * Offset of the first line owned by a range starting at `start`: `start` itself when it is 0 or
 * follows a newline, else just past the next newline; -1 when no line starts at or after `start`.
 */
export async function firstLineStart(path: string, start: number): Promise<number> {
  if (start <= 0) return 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    let pos = start - 1;
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
