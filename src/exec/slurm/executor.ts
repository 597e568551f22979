/**
 * The Slurm executor (`corpusmill build --executor slurm`): submits a pipeline as job arrays.
 *
 * Every stage is planned on the launching node (task lists frozen in the catalog, downstream stages
 * derived from upstream task lists, so all can be submitted at once). For each phase, the ranks
 * without a completion marker are written to a frozen ranks file, packed `tasks_per_job` per array
 * element, split into arrays below the cluster's MaxArraySize, and chained with
 * `--dependency=afterok:<previous phase's arrays> --kill-on-invalid-dep=yes`: a failed phase cancels
 * its dependants instead of leaving them pending forever (datatrove#235). Relaunching submits only
 * what is incomplete, whatever happened before. Array elements run `corpusmill task`, which writes
 * markers and attempt/failure records; the SQLite catalog is touched only here, by `status`, and by
 * the launch's last job, `corpusmill finish` (after every phase: the mixture, the report,
 * stats.json), which runs alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, CorpusError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Executor, PhaseWork } from '../../pipeline/executor.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import type { TaskSpec } from '../../pipeline/tasks.js';
import { maxArraySize, sbatch, squeue } from './cluster.js';
import { jobScript, type SlurmJobOptions } from './script.js';

export interface SlurmOptions extends SlurmJobOptions {
  /** Array elements running at once (`%N`). */
  arrayParallelism?: number;
  /** Tasks each array element runs in sequence. */
  tasksPerJob: number;
  /** Override the cluster's MaxArraySize (read from scontrol by default). */
  maxArraySize?: number;
  /** Plugin paths the user allowed (`--allow-plugin`), passed on to every array element. */
  allowPlugins?: string[];
}

/** The frozen list of ranks one phase of one launch runs. */
export interface RanksFile {
  pipeline: string;
  /** The launch these ranks belong to: an element runs only while this launch holds the output folder. */
  launch?: number;
  stage: string;
  phase: string;
  hash: string;
  /** Task count of the phase. */
  of: number;
  tasks_per_job: number;
  ranks: Array<{ idx: number; spec: TaskSpec }>;
}

export interface LaunchRecord {
  launch: number;
  submitted_at: string;
  phases: Array<{ stage: string; phase: string; ranks: number; ranks_file: string; jobs: string[]; depends_on: string[] }>;
  /** The job that runs what follows the stages (`corpusmill finish`), after every phase. */
  finish?: { job: string; depends_on: string[] };
}

/** Every job of a launch, its last job included. */
function launchJobs(l: LaunchRecord): string[] {
  return [...l.phases.flatMap((p) => p.jobs), ...(l.finish ? [l.finish.job] : [])];
}

const slurmDir = (out: string) => join(out, '_slurm');
const launchesPath = (out: string) => join(slurmDir(out), 'launches.json');

export async function readLaunches(out: string): Promise<LaunchRecord[]> {
  if (!existsSync(launchesPath(out))) return [];
  return JSON.parse(await readFile(launchesPath(out), 'utf8')) as LaunchRecord[];
}

/** How the array element starts corpusmill: the same node binary and entry point as this process. */
function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

/**
 * Submits each phase as job arrays chained behind the previous phase's arrays; `finish` records
 * the launch. Open it with `SlurmExecutor.open`, which refuses while an earlier launch still runs.
 */
export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly waits = false;
  readonly record: LaunchRecord;
  private dependsOn: string[] = [];

  private constructor(
    private readonly out: string,
    private readonly pipelineName: string,
    private readonly opts: SlurmOptions,
    private readonly log: Logger,
    private readonly previous: LaunchRecord[],
    private readonly limit: number,
  ) {
    this.record = { launch: (previous.at(-1)?.launch ?? 0) + 1, submitted_at: new Date().toISOString(), phases: [] };
  }

  static async open(out: string, pipelineName: string, opts: SlurmOptions, log: Logger): Promise<SlurmExecutor> {
    assertSlurmOptions(opts);
    const previous = await readLaunches(out);
    const last = previous.at(-1);
    if (last) {
      const live = squeue(launchJobs(last));
      if (live.size > 0) {
        throw new ConfigError(
          `launch ${last.launch} of ${out} still has ${live.size} queued or running array elements; wait for them (corpusmill status ${out}) or scancel them first`,
        );
      }
    }
    return new SlurmExecutor(out, pipelineName, opts, log, previous, opts.maxArraySize ?? maxArraySize());
  }

  private get launchDir(): string {
    return join(slurmDir(this.out), `launch-${String(this.record.launch).padStart(3, '0')}`);
  }

  async run(work: PhaseWork): Promise<void> {
    const { opts } = this;
    const dir = this.launchDir;
    const logsDir = join(slurmDir(this.out), 'logs');
    await mkdir(dir, { recursive: true });
    await mkdir(logsDir, { recursive: true });
    const ranksFile = join(dir, `ranks-${work.stage}-${work.phase}.json`);
    const ranks: RanksFile = {
      pipeline: work.pipelineFile,
      launch: this.record.launch,
      stage: work.stage,
      phase: work.phase,
      hash: work.hash,
      of: work.of,
      tasks_per_job: opts.tasksPerJob,
      ranks: work.tasks.map((t) => ({ idx: t.idx, spec: t.spec })),
    };
    // Written before anything is submitted: what this launch runs never changes under it.
    await writeFile(ranksFile, JSON.stringify(ranks));
    const elements = Math.ceil(work.tasks.length / opts.tasksPerJob);
    const jobs: string[] = [];
    for (let offset = 0; offset < elements; offset += this.limit) {
      const n = Math.min(this.limit, elements - offset);
      const scriptPath = join(dir, `job-${work.stage}-${work.phase}-${offset}.sh`);
      await writeFile(
        scriptPath,
        jobScript({
          ...opts,
          jobName: `cm-${this.pipelineName}-${work.stage}-${work.phase}`,
          logsDir,
          command: [
            ...selfCommand(),
            ...(opts.allowPlugins ?? []).flatMap((p) => ['--allow-plugin', p]),
            'task',
            work.pipelineFile,
            '--out',
            this.out,
            '--ranks',
            ranksFile,
            '--offset',
            String(offset),
          ],
        }),
        { mode: 0o755 },
      );
      const args = [`--array=0-${n - 1}${opts.arrayParallelism ? `%${opts.arrayParallelism}` : ''}`];
      if (this.dependsOn.length) args.push(`--dependency=afterok:${this.dependsOn.join(':')}`, '--kill-on-invalid-dep=yes');
      const id = sbatch(args, scriptPath);
      jobs.push(id);
      this.log.info(`submitted ${work.stage}/${work.phase}: job ${id}, ${n} array elements (${work.tasks.length} tasks from offset ${offset * opts.tasksPerJob})`);
    }
    this.record.phases.push({ stage: work.stage, phase: work.phase, ranks: work.tasks.length, ranks_file: ranksFile, jobs, depends_on: this.dependsOn });
    this.dependsOn = jobs;
  }

  /**
   * Submits `corpusmill finish` after the last phase of this launch (afterok, so a failed phase
   * cancels it). Returns false when this launch submitted no phase: the stages are complete, and
   * the caller finishes here.
   */
  async submitFinish(pipelineFile: string): Promise<boolean> {
    if (this.record.phases.length === 0) return false;
    const dir = this.launchDir;
    const logsDir = join(slurmDir(this.out), 'logs');
    const scriptPath = join(dir, 'job-finish.sh');
    await writeFile(
      scriptPath,
      jobScript({
        ...this.opts,
        jobName: `cm-${this.pipelineName}-finish`,
        logsDir,
        command: [...selfCommand(), ...(this.opts.allowPlugins ?? []).flatMap((p) => ['--allow-plugin', p]), 'finish', pipelineFile, '--out', this.out],
      }),
      { mode: 0o755 },
    );
    // A one-element array: the same script, logs and requeue handling as every other job.
    const id = sbatch(['--array=0-0', `--dependency=afterok:${this.dependsOn.join(':')}`, '--kill-on-invalid-dep=yes'], scriptPath);
    this.record.finish = { job: id, depends_on: this.dependsOn };
    this.log.info(`submitted finish (mixture, report, stats): job ${id}, after ${this.dependsOn.join(', ')}`);
    return true;
  }

  async finish(ok: boolean): Promise<void> {
    if (!ok && this.record.phases.length === 0) return;
    if (this.record.phases.length === 0) this.log.info('nothing to submit: every task is complete');
    await writeJsonAtomic(launchesPath(this.out), [...this.previous, this.record]);
  }
}

function assertSlurmOptions(o: SlurmOptions): void {
  if (o.tasksPerJob < 1) throw new ConfigError('--tasks-per-job must be at least 1');
  if (o.arrayParallelism !== undefined && o.arrayParallelism < 1) throw new ConfigError('--array-parallelism must be at least 1');
  if (o.maxArraySize !== undefined && o.maxArraySize < 1) throw new CorpusError('MaxArraySize must be at least 1');
}
