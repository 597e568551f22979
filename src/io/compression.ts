/**
 * Streaming decompression by format, one place for the whole project.
 *
 * Which tool handles which format, and why (figures in the README, from `npm run bench:io`):
 * - gzip: Node's zlib. It reads multi-member files (WARC, `.json.gz` written in blocks) as one stream
 *   and is as fast as system gzip through a pipe.
 * - zstd: zstd-napi (the project's zstd binding; libzstd compiled in, no system dependency).
 * - bzip2: the system `lbzip2` when present (parallel), else `bzip2`. Both read multistream files
 *   (Wikipedia's multistream dumps); every pure-JS bzip2 decoder measured was several times slower.
 * A truncated stream is an error naming the file (CorruptInputError), never a silent short read; a
 * stream that decompresses to more than `maxRatio` times its input (plus `slack`) is stopped as a
 * decompression bomb (DecompressionBombError) before it costs more time.
 */
import { createReadStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import { CorpusError } from '../core/errors.js';
import { DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_MAX_RECORD_BYTES } from './limits.js';
import { findTool } from './tools.js';

/** A file that cannot be read to its end: truncated or corrupt compressed data, an I/O error. */
export class CorruptInputError extends CorpusError {
  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super(message, { file }, options);
    this.name = 'CorruptInputError';
  }
}

/** A compressed stream that expands beyond the ratio cap. `offset`: decompressed bytes when stopped. */
export class DecompressionBombError extends CorpusError {
  /** The message without the file (for a quarantine record that names the file itself). */
  readonly detail: string;
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly rawBytes: number,
    readonly maxRatio: number,
  ) {
    const detail = `decompression bomb: ${rawBytes} compressed bytes expanded to more than ${offset} (max_decompression_ratio ${maxRatio})`;
    super(detail, { file });
    this.detail = detail;
    this.name = 'DecompressionBombError';
  }
}

/**
 * The one line of a tool's stderr worth showing (bzip2 and 7z print banners, usage hints and
 * advice over several lines): the first line that names a problem, else the last non-empty one.
 */
export function toolErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = lines.find((l) => /error|unexpected|corrupt|truncat|crc|cannot|can't|fail|invalid|premature/i.test(l));
  return (bad ?? lines.at(-1) ?? '').replace(/^(bzip2|lbzip2|7-zip[^:]*):\s*/i, '');
}

export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2';

/** Compression from a file name's extension (`.gz`, `.zst`, `.bz2`), `none` otherwise. */
export function compressionOf(name: string): Compression {
  const base = name.toLowerCase().replace(/\?.*$/, '');
  if (base.endsWith('.gz') || base.endsWith('.gzip')) return 'gzip';
  if (base.endsWith('.zst') || base.endsWith('.zstd')) return 'zstd';
  if (base.endsWith('.bz2')) return 'bzip2';
  return 'none';
}

/** Compression from the first bytes of a file, for inputs whose names do not tell. */
export function compressionOfMagic(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  return 'none';
}

/** A transform that decompresses `compression`; errors name `label` (a file or URL). */
function decompressor(compression: Compression, label: string): Duplex {
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      // 64 KiB output chunks: the 16 KiB default costs a thread-pool round trip per 16 KiB (measured
      // 3× slower on multi-member WET files in bench/web.ts).
      return createGunzip({ chunkSize: 1 << 16 });
    case 'zstd':
      return new DecompressStream();
    case 'bzip2':
      return bzip2Decompressor(label);
  }
}

function bzip2Decompressor(label: string): Duplex {
  const tool = findTool(['lbzip2', 'bzip2']);
  if (!tool) throw new CorpusError('bzip2 input needs the `lbzip2` or `bzip2` command (Debian: apt-get install bzip2)', { file: label });
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  child.stdin.on('error', () => {}); // EPIPE when the reader stops early; the exit status tells the rest
  // The readable side ends only once bzip2 has exited successfully: a truncated or corrupt stream
  // makes it exit non-zero after writing what it could, and that must surface as an error.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  child.stdout.pipe(out, { end: false });
  const duplex = Duplex.from({ writable: child.stdin, readable: out });
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (signal === null) out.destroy(new Error(toolErrorLine(stderr) || `bzip2 exited with ${code}`));
  });
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return duplex;
}

export interface OpenOptions {
  /** First byte to read (uncompressed inputs only). */
  start?: number;
  /** Byte after the last one to read (uncompressed inputs only). */
  end?: number;
  /**
   * The range [start, end) starts and ends on boundaries of independent compressed streams (the
   * streams of a multistream bz2 dump, the members of a multi-member gzip), so it can be decompressed
   * on its own. Allows start/end on compressed inputs.
   */
  alignedRange?: boolean;
  compression?: Compression;
  highWaterMark?: number;
  /** Called with the count of raw (still compressed) bytes read, for progress. */
  onRawBytes?: (n: number) => void;
  /** Decompressed bytes allowed per raw byte (default DEFAULT_MAX_DECOMPRESSION_RATIO; Infinity: no cap). */
  maxRatio?: number;
  /** Decompressed bytes allowed on top of the ratio (default DEFAULT_MAX_RECORD_BYTES), so a small file's first record never trips it. */
  slack?: number;
}

/**
 * Opens a local file as a stream of decompressed bytes. Errors (I/O, corrupt or truncated
 * compressed data) are rethrown as CorruptInputError naming the file; a stream expanding past the
 * ratio cap ends with DecompressionBombError.
 */
export function openDecompressed(path: string, opts: OpenOptions = {}): Readable {
  const compression = opts.compression ?? compressionOf(path);
  if (compression !== 'none' && !opts.alignedRange && (opts.start !== undefined || opts.end !== undefined)) {
    throw new CorpusError('byte ranges need an uncompressed input (or a range aligned on compressed streams)', { file: path });
  }
  const raw = createReadStream(path, {
    start: opts.start,
    end: opts.end === undefined ? undefined : opts.end - 1,
    highWaterMark: opts.highWaterMark ?? 1 << 20,
  });
  let rawBytes = 0;
  const report = opts.onRawBytes;
  raw.on('data', (c: Buffer | string) => {
    rawBytes += c.length;
    report?.(c.length);
  });
  if (compression === 'none') return wrapErrors(raw, path, compression);
  const dec = decompressor(compression, path);
  raw.on('error', (e) => dec.destroy(e));
  const out = wrapErrors(raw.pipe(dec), path, compression);
  const ratio = opts.maxRatio ?? DEFAULT_MAX_DECOMPRESSION_RATIO;
  if (Number.isFinite(ratio)) {
    const slack = opts.slack ?? DEFAULT_MAX_RECORD_BYTES;
    let outBytes = 0;
    const watch = (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > ratio * rawBytes + slack) {
        dec.off('data', watch);
        out.destroy(new DecompressionBombError(path, outBytes, rawBytes, ratio));
      }
    };
    dec.on('data', watch);
  }
  return out;
}

function wrapErrors(stream: Readable, path: string, compression: Compression): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  stream.on('error', (e: Error) => {
    const what = compression === 'none' ? 'read failed' : `corrupt or truncated ${compression} data`;
    out.destroy(new CorruptInputError(`${what} (${e.message.split('\n')[0]})`, path, { cause: e }));
  });
  stream.pipe(out);
  out.on('close', () => stream.destroy());
  return out;
}
