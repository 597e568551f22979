/**
 * Streaming tar reading (tar-stream) that is safe on hostile archives, for every source that reads
 * tarballs (arXiv monthly tars and e-prints, GitHub repository tarballs, PG-19 archives).
 *
 * Members are never extracted to disk by path: each is yielded as a normalised relative path plus
 * its bytes, so `..` components, absolute paths, symlinks, hard links and device files cannot reach
 * outside a work folder. Unsafe members are reported (`skipped`) with a reason instead of read;
 * oversize members (and decompression bombs, via `limitBytes`) stop at a configurable size.
 */
import { Transform, type Readable } from 'node:stream';
import { posix } from 'node:path';
import tar from 'tar-stream';
import { CorpusError } from '../core/errors.js';
import { CorruptInputError } from './compression.js';

type SkipReason = 'unsafe_path' | 'link' | 'special_file' | 'too_large';

export interface TarMember {
  /** Normalised relative path (no leading `/`, no `.` or `..` components). */
  path: string;
  size: number;
  mtime?: Date;
  /** The member's bytes (files only, at most maxMemberBytes). */
  data: Buffer;
}

export interface TarSkip {
  path: string;
  reason: SkipReason;
}

export interface ReadTarOptions {
  /** Name for errors (the archive's file or URL). */
  label: string;
  /** Members larger than this are skipped as `too_large` (default 512 MiB). */
  maxMemberBytes?: number;
  /** Called for every member not yielded. */
  onSkip?: (skip: TarSkip) => void;
  /** Only read members whose normalised path passes (others are skipped without reading). */
  select?: (path: string) => boolean;
}

/**
 * Normalises a member name to a safe relative path, or returns null when it would escape
 * (absolute after stripping, or climbing with `..`).
 */
export function safeMemberPath(name: string): string | null {
  const stripped = name.replace(/\\/g, '/').replace(/^\/+/, '');
  if (stripped === '' || /^[A-Za-z]:/.test(stripped)) return null;
  const norm = posix.normalize(stripped);
  if (norm === '.' || norm === '..' || norm.startsWith('../') || posix.isAbsolute(norm)) return null;
  if (stripped.split('/').includes('..')) return null;
  return norm.replace(/\/$/, '');
}

/** Yields the regular files of a tar stream (already decompressed), in archive order. */
export async function* readTar(input: Readable, opts: ReadTarOptions): AsyncGenerator<TarMember> {
  const max = opts.maxMemberBytes ?? 512 << 20;
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const type = h.type ?? 'file';
      const path = safeMemberPath(h.name);
      const skip = (reason: SkipReason) => {
        opts.onSkip?.({ path: path ?? h.name, reason });
        entry.resume();
      };
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (path === null) {
        skip('unsafe_path');
        continue;
      }
      if (type === 'symlink' || type === 'link') {
        skip('link');
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        skip('special_file');
        continue;
      }
      if (opts.select && !opts.select(path)) {
        entry.resume();
        continue;
      }
      const size = h.size ?? 0;
      if (size > max) {
        skip('too_large');
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      yield { path, size, mtime: h.mtime, data: Buffer.concat(chunks) };
    }
  } catch (e) {
    if (e instanceof CorpusError) throw e;
    if (e instanceof SizeLimitError) throw new CorpusError(e.message, { file: opts.label }, { cause: e });
    throw new CorruptInputError(`corrupt or truncated tar (${(e as Error).message})`, opts.label, { cause: e });
  } finally {
    input.unpipe(extract);
    input.destroy();
  }
}

/** Thrown by limitBytes when a stream grows past its cap (a decompression bomb). */
export class SizeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed data exceeds ${limit} bytes`);
    this.name = 'SizeLimitError';
  }
}

/** A pass-through that fails with SizeLimitError once more than `limit` bytes went through. */
export function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new SizeLimitError(limit));
      else cb(null, chunk);
    },
  });
}
