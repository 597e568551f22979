/**
 * A step's state folder (`<out>/_work/<stage>/step<K>-<name>/`), shared by all tasks and passes of
 * that step in its stage: what a scan pass leaves for a reduce pass, and a reduce pass for the main
 * pass (hash buckets, cutoffs, cluster lists). Every file is committed atomically (io/atomic.ts), and
 * listings never include a file that is still being written, so a pass never trusts half a file left
 * by a killed task.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFile, AtomicLineFile, AtomicLineFileSet, isTmpName, writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { splitLines } from '../io/lines.js';

export class StepState {
  constructor(readonly dir: string) {}

  path(name: string): string {
    return join(this.dir, name);
  }

  /** The state of a sub-folder (its own listing). */
  sub(name: string): StepState {
    return new StepState(this.path(name));
  }

  async ensure(): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return this.dir;
  }

  write(name: string, data: string | Uint8Array): Promise<void> {
    return writeFileAtomic(this.path(name), data);
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return writeJsonAtomic(this.path(name), value);
  }

  async readJson<T>(name: string): Promise<T> {
    return JSON.parse(await readFile(this.path(name), 'utf8')) as T;
  }

  /** A binary file written in blocks, committed by rename (see AtomicFile). */
  file(name: string, opts?: { createEmpty?: boolean; bufferBytes?: number }): AtomicFile {
    return new AtomicFile(this.path(name), opts);
  }

  /** A line file with backpressure, committed by rename. */
  lines(name: string): AtomicLineFile {
    return new AtomicLineFile(this.path(name));
  }

  /** Line files opened on first write, by name, committed together. */
  lineFiles(): AtomicLineFileSet {
    return new AtomicLineFileSet(this.dir);
  }

  /** Committed files whose names match `pattern`, as full paths sorted by name (a deterministic order). */
  async list(pattern: RegExp): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter((n) => pattern.test(n) && !isTmpName(n))
      .sort()
      .map((n) => join(this.dir, n));
  }

  /** Removes what an earlier run of the same pass left (so a smaller rerun never reads stale files). */
  async remove(pattern: RegExp): Promise<void> {
    for (const f of await this.list(pattern)) await rm(f, { force: true });
  }
}

/** The non-empty lines of a state file, as strings. */
export async function* readStateLines(path: string): AsyncGenerator<string> {
  for await (const line of splitLines(createReadStream(path))) if (line.bytes.length > 0) yield line.bytes.toString('utf8');
}
