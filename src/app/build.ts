/**
 * `corpusmill build` as the application assembles it: the registry of every feature, the executor
 * the user chose (worker processes here, or Slurm job arrays), the pipeline's stages through the
 * framework's orchestration, then what follows the stages of a local build (the training mixture
 * and the report).
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { LocalExecutor } from '../exec/local/executor.js';
import { localProbe } from '../exec/local/probe.js';
import { SlurmExecutor, type LaunchRecord, type SlurmOptions } from '../exec/slurm/executor.js';
import { slurmProbe } from '../exec/slurm/probe.js';
import type { MixSection } from '../mix/config.js';
import { formatMix, runMix } from '../mix/mix.js';
import { closeBuild, openBuild, runStages, type BuildContext, type RunOptions } from '../pipeline/build.js';
import type { Pipeline } from '../pipeline/config.js';
import type { Executor, TaskProbe } from '../pipeline/executor.js';
import type { BuildStats } from '../pipeline/stats.js';
import { writeReport } from '../report/write.js';
import { createRegistry } from './registry.js';

export interface BuildOptions extends RunOptions {
  pipelineFile: string;
  out?: string;
  log: Logger;
  /** `local` (default) or `slurm`. */
  executor?: string;
  /** Local worker processes (default: the pipeline's setting, else one per core). */
  workers?: number;
  slurm?: SlurmOptions;
  /** A trial run: each task reads only its first N documents, into `<out>-limitN`. */
  limit?: number;
  argv?: string[];
  logLevel?: string;
}

export interface BuildResult {
  out: string;
  stats: BuildStats;
  pipeline: Pipeline;
  /** What a cluster launch submitted. */
  launch?: LaunchRecord;
}

/** The worker entry point next to this module (worker.ts under tsx, worker.js once compiled). */
const workerModule = fileURLToPath(new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

const DEFAULT_SLURM: SlurmOptions = { tasksPerJob: 1, cpusPerTask: 1, sbatchArgs: [], requeueSignalSeconds: 120 };

/**
 * The executor the user chose. Local workers start on the first phase that has work, so a build
 * with nothing left to do (or one that only fetches) forks no process.
 */
async function createExecutor(ctx: BuildContext, opts: BuildOptions): Promise<Executor> {
  const kind = opts.executor ?? 'local';
  if (kind === 'slurm' && opts.limit !== undefined) throw new ConfigError('--limit is for trial runs on this machine (--executor local)');
  if (kind === 'slurm') return SlurmExecutor.open(ctx.out, ctx.pipeline.name, opts.slurm ?? DEFAULT_SLURM, ctx.log);
  if (kind !== 'local') throw new ConfigError(`unknown executor "${kind}" (local or slurm)`);
  const workers = opts.workers || ctx.pipeline.settings.workers || availableParallelism();
  ctx.catalog.startRun(ctx.pipeline.name, opts.argv ?? [], workers);
  let local: LocalExecutor | null = null;
  const start = () =>
    (local ??= new LocalExecutor(workers, workerModule, { pipelineFile: ctx.pipeline.file, outDir: ctx.out, cacheDir: ctx.cacheDir, logLevel: opts.logLevel ?? 'info', limit: opts.limit }));
  return {
    name: 'local',
    waits: true,
    run: (work, hooks) => start().run(work, hooks),
    finish: async (ok) => {
      await local?.finish(ok);
      ctx.catalog.finishRun(ok ? 'done' : 'failed');
    },
  };
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const ctx = await openBuild({ ...opts, registry: createRegistry() });
  const { pipeline, out, log } = ctx;
  if (opts.limit !== undefined) log.warn(`--limit ${opts.limit}: a trial run, the first ${opts.limit} documents of each task, written to ${out}`);
  const executor = await createExecutor(ctx, opts);
  let ok = false;
  try {
    await runStages(ctx, executor, opts);
    ok = true;
  } finally {
    await executor.finish(ok);
  }
  const stats = await closeBuild(ctx);
  const launch = executor instanceof SlurmExecutor ? executor.record : undefined;
  if (!executor.waits || opts.fetchOnly) return { out, stats, pipeline, launch };
  const mix = pipeline.sections.mix as MixSection | undefined;
  if (mix && !opts.stage) {
    const r = await runMix({
      tokens: join(out, 'tokens', mix.tokenizer),
      output: join(out, 'mix'),
      budget: mix.budget,
      weights: mix.weights,
      seed: mix.seed,
      shardBytes: mix.shard_bytes,
    });
    log.info(formatMix(r).trimEnd());
  }
  if (pipeline.settings.report) log.info(`report: ${await writeReport(out, 'html')}`);
  return { out, stats, pipeline, launch };
}

/** What `status` asks about tasks that started and have no marker: each engine's probe. */
export async function statusProbes(out: string): Promise<TaskProbe[]> {
  return [await slurmProbe(out), localProbe];
}
