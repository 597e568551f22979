/**
 * Streaming decompression by format, one place for the whole project.
 *
 * Which tool handles which format, and why (figures in the README, from `npm run bench:io`):
 * - gzip: Node's zlib. It reads multi-member files (WARC, `.json.gz` written in blocks) as one stream
 *   and is as fast as system gzip through a pipe.
 * - zstd: zstd-napi (the project's zstd binding; libzstd compiled in, no system dependency).
 * - bzip2: the system `lbzip2` when present (parallel), else `bzip2`. Both read multistream files
 *   (Wikipedia's multistream dumps); every pure-JS bzip2 decoder measured was several times slower.
 * A truncated stream is an error naming the file, never a silent short read.
 */
import { createReadStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import { CorpusError } from '../core/errors.js';
import { findTool } from './tools.js';

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
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {}); // EPIPE when the reader stops early; the exit status tells the rest
  // The readable side ends only once bzip2 has exited successfully: a truncated or corrupt stream
  // makes it exit non-zero after writing what it could, and that must surface as an error.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  child.stdout.pipe(out, { end: false });
  const duplex = Duplex.from({ writable: child.stdin, readable: out });
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (signal === null) out.destroy(new Error(stderr.trim() || `bzip2 exited with ${code}`));
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
}

/**
 * Opens a local file as a stream of decompressed bytes. Errors (I/O, corrupt or truncated
 * compressed data) are rethrown as CorpusError naming the file.
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
  if (opts.onRawBytes) {
    const report = opts.onRawBytes;
    raw.on('data', (c: Buffer | string) => report(c.length));
  }
  if (compression === 'none') return wrapErrors(raw, path, compression);
  const dec = decompressor(compression, path);
  raw.on('error', (e) => dec.destroy(e));
  return wrapErrors(raw.pipe(dec), path, compression);
}

function wrapErrors(stream: Readable, path: string, compression: Compression): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  stream.on('error', (e: Error) => {
    const what = compression === 'none' ? 'read failed' : `corrupt or truncated ${compression} data`;
    out.destroy(new CorpusError(`${what} (${e.message})`, { file: path }, { cause: e }));
  });
  stream.pipe(out);
  out.on('close', () => stream.destroy());
  return out;
}
