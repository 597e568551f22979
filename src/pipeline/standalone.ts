/**
 * Running a step outside a build, in this process: the same contract the runner honours (scan
 * passes over every task, reduce passes with their task counts, then the main pass per task), with
 * a real state folder. For tests, benchmarks and programs that use a step as a library.
 */
import type { Doc } from '../core/document.js';
import { createLogger, type Logger } from '../core/log.js';
import { addCount, newStepStats, type StepStats } from '../core/stats.js';
import { Fetcher } from '../fetch/fetcher.js';
import { StepState } from './state.js';
import type { Step, StepDef, StepEnv, TaskContext } from './step.js';

export interface StandaloneOptions {
  /** The step's state folder. */
  stateDir: string;
  /** Folder relative parameters resolve against (default: the current directory). */
  pipelineDir?: string;
  log?: Logger;
  /** Counters shared by every context made from these options (default: a fresh set). */
  stats?: StepStats;
  /** Called for each removed document (after it is counted). */
  onDrop?(doc: Doc, reason: string): void;
}

export function stepEnv(opts: StandaloneOptions & { fetcher?: Fetcher }): StepEnv {
  const log = opts.log ?? createLogger('step');
  const state = new StepState(opts.stateDir);
  return {
    pipelineDir: opts.pipelineDir ?? process.cwd(),
    outDir: opts.stateDir,
    state,
    log,
    fetcher: opts.fetcher ?? new Fetcher({ cacheDir: `${opts.stateDir}/cache`, log }),
  };
}

export function taskContext(opts: StandaloneOptions & { rank?: number; worldSize?: number; source?: string; stage?: string }): TaskContext {
  const stats = opts.stats ?? newStepStats('step');
  const state = new StepState(opts.stateDir);
  return {
    rank: opts.rank ?? 0,
    worldSize: opts.worldSize ?? 1,
    stage: opts.stage ?? 'standalone',
    source: opts.source ?? '',
    stats,
    log: opts.log ?? createLogger('step'),
    state,
    drop(doc, reason) {
      addCount(stats.drops, reason);
      opts.onDrop?.(doc, reason);
    },
    count(name, n = 1) {
      addCount(stats.counts, name, n);
    },
  };
}

export interface StandaloneRun {
  /** Kept documents, per task. */
  kept: Doc[][];
  dropped: Array<{ doc: Doc; reason: string }>;
  stats: StepStats;
}

async function* each(docs: Doc[]): AsyncGenerator<Doc> {
  for (const d of docs) yield d;
}

/** Runs `step` over in-memory tasks (one array of documents per task): its passes, then the main pass. */
export async function runStep(step: Step, tasks: Doc[][], opts: StandaloneOptions): Promise<StandaloneRun> {
  const stats = opts.stats ?? newStepStats('step');
  const dropped: StandaloneRun['dropped'] = [];
  const ctx = (rank: number, worldSize: number, source: string) =>
    taskContext({
      ...opts,
      stats,
      rank,
      worldSize,
      source,
      onDrop: (doc, reason) => {
        dropped.push({ doc, reason });
        opts.onDrop?.(doc, reason);
      },
    });
  const sourceOf = (docs: Doc[]) => docs[0]?.source ?? '';
  for (const pass of step.passes ?? []) {
    if (pass.kind === 'scan') for (let r = 0; r < tasks.length; r++) await pass.scan(each(tasks[r]!), ctx(r, tasks.length, sourceOf(tasks[r]!)));
    else for (let r = 0; r < pass.tasks; r++) await pass.reduce(ctx(r, pass.tasks, ''));
  }
  const kept: Doc[][] = [];
  for (let r = 0; r < tasks.length; r++) {
    const out: Doc[] = [];
    for await (const d of step.run(each(tasks[r]!), ctx(r, tasks.length, sourceOf(tasks[r]!)))) out.push(d);
    kept.push(out);
  }
  return { kept, dropped, stats };
}

/** Creates a step from its definition and raw parameters (validated as a pipeline would), runs it, closes it. */
export async function runStepDef(def: StepDef, rawParams: unknown, tasks: Doc[][], opts: StandaloneOptions): Promise<StandaloneRun> {
  const step = await def.create(def.params.parse(rawParams ?? {}), stepEnv(opts));
  try {
    return await runStep(step, tasks, opts);
  } finally {
    await step.close?.();
  }
}
