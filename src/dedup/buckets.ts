/**
 * The hash-bucketed passes of the exact and paragraph dedup steps: every scan task writes its
 * records to `scan-r<task>-b<bucket>.jsonl`; the reduce task of a bucket reads that bucket from every
 * task and writes what each task's main pass needs to `drop-b<bucket>-r<task>.jsonl` (read back with
 * `readDrops`). One JSON value per line. Each pass first removes what an earlier run of the same task
 * left, so a smaller rerun never reads stale files.
 */
import type { Doc } from '../core/document.js';
import { readStateLines } from '../pipeline/state.js';
import type { Pass, TaskContext } from '../pipeline/step.js';
import { rankName } from './survivor.js';

type Write<R> = (n: number, rec: R) => Promise<void>;

export interface BucketedDedup<S, T> {
  buckets: number;
  /** Scan pass (every task): writes records of the task's documents to hash buckets. */
  scan(docs: AsyncIterable<Doc>, ctx: TaskContext, write: Write<S>): Promise<void>;
  /** Reduce pass (one task per bucket): called for every record of the bucket, from every task in task order. */
  gather(rec: S, into: T[]): void;
  /** Then, over what was gathered: writes records for the main pass of the task each belongs to. */
  reduce(items: T[], ctx: TaskContext, write: Write<unknown>): Promise<void>;
}

async function writing<R>(ctx: TaskContext, stale: RegExp, name: (n: number) => string, fn: (write: Write<R>) => Promise<void>): Promise<void> {
  await ctx.state.remove(stale);
  const files = ctx.state.lineFiles();
  await fn((n, rec) => files.write(name(n), JSON.stringify(rec)));
  await files.commit();
}

async function readAll<T>(ctx: TaskContext, pattern: RegExp, fn: (rec: T) => void): Promise<void> {
  for (const f of await ctx.state.list(pattern)) for await (const line of readStateLines(f)) fn(JSON.parse(line) as T);
}

export function bucketPasses<S, T>(d: BucketedDedup<S, T>): Pass[] {
  return [
    {
      kind: 'scan',
      name: 'hash',
      scan(docs, ctx) {
        const task = rankName(ctx.rank);
        return writing<S>(
          ctx,
          new RegExp(`^scan-r${task}-`),
          (bucket) => `scan-r${task}-b${rankName(bucket)}.jsonl`,
          (write) => d.scan(docs, ctx, write),
        );
      },
    },
    {
      kind: 'reduce',
      name: 'groups',
      tasks: d.buckets,
      async reduce(ctx) {
        const bucket = rankName(ctx.rank);
        const items: T[] = [];
        await readAll<S>(ctx, new RegExp(`^scan-r\\d+-b${bucket}\\.jsonl$`), (rec) => d.gather(rec, items));
        await writing(
          ctx,
          new RegExp(`^drop-b${bucket}-`),
          (task) => `drop-b${bucket}-r${rankName(task)}.jsonl`,
          (write) => d.reduce(items, ctx, write),
        );
      },
    },
  ];
}

/** Every record the reduce tasks wrote for this main-pass task, in bucket order. */
export function readDrops<T>(ctx: TaskContext, fn: (rec: T) => void): Promise<void> {
  return readAll(ctx, new RegExp(`^drop-b\\d+-r${rankName(ctx.rank)}\\.jsonl$`), fn);
}

/** The runs [start, end) of two or more consecutive equal items of a sorted array. */
export function* equalRuns<T>(sorted: readonly T[], same: (a: T, b: T) => boolean): Generator<[start: number, end: number]> {
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && same(sorted[j]!, sorted[i]!)) j++;
    if (j - i > 1) yield [i, j];
    i = j;
  }
}
