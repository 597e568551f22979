/**
 * The per-document line hashes a scan task computed, kept on disk in document order so the main
 * pass of the same task reads them back instead of hashing every line again (cc_net's sharded
 * dedup keeps its hashes in files the same way).
 *
 * Record per document: u32 LE FNV-1a of the document id, u32 LE line count, then the line hashes
 * as [lo, hi] u32 LE pairs: 8 bytes per line, ~13% of the text on typical web pages. The main
 * pass sees the same documents in the same order (steps are deterministic); the id check makes
 * that an assertion: on the first document that does not match, the reader turns itself off and
 * the step hashes the rest of the task directly (counted `hash_stream_mismatch`), so a stale or
 * foreign file can cost time but never change the output.
 * Memory: one 1 MiB buffer each way. I/O is synchronous: each task runs on its own worker thread.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { AtomicFile } from '../../io/atomic.js';

const BUF = 1 << 20;

function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class HashStreamWriter {
  private readonly file: AtomicFile;

  constructor(path: string) {
    this.file = new AtomicFile(path, { createEmpty: true, bufferBytes: BUF });
  }

  write(id: string, hashes: Uint32Array): void {
    this.file.u32(idHash(id));
    this.file.u32(hashes.length / 2);
    for (let i = 0; i < hashes.length; i++) this.file.u32(hashes[i]!);
  }

  /** Completes the file (renamed into place when whole). */
  close(): void {
    this.file.commit();
  }
}

export class HashStreamReader {
  private fd: number | null;
  private readonly buf = Buffer.allocUnsafe(BUF);
  private start = 0;
  private end = 0;
  /** False once a document did not match (or the file is missing): callers hash directly. */
  active: boolean;

  constructor(file: string) {
    try {
      this.fd = openSync(file, 'r');
      this.active = true;
    } catch {
      this.fd = null;
      this.active = false;
    }
  }

  private u32(): number | null {
    if (this.end - this.start < 4) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      if (this.fd !== null) this.end += readSync(this.fd, this.buf, this.end, BUF - this.end, null);
      if (this.end < 4) return null;
    }
    const v = this.buf.readUInt32LE(this.start);
    this.start += 4;
    return v;
  }

  /** The stored hashes of this document, or null (and the reader turns off) when they do not match. */
  next(id: string, nlines: number): Uint32Array | null {
    if (!this.active) return null;
    const h = this.u32();
    const n = this.u32();
    if (h !== idHash(id) || n !== nlines) return this.stop();
    const out = new Uint32Array(nlines * 2);
    for (let i = 0; i < out.length; i++) {
      const v = this.u32();
      if (v === null) return this.stop();
      out[i] = v;
    }
    return out;
  }

  private stop(): null {
    this.active = false;
    this.close();
    return null;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
