/**
 * Files that dedup passes leave in a step's state folder: line files written tmp-then-rename (a
 * crashed task never leaves a half file that a later pass would trust), listed by a name pattern, and
 * read back line by line. Also the rule that picks a cluster's survivor.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
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
    const chunk = this.pending.join('\n') + '\n';
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
 * The survivor rule shared by exact and near dedup: the lowest (source, id), compared as strings.
 * It depends only on the documents, never on task order or worker count, so reruns keep the same one.
 */
export function compareSourceId(a: { source: string; id: string }, b: { source: string; id: string }): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** Rank of the task, zero-padded so file names sort in task order. */
export function rankName(rank: number): string {
  return String(rank).padStart(5, '0');
}
