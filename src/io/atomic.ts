/**
 * Files that appear whole or not at all: everything is written to `<path>.tmp-<pid>-<n>` and
 * renamed to `<path>` when complete (rename is atomic within a filesystem), so a process killed
 * mid-write leaves only a temporary name that readers never list and a rerun removes. This is the
 * one naming convention for temporary files in the project.
 */
import { closeSync, createWriteStream, type Dirent, mkdirSync, openSync, renameSync, rmSync, writeSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';

const TMP_MARK = '.tmp-';
let counter = 0;

/** A fresh temporary name beside `path` (unique within this process, and across processes by pid). */
export function tmpPath(path: string): string {
  return `${path}${TMP_MARK}${process.pid}-${counter++}`;
}

/** True for a name `tmpPath` made (never a committed file). */
export function isTmpName(name: string): boolean {
  return name.includes(TMP_MARK);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value));
}

/**
 * Removes every temporary file or folder under `dir`, at any depth, except under the folders `skip`
 * names: what killed writers left, for a caller that knows no writer is live there (it holds the
 * output lock). Memory: one folder listing at a time.
 */
export async function removeTmpTree(dir: string, skip: (path: string) => boolean = () => false): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (isTmpName(e.name)) await rm(path, { recursive: true, force: true });
    else if (e.isDirectory() && !skip(path)) await removeTmpTree(path, skip);
  }
}

/**
 * Removes the temporary files (or folders: a mixture is assembled in one) in `dir` whose committed
 * name starts with one of `prefixes` (all when none is given): what a killed writer left.
 */
export async function removeTmpFiles(dir: string, ...prefixes: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const ours = (n: string) => isTmpName(n) && (prefixes.length === 0 || prefixes.some((p) => n.startsWith(p)));
  await Promise.all(names.filter(ours).map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

/**
 * A file written synchronously in blocks and renamed into place on `commit` (for hot loops that
 * write many small records: hashes, signatures). Nothing is created until the first write unless
 * `createEmpty` is set.
 */
export class AtomicFile {
  private fd = -1;
  private readonly tmp: string;
  private readonly buf: Buffer;
  private used = 0;
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly opts: { createEmpty?: boolean; bufferBytes?: number } = {},
  ) {
    this.tmp = tmpPath(path);
    this.buf = Buffer.allocUnsafe(opts.bufferBytes ?? 1 << 16);
  }

  private open(): void {
    if (this.fd !== -1) return;
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.tmp, 'w');
  }

  private flush(): void {
    if (this.used === 0) return;
    this.open();
    writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  /** Appends bytes (copied; large chunks go straight to the file). */
  write(data: Uint8Array): void {
    this.bytes += data.length;
    if (this.used + data.length > this.buf.length) {
      this.flush();
      if (data.length >= this.buf.length) {
        this.open();
        writeSync(this.fd, data);
        return;
      }
    }
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  /** Appends a string as UTF-8 (encoded straight into the buffer when it fits: no allocation per call). */
  writeString(s: string): void {
    const worst = s.length * 3;
    if (this.used + worst > this.buf.length) {
      this.flush();
      if (worst > this.buf.length) {
        this.write(Buffer.from(s, 'utf8'));
        return;
      }
    }
    const n = this.buf.write(s, this.used, 'utf8');
    this.used += n;
    this.bytes += n;
  }

  /** Appends a little-endian uint32 (the hot path of hash and signature files). */
  u32(v: number): void {
    if (this.used + 4 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(v >>> 0, this.used);
    this.used += 4;
    this.bytes += 4;
  }

  /** Completes the file; returns false when nothing was written and no empty file was wanted. */
  commit(): boolean {
    this.flush();
    if (this.fd === -1) {
      if (!this.opts.createEmpty) return false;
      this.open();
    }
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.path);
    return true;
  }

  abort(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}

/** A set of AtomicLineFiles in one folder, by name, committed together. */
export class AtomicLineFileSet {
  private readonly files = new Map<string, AtomicLineFile>();
  constructor(private readonly dir: string) {}

  async write(name: string, line: string): Promise<void> {
    let f = this.files.get(name);
    if (!f) {
      f = new AtomicLineFile(join(this.dir, name));
      this.files.set(name, f);
    }
    await f.write(line);
  }

  async commit(): Promise<void> {
    for (const f of this.files.values()) await f.commit();
  }
}

/** Lines appended through a write stream (with backpressure) and renamed into place on `commit`. */
export class AtomicLineFile {
  private out: WriteStream | null = null;
  /** A write error (a full disk), raised by the next call instead of crashing the process. */
  private error: Error | null = null;
  private readonly tmp: string;
  lines = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(readonly path: string) {
    this.tmp = tmpPath(path);
  }

  async write(line: string): Promise<void> {
    this.lines++;
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= 1 << 16) await this.flush();
  }

  private async stream(): Promise<WriteStream> {
    if (!this.out) {
      await mkdir(dirname(this.path), { recursive: true });
      this.out = createWriteStream(this.tmp);
      this.out.on('error', (e) => {
        this.error ??= e;
      });
    }
    return this.out;
  }

  private check(): void {
    if (this.error) throw new Error(`${this.path}: cannot write (${this.error.message})`, { cause: this.error });
  }

  private async flush(): Promise<void> {
    this.check();
    const out = await this.stream();
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingBytes = 0;
    if (!out.write(chunk)) {
      // The listener of whichever event did not come is removed, or every wait would leave one behind.
      const done = new AbortController();
      await Promise.race([once(out, 'drain', { signal: done.signal }), once(out, 'close', { signal: done.signal })]).finally(() => done.abort());
    }
    this.check();
  }

  async commit(): Promise<void> {
    await this.flush();
    const out = this.out!;
    if (!out.closed) {
      const closed = once(out, 'close');
      out.end();
      await closed;
    }
    this.check();
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    this.out?.destroy();
    await rm(this.tmp, { force: true });
  }
}
