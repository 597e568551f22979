/** Shared test plumbing for the web tests: a task context that records drops and counts. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../src/core/log.js';
import type { Doc } from '../../src/core/document.js';
import type { TaskContext } from '../../src/pipeline/step.js';
import { taskContext as standaloneContext } from '../../src/pipeline/standalone.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
/** `../shared/samples` beside the clone (CI), or beside its parent (a worktree under /work/wt). */
export const sharedSamples = [join(repoRoot, '..', 'shared', 'samples'), join(repoRoot, '..', '..', 'shared', 'samples')].find((d) => existsSync(d)) ?? join(repoRoot, '..', 'shared', 'samples');

export interface RecordingContext extends TaskContext {
  dropped: { doc: Doc; reason: string }[];
}

export function taskContext(opts: { rank?: number; worldSize?: number; stateDir?: string; source?: string } = {}): RecordingContext {
  const dropped: { doc: Doc; reason: string }[] = [];
  const ctx = standaloneContext({ stateDir: opts.stateDir ?? '/nonexistent', rank: opts.rank, worldSize: opts.worldSize, source: opts.source ?? 'commoncrawl', onDrop: (doc, reason) => dropped.push({ doc, reason }) });
  return Object.assign(ctx, { dropped });
}

export async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function doc(id: string, text: string, source = 'commoncrawl'): Doc {
  return { id, text, source, meta: {} };
}

/** A read context that records quarantined records and counts. */
export function readContext() {
  const quarantined: { reason: string; record: string | number; detail: string }[] = [];
  const counts: Record<string, number> = {};
  return {
    quarantined,
    counts,
    log: createLogger('test'),
    advance(_n: number) {},
    quarantine(bad: { reason: string; record: string | number; detail: string }) {
      quarantined.push(bad);
    },
    count(name: string, n = 1) {
      counts[name] = (counts[name] ?? 0) + n;
    },
  };
}
