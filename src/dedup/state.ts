/**
 * Files that dedup passes leave in a step's state folder: line files written tmp-then-rename (a
 * crashed task never leaves a half file that a later pass would trust), listed by a name pattern, and
 * read back line by line. Also the rule that picks a cluster's survivor.
 */
import { closeSync, createReadStream, createWriteStream, openSync, renameSync, writeSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { splitLines } from '../io/lines.js';

/** Appends lines to `<dir>/<name>.tmp-<pid>` and renames it to `<dir>/<name>` on commit. */
export class AtomicLineFile {
  private readonly out: WriteStream;
  private readonly tmp: string;
  readonly path: string;
  lines = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(dir: string, name: string) {
    this.path = join(dir, name);
    this.tmp = `${this.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.out = createWriteStream(this.tmp);
  }

  async write(line: string): Promise<void> {
    this.lines++;
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= 1 << 16) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async commit(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'close');
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    this.out.destroy();
    await rm(this.tmp, { force: true });
  }
}

/** A line file written synchronously in 64 KiB blocks, tmp then rename; empty files are not created. */
export class SyncLineFile {
  private fd = -1;
  private pending: string[] = [];
  private bytes = 0;
  constructor(readonly path: string) {}

  write(line: string): void {
    this.pending.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd === -1) this.fd = openSync(`${this.path}.tmp-${process.pid}`, 'w');
    writeSync(this.fd, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.bytes = 0;
  }

  commit(): void {
    this.flush();
    if (this.fd === -1) return;
    closeSync(this.fd);
    renameSync(`${this.path}.tmp-${process.pid}`, this.path);
  }
}

/** A set of AtomicLineFiles by key, committed together. */
export class LineFileSet {
  private readonly files = new Map<string, AtomicLineFile>();
  constructor(private readonly dir: string) {}

  async write(name: string, line: string): Promise<void> {
    let f = this.files.get(name);
    if (!f) {
      f = new AtomicLineFile(this.dir, name);
      this.files.set(name, f);
    }
    await f.write(line);
  }

  async commit(): Promise<void> {
    for (const f of this.files.values()) await f.commit();
  }
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Committed files in `dir` whose names match `pattern`, sorted by name (deterministic order). */
export async function listState(dir: string, pattern: RegExp): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => pattern.test(n) && !n.includes('.tmp-'))
    .sort()
    .map((n) => join(dir, n));
}

/** Removes what an earlier run of the same pass left (so a smaller rerun never reads stale files). */
export async function removeState(dir: string, pattern: RegExp): Promise<void> {
  for (const f of await listState(dir, pattern)) await rm(f, { force: true });
}

export async function* readStateLines(path: string): AsyncGenerator<string> {
  for await (const line of splitLines(createReadStream(path))) if (line.bytes.length > 0) yield line.bytes.toString('utf8');
}

/**
 * The survivor rule shared by exact and near dedup: the lowest (source, id). Ids compare in natural
 * order (digit runs as numbers), so within one input the earliest record wins: provenance ids end in
 * the record index or byte offset (`c4/file.json/5` < `c4/file.json/100`). It depends only on the
 * documents, never on task order or worker count, so reruns keep the same one.
 */
export function compareSourceId(a: { source: string; id: string }, b: { source: string; id: string }): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return compareNatural(a.id, b.id);
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Natural order: digit runs compare by value, other characters by code unit; ties fall back to plain order. */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      let sj = j;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      if (ei - si !== ej - sj) return ei - si < ej - sj ? -1 : 1;
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    i++;
    j++;
  }
  if (a.length - i !== b.length - j) return a.length - i < b.length - j ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Rank of the task, zero-padded so file names sort in task order. */
export function rankName(rank: number): string {
  return String(rank).padStart(5, '0');
}
