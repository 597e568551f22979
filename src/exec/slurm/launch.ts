/**
 * `corpusmill build --executor slurm`: submits a pipeline as Slurm job arrays.
 *
 * Every stage is planned on the launching node (task lists frozen in the catalog, downstream stages
 * derived from upstream task lists, so all can be submitted at once). For each phase, the ranks
 * without a completion marker are written to a frozen ranks file, packed `tasks_per_job` per array
 * element, split into arrays below the cluster's MaxArraySize, and chained with
 * `--dependency=afterok:<previous phase's arrays> --kill-on-invalid-dep=yes`: a failed phase cancels
 * its dependants instead of leaving them pending forever (datatrove#235). Relaunching submits only
 * what is incomplete, whatever happened before. Array elements run `corpusmill task`, which writes
 * markers and attempt/failure records; the SQLite catalog is touched only here and by `status`.
 */
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { ConfigError, CorpusError } from '../../core/errors.js';
import { planStage, stagesToRun, type BuildContext } from '../../pipeline/build.js';
import { syncMarkers } from '../../pipeline/markers.js';
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
  stage?: string;
  force?: boolean;
}

/** The frozen list of ranks one phase of one launch runs. */
export interface RanksFile {
  pipeline: string;
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
}

export const slurmDir = (out: string) => join(out, '_slurm');
export const launchesPath = (out: string) => join(slurmDir(out), 'launches.json');

export async function readLaunches(out: string): Promise<LaunchRecord[]> {
  if (!existsSync(launchesPath(out))) return [];
  return JSON.parse(await readFile(launchesPath(out), 'utf8')) as LaunchRecord[];
}

/** How the array element starts corpusmill: the same node binary and entry point as this process. */
function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

export async function launchSlurm(ctx: BuildContext, opts: SlurmOptions): Promise<LaunchRecord> {
  const { pipeline, out, catalog, log } = ctx;
  const previous = await readLaunches(out);
  const last = previous.at(-1);
  if (last) {
    const live = squeue(last.phases.flatMap((p) => p.jobs));
    if (live.size > 0) {
      throw new ConfigError(`launch ${last.launch} of ${out} still has ${live.size} queued or running array elements; wait for them (corpusmill status ${out}) or scancel them first`);
    }
  }
  const stages = stagesToRun(pipeline, opts.stage);
  for (const stage of stages) await planStage(ctx, stage, { force: opts.force });
  const limit = opts.maxArraySize ?? maxArraySize();
  const launchNo = (last?.launch ?? 0) + 1;
  const dir = join(slurmDir(out), `launch-${String(launchNo).padStart(3, '0')}`);
  const logsDir = join(slurmDir(out), 'logs');
  await mkdir(dir, { recursive: true });
  await mkdir(logsDir, { recursive: true });
  const record: LaunchRecord = { launch: launchNo, submitted_at: new Date().toISOString(), phases: [] };
  let dependsOn: string[] = [];
  for (const stage of stages) {
    await syncMarkers(catalog, out, stage.name, stage.hash);
    const planned = catalog.stage(stage.name)!;
    for (const phase of planned.phases) {
      const rows = catalog.tasks(stage.name, phase);
      const pending = rows.filter((r) => r.state !== 'done');
      if (pending.length === 0) continue;
      const ranksFile = join(dir, `ranks-${stage.name}-${phase}.json`);
      const ranks: RanksFile = {
        pipeline: pipeline.file,
        stage: stage.name,
        phase,
        hash: stage.hash,
        of: rows.length,
        tasks_per_job: opts.tasksPerJob,
        ranks: pending.map((r) => ({ idx: r.idx, spec: r.spec })),
      };
      // Written before anything is submitted: what this launch runs never changes under it.
      await writeFile(ranksFile, JSON.stringify(ranks));
      const elements = Math.ceil(pending.length / opts.tasksPerJob);
      const jobs: string[] = [];
      for (let offset = 0; offset < elements; offset += limit) {
        const n = Math.min(limit, elements - offset);
        const scriptPath = join(dir, `job-${stage.name}-${phase}-${offset}.sh`);
        await writeFile(
          scriptPath,
          jobScript({
            ...opts,
            jobName: `cm-${pipeline.name}-${stage.name}-${phase}`,
            logsDir,
            command: [...selfCommand(), 'task', pipeline.file, '--out', out, '--ranks', ranksFile, '--offset', String(offset)],
          }),
          { mode: 0o755 },
        );
        const args = [`--array=0-${n - 1}${opts.arrayParallelism ? `%${opts.arrayParallelism}` : ''}`];
        if (dependsOn.length) args.push(`--dependency=afterok:${dependsOn.join(':')}`, '--kill-on-invalid-dep=yes');
        const id = sbatch(args, scriptPath);
        jobs.push(id);
        log.info(`submitted ${stage.name}/${phase}: job ${id}, ${n} array elements (${pending.length} tasks from offset ${offset * opts.tasksPerJob})`);
      }
      record.phases.push({ stage: stage.name, phase, ranks: pending.length, ranks_file: ranksFile, jobs, depends_on: dependsOn });
      dependsOn = jobs;
    }
  }
  if (record.phases.length === 0) log.info('nothing to submit: every task is complete');
  await writeFile(launchesPath(out), JSON.stringify([...previous, record], null, 1));
  return record;
}

export function assertSlurmOptions(o: SlurmOptions): void {
  if (o.tasksPerJob < 1) throw new ConfigError('--tasks-per-job must be at least 1');
  if (o.arrayParallelism !== undefined && o.arrayParallelism < 1) throw new ConfigError('--array-parallelism must be at least 1');
  if (o.maxArraySize !== undefined && o.maxArraySize < 1) throw new CorpusError('MaxArraySize must be at least 1');
}
