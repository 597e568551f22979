/**
 * Drives one step the way the pipeline runner does (scan passes over every task, reduce passes,
 * then the main pass), over in-memory tasks, with a real state folder. Lets step tests run before
 * and independently of the runtime.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { createLogger } from '../../src/core/log.js';
import { addCount, newStepStats } from '../../src/core/stats.js';
import { Fetcher } from '../../src/fetch/fetcher.js';
import type { StepDef, StepEnv, TaskContext } from '../../src/pipeline/step.js';
import { repoRoot } from './helpers.js';

async function* iter(docs: Doc[]): AsyncIterable<Doc> {
  for (const d of docs) yield structuredClone(d);
}

export interface StepRun {
  kept: Doc[];
  drops: Record<string, number>;
  counts: Record<string, number>;
  stateDir: string;
}

/** `tasks` is one array of documents per task (or a single array for one task). */
export async function runStep(def: StepDef, rawParams: unknown, tasks: Doc[][] | Doc[], opts: { pipelineDir?: string; stateDir?: string } = {}): Promise<StepRun> {
  const byTask: Doc[][] = tasks.length > 0 && Array.isArray(tasks[0]) ? (tasks as Doc[][]) : [tasks as Doc[]];
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'step-state-'));
  const log = createLogger('test');
  const env: StepEnv = { pipelineDir: opts.pipelineDir ?? repoRoot, outDir: stateDir, stateDir, log, fetcher: new Fetcher({ log, cacheDir: join(stateDir, "cache") }) };
  const params = def.params.parse(rawParams ?? {});
  const stats = newStepStats(def.name);
  const ctx = (rank: number, worldSize: number): TaskContext => ({
    rank,
    worldSize,
    stage: 'test',
    source: 'test',
    stats,
    log,
    stateDir,
    drop: (_doc, reason) => addCount(stats.drops, reason, 1),
    count: (name, n = 1) => addCount(stats.counts, name, n),
  });
  const step = await def.create(params, env);
  for (const pass of step.passes ?? []) {
    if (pass.kind === 'scan') {
      for (let r = 0; r < byTask.length; r++) await pass.scan(iter(byTask[r]!), ctx(r, byTask.length));
    } else {
      for (let r = 0; r < pass.tasks; r++) await pass.reduce(ctx(r, pass.tasks));
    }
  }
  const kept: Doc[] = [];
  for (let r = 0; r < byTask.length; r++) {
    for await (const d of step.run(iter(byTask[r]!), ctx(r, byTask.length))) kept.push(d);
  }
  await step.close?.();
  return { kept, drops: stats.drops, counts: stats.counts, stateDir };
}
