/**
 * The prefix cache: in a stage whose steps have passes, what the steps before the first global step
 * produce for one task, computed once and kept until that task's main pass is done, so scan passes
 * and the main pass read it back (at zstd speed) instead of reading the input and running those
 * steps again.
 *
 * Per task, under `<out>/_work/<stage>/_prefix/<source>/`:
 *   part-NNNNN-RRR.jsonl.zst              the documents the prefix steps let through, in order
 *   rejects/part-NNNNN-RRR.jsonl.zst      documents the prefix steps removed (when the stage keeps rejects)
 *   quarantine/part-NNNNN-RRR.jsonl.zst   raw records the reader could not read
 *   part-NNNNN.json                       written last: counters of the read and of the prefix steps,
 *                                         and where each reject fell in the document stream
 * A cache without its part-NNNNN.json is incomplete and never read. Replaying it gives the main pass
 * the same documents, rejects (at the same places among the later steps' rejects) and quarantined
 * records in the same order as computing them, so outputs are the same bytes; a task that finds no
 * cache computes the prefix itself, which is always correct (the prefix steps have no passes, so
 * they depend on nothing but the task's own input).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '../core/document.js';
import type { StepStats } from '../core/stats.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { readShard, ShardWriter } from '../io/shards.js';
import { partPrefix, prefixCacheDir } from './layout.js';
import type { Step } from './step.js';
import type { TaskSpec } from './tasks.js';

/** What the part-NNNNN.json of a complete cache holds. */
export interface PrefixMeta {
  docs: number;
  /** For each reject, in order: how many documents the prefix had let through when it was removed. */
  reject_at: number[];
  /** Counters of the prefix steps, as the main pass reports them. */
  steps: StepStats[];
  quarantined: Record<string, number>;
  read_counts: Record<string, number>;
  /** Bytes the reader read to make it (the main pass reports them as its own read). */
  read_bytes: number;
  /** Committed file names, per folder. */
  files: { docs: string[]; rejects: string[]; quarantine: string[] };
  /** Bytes of the cached files (progress while replaying). */
  file_bytes: number;
}

/**
 * The index of the first step with passes, when this task's reads go through a prefix cache: the
 * stage has a scan pass (so at least two phases read the documents) and there is something worth
 * keeping (prefix steps, or a source to parse; an earlier stage's shards are read as fast as a cache).
 */
export function prefixEnd(steps: readonly Step[], spec: TaskSpec): number | null {
  const k = steps.findIndex((s) => (s.passes?.length ?? 0) > 0);
  if (k < 0) return null;
  if (!steps.some((s) => s.passes?.some((p) => p.kind === 'scan'))) return null;
  if (k === 0 && spec.input?.type !== 'source') return null;
  return k;
}

/** Cache files for one task: `dir` holds the documents, with rejects/ and quarantine/ beside them. */
export class PrefixCache {
  readonly dir: string;
  readonly prefix: string;

  constructor(out: string, stage: string, source: string, ordinal: number) {
    this.dir = prefixCacheDir(out, stage, source);
    this.prefix = partPrefix(ordinal);
  }

  private get metaPath(): string {
    return join(this.dir, `${this.prefix}.json`);
  }

  /** The metadata of a complete cache, or null. */
  async load(): Promise<PrefixMeta | null> {
    try {
      return JSON.parse(await readFile(this.metaPath, 'utf8')) as PrefixMeta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** Removes this task's cache files, committed or not. */
  async remove(): Promise<void> {
    for (const d of [this.dir, join(this.dir, 'rejects'), join(this.dir, 'quarantine')]) {
      let names: string[];
      try {
        names = await readdir(d);
      } catch {
        continue;
      }
      await Promise.all(names.filter((n) => n.startsWith(`${this.prefix}-`) || n.startsWith(`${this.prefix}.`)).map((n) => rm(join(d, n), { force: true })));
    }
  }

  /** Starts writing the cache (after removing what an earlier attempt left). */
  async writer(): Promise<PrefixWriter> {
    await this.remove();
    return new PrefixWriter(this);
  }

  /**
   * The cached documents, in order. Rejects are handed to `onReject` and quarantined records to
   * `onQuarantine` at the points they occurred (both optional: a scan pass ignores them).
   */
  async *replay(meta: PrefixMeta, source: string, opts: { onReject?: (doc: Doc) => void; onQuarantine?: (doc: Doc) => void; onBytes?: (n: number) => void }): AsyncGenerator<Doc> {
    if (opts.onQuarantine)
      for (const f of meta.files.quarantine) for await (const q of readShard(join(this.dir, 'quarantine', f), { source, ownShard: true })) opts.onQuarantine(q);
    const rejects = opts.onReject && meta.reject_at.length > 0 ? this.rejectsIn(meta, source) : null;
    let nextReject = rejects ? await rejects.next() : null;
    let r = 0;
    let n = 0;
    const flushRejects = async () => {
      while (nextReject && !nextReject.done && meta.reject_at[r]! <= n) {
        opts.onReject!(nextReject.value);
        r++;
        nextReject = await rejects!.next();
      }
    };
    for (const f of meta.files.docs) {
      for await (const doc of readShard(join(this.dir, f), { source, onBytes: opts.onBytes, ownShard: true })) {
        await flushRejects();
        yield doc;
        n++;
      }
    }
    await flushRejects();
  }

  private async *rejectsIn(meta: PrefixMeta, source: string): AsyncGenerator<Doc> {
    for (const f of meta.files.rejects) yield* readShard(join(this.dir, 'rejects', f), { source, ownShard: true });
  }
}

/** Fast zstd: the cache is read back once or twice, then removed. */
const CACHE_OPTS = { maxBytes: Number.MAX_SAFE_INTEGER, level: 1 };

/** Writes one task's prefix output as the task computes it; `commit` makes it visible. */
export class PrefixWriter {
  private readonly docs: ShardWriter;
  private rejects: ShardWriter | null = null;
  private quarantine: ShardWriter | null = null;
  private count = 0;
  private ended = false;
  private readonly rejectAt: number[] = [];
  readonly quarantined: Record<string, number> = {};
  readonly readCounts: Record<string, number> = {};
  /** Bytes of input read while producing the cache. */
  readBytes = 0;
  /** The prefix steps' counters, filled by the runner while the documents flow. */
  readonly steps: StepStats[] = [];

  constructor(private readonly cache: PrefixCache) {
    this.docs = new ShardWriter(cache.dir, cache.prefix, CACHE_OPTS);
  }

  reject(doc: Doc): void {
    this.rejects ??= new ShardWriter(join(this.cache.dir, 'rejects'), this.cache.prefix, CACHE_OPTS);
    this.rejects.enqueue(doc);
    this.rejectAt.push(this.count);
  }

  quarantineRecord(doc: Doc): void {
    this.quarantine ??= new ShardWriter(join(this.cache.dir, 'quarantine'), this.cache.prefix, CACHE_OPTS);
    this.quarantine.enqueue(doc);
  }

  /** Passes the prefix's output through, keeping each document; notes when the stream has ended. */
  async *record(docs: AsyncIterable<Doc>): AsyncGenerator<Doc> {
    for await (const doc of docs) {
      await this.docs.write(doc);
      await this.rejects?.settle();
      await this.quarantine?.settle();
      this.count++;
      yield doc;
    }
    this.ended = true;
  }

  /** Commits the cache if the whole prefix output went through `record` (a scan may stop early); else discards it. */
  async commit(): Promise<boolean> {
    const writers = [this.docs, this.rejects, this.quarantine];
    if (!this.ended) {
      await this.abort();
      return false;
    }
    for (const w of writers) await w?.close();
    const files = { docs: [] as string[], rejects: [] as string[], quarantine: [] as string[] };
    let bytes = 0;
    const names = async (w: ShardWriter | null) => {
      if (!w) return [];
      await w.commit();
      bytes += w.stats.file_bytes;
      return w.stats.files;
    };
    files.docs = await names(this.docs);
    files.rejects = await names(this.rejects);
    files.quarantine = await names(this.quarantine);
    const meta: PrefixMeta = {
      docs: this.count,
      reject_at: this.rejectAt,
      steps: this.steps,
      quarantined: this.quarantined,
      read_counts: this.readCounts,
      read_bytes: this.readBytes,
      files,
      file_bytes: bytes,
    };
    await writeJsonAtomic(join(this.cache.dir, `${this.cache.prefix}.json`), meta);
    return true;
  }

  async abort(): Promise<void> {
    for (const w of [this.docs, this.rejects, this.quarantine]) await w?.abort();
  }
}
