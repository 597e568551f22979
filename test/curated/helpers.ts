/** Paths and small utilities shared by the curated-source tests (ArXiv, Books). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createLogger } from '../../src/core/log.js';
import type { BadRecord } from '../../src/io/shards.js';
import type { ReadContext } from '../../src/pipeline/source.js';
import { taskContext as standaloneContext } from '../../src/pipeline/standalone.js';
import type { Doc } from '../../src/core/document.js';
import type { Step, TaskContext } from '../../src/pipeline/step.js';
import { repoRoot, tempDir } from '../helpers.js';

export { repoRoot };

/** `../shared/samples` beside the clone (CI); from a worktree nested deeper, the nearest ancestor's. */
export const shared = findShared();

function findShared(): string {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const p = join(dir, 'shared', 'samples');
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) return join(repoRoot, '..', 'shared', 'samples');
  }
}

/** A temporary folder removed when the test file ends. */
export const tmp = (prefix: string) => tempDir(`cm-${prefix}-`);

/** Runs a Python script with Debian's interpreter (the one that has the system modules). */
export function python(script: string, args: string[]): string {
  return execFileSync('/usr/bin/python3', [script, ...args], { maxBuffer: 1 << 28 }).toString('utf8');
}

/** A read context that keeps what it is told. */
export function recordingContext(): ReadContext & { bad: BadRecord[]; bytes: number } {
  const ctx = {
    bad: [] as BadRecord[],
    bytes: 0,
    log: createLogger('test'),
    advance(n: number) {
      ctx.bytes += n;
    },
    quarantine(b: BadRecord) {
      ctx.bad.push(b);
    },
  };
  return ctx;
}

/** A task context for running a step's passes and main pass directly (no runtime needed). */
export function taskContext(stateDir: string, rank = 0, source = 'books'): TaskContext & { dropped: Array<{ doc: Doc; reason: string }> } {
  const dropped: Array<{ doc: Doc; reason: string }> = [];
  const ctx = standaloneContext({ stateDir, rank, source, onDrop: (doc, reason) => dropped.push({ doc, reason }) });
  return Object.assign(ctx, { dropped });
}

export async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  for (const it of items) yield it;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Runs a step the way the runner does: scan passes per task group, reduce passes, then the main pass. */
export async function runStep(step: Step, tasks: Doc[][], stateDir: string): Promise<{ kept: Doc[]; dropped: Array<{ doc: Doc; reason: string }>; counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const merge = (c: Record<string, number>) => {
    for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
  };
  for (const pass of step.passes ?? []) {
    if (pass.kind === 'scan') {
      for (const [rank, docs] of tasks.entries()) {
        const ctx = taskContext(stateDir, rank);
        await pass.scan(fromArray(docs), ctx);
        merge(ctx.stats.counts);
      }
    } else {
      for (let rank = 0; rank < pass.tasks; rank++) {
        const ctx = taskContext(stateDir, rank, '');
        await pass.reduce(ctx);
        merge(ctx.stats.counts);
      }
    }
  }
  const kept: Doc[] = [];
  const dropped: Array<{ doc: Doc; reason: string }> = [];
  for (const [rank, docs] of tasks.entries()) {
    const ctx = taskContext(stateDir, rank);
    kept.push(...(await collect(step.run(fromArray(docs), ctx))));
    dropped.push(...ctx.dropped);
  }
  return { kept, dropped, counts };
}
