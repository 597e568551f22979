/**
 * Drives a step's passes the way the runtime's contract describes (scan passes over each task's
 * documents, reduce passes with their task counts, then the main pass per task), in this process,
 * so the dedup steps can be tested on real files before the runtime is involved.
 */
import type { Doc } from '../../src/core/document.js';
import { createLogger } from '../../src/core/log.js';
import { newStepStats } from '../../src/core/stats.js';
import type { Step, TaskContext } from '../../src/pipeline/step.js';

export interface PassResult {
  kept: Doc[][];
  dropped: Array<{ doc: Doc; reason: string }>;
  counts: Record<string, number>;
}

async function* iter(docs: Doc[]): AsyncGenerator<Doc> {
  for (const d of docs) yield d;
}

export async function runPasses(step: Step, tasks: Doc[][], stateDir: string): Promise<PassResult> {
  const dropped: PassResult['dropped'] = [];
  const counts: Record<string, number> = {};
  const ctx = (rank: number, worldSize: number, source: string): TaskContext => {
    const stats = newStepStats('test');
    return {
      rank,
      worldSize,
      stage: 'test',
      source,
      stats,
      log: createLogger('test'),
      stateDir,
      drop: (doc, reason) => dropped.push({ doc, reason }),
      count: (name, n = 1) => {
        counts[name] = (counts[name] ?? 0) + n;
      },
    };
  };
  for (const pass of step.passes ?? []) {
    if (pass.kind === 'scan') {
      for (let r = 0; r < tasks.length; r++) await pass.scan(iter(tasks[r]!), ctx(r, tasks.length, tasks[r]![0]?.source ?? ''));
    } else {
      for (let r = 0; r < pass.tasks; r++) await pass.reduce(ctx(r, pass.tasks, ''));
    }
  }
  const kept: Doc[][] = [];
  for (let r = 0; r < tasks.length; r++) {
    const out: Doc[] = [];
    for await (const d of step.run(iter(tasks[r]!), ctx(r, tasks.length, tasks[r]![0]?.source ?? ''))) out.push(d);
    kept.push(out);
  }
  return { kept, dropped, counts };
}
