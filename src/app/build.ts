/**
 * `corpusmill build` as the application assembles it: the registry of every feature, the executor
 * the user chose (worker processes here, or Slurm job arrays), the pipeline's stages through the
 * framework's orchestration, then what follows the stages (the training mixture and the report:
 * at the end of a local build, as the last job of a cluster build; src/app/finish.ts).
 */
import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { LocalExecutor } from '../exec/local/executor.js';
import { localProbe } from '../exec/local/probe.js';
import { SlurmExecutor, type LaunchRecord, type SlurmOptions } from '../exec/slurm/executor.js';
import { slurmProbe } from '../exec/slurm/probe.js';
import { claimOutput, closeBuild, openBuild, runStages, type BuildContext, type RunOptions } from '../pipeline/build.js';
import { OutputLock, readLock, type HolderProbe } from '../pipeline/lock.js';
import { squeue } from '../exec/slurm/cluster.js';
import { which } from '../io/tools.js';
import type { Pipeline } from '../pipeline/config.js';
import type { Executor, TaskProbe } from '../pipeline/executor.js';
import type { BuildStats } from '../pipeline/stats.js';
import { afterStages, finishBuild } from './finish.js';
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
  /** Plugin paths outside the pipeline's folder the user allowed (`--allow-plugin`). */
  allowPlugins?: string[];
  /** Make no network request: trust the download cache. */
  offline?: boolean;
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
  if (kind === 'slurm') return SlurmExecutor.open(ctx.out, ctx.pipeline.name, { ...(opts.slurm ?? DEFAULT_SLURM), allowPlugins: opts.allowPlugins }, ctx.log);
  if (kind !== 'local') throw new ConfigError(`unknown executor "${kind}" (local or slurm)`);
  const workers = opts.workers || ctx.pipeline.settings.workers || availableParallelism();
  ctx.catalog.startRun(ctx.pipeline.name, opts.argv ?? [], workers);
  let local: LocalExecutor | null = null;
  const start = () =>
    (local ??= new LocalExecutor(workers, workerModule, {
      pipelineFile: ctx.pipeline.file,
      outDir: ctx.out,
      cacheDir: ctx.cacheDir,
      logLevel: opts.logLevel ?? 'info',
      allowPlugins: opts.allowPlugins,
      offline: opts.offline,
      limit: opts.limit,
    }));
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

/**
 * Whether the holder of an output lock still runs, as far as Slurm can tell: a launch holds the
 * folder while any of its jobs is queued or running.
 */
const slurmHolderProbe: HolderProbe = (h) => {
  if (!h.jobs?.length || !which('squeue')) return null;
  try {
    return squeue(h.jobs).size > 0;
  } catch {
    return null;
  }
};

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const ctx = await openBuild({ ...opts, registry: createRegistry() });
  const { pipeline, out, log } = ctx;
  const kind = opts.executor ?? 'local';
  let lock: OutputLock;
  try {
    lock = await OutputLock.acquire(out, { command: opts.fetchOnly ? 'fetch' : kind === 'slurm' ? 'launch' : 'build' }, { log, probe: slurmHolderProbe });
  } catch (e) {
    ctx.catalog.close();
    await ctx.fetcher.close();
    throw e;
  }
  let handedOver = false;
  try {
    await claimOutput(ctx, { force: opts.force, fetchOnly: opts.fetchOnly });
    if (opts.limit !== undefined) log.warn(`--limit ${opts.limit}: a trial run, the first ${opts.limit} documents of each task, written to ${out}`);
    const executor = await createExecutor(ctx, opts);
    if (executor instanceof SlurmExecutor) await lock.update({ launch: executor.record.launch });
    let ok = false;
    const whole = !opts.stage && !opts.fetchOnly;
    let submittedFinish = false;
    try {
      await runStages(ctx, executor, opts);
      // A cluster build ends with a job of its own that runs what follows the stages.
      if (executor instanceof SlurmExecutor && whole) submittedFinish = await executor.submitFinish(pipeline.file);
      ok = true;
    } finally {
      await executor.finish(ok);
    }
    const stats = await closeBuild(ctx);
    const launch = executor instanceof SlurmExecutor ? executor.record : undefined;
    if (launch) {
      // The array elements (and the finish job) write the folder from now on: the lock stays theirs while they run.
      const jobs = [...launch.phases.flatMap((p) => p.jobs), ...(launch.finish ? [launch.finish.job] : [])];
      if (jobs.length) {
        await lock.update({ jobs });
        await lock.handOver();
        handedOver = true;
      }
    }
    if (!whole) return { out, stats, pipeline, launch };
    if (executor.waits) await afterStages(pipeline, out, log);
    // A relaunch with nothing left to run: every stage is complete, finish here.
    else if (!submittedFinish) return { out, stats: await finishBuild({ pipelineFile: pipeline.file, out, log }), pipeline, launch };
    return { out, stats, pipeline, launch };
  } finally {
    if (!handedOver) await lock.release();
  }
}

/**
 * `corpusmill finish`: as a Slurm launch's last job it runs under its launch's hold on the folder;
 * run by hand it takes the output lock like a build (and refuses while another holds it).
 */
export async function finishLocked(opts: { pipelineFile: string; out: string; log: Logger; allowPlugins?: readonly string[] }): Promise<BuildStats> {
  const out = resolve(opts.out);
  const job = process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID;
  const held = readLock(out);
  if (held && job !== undefined && held.jobs?.includes(job)) return finishBuild(opts);
  const lock = await OutputLock.acquire(out, { command: 'finish' }, { log: opts.log, probe: slurmHolderProbe });
  try {
    return await finishBuild(opts);
  } finally {
    await lock.release();
  }
}

/** What `status` asks about tasks that started and have no marker: each engine's probe. */
export async function statusProbes(out: string): Promise<TaskProbe[]> {
  return [await slurmProbe(out), localProbe];
}
