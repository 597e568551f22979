/** `corpusmill build <pipeline.yaml>`: runs (or resumes) a pipeline and prints the stats table. */
import type { Command } from 'commander';
import { build } from '../../app/build.js';
import { createLogger } from '../../core/log.js';
import type { SlurmOptions } from '../../exec/slurm/executor.js';
import { formatStats } from '../../pipeline/stats.js';
import { createProgress } from '../progress.js';
import { allowedPlugins, intOption, positiveInt } from '../options.js';

interface BuildCliOptions {
  out?: string;
  workers?: number;
  stage?: string;
  force?: boolean;
  offline?: boolean;
  json?: boolean;
  limit?: number;
  executor: string;
  partition?: string;
  time?: string;
  cpusPerTask: number;
  mem?: string;
  arrayParallelism?: number;
  tasksPerJob: number;
  sbatchArg: string[];
  envSetup?: string;
  requeueSignal: number;
  maxArraySize?: number;
}

const collect = (v: string, acc: string[]) => [...acc, v];

const shellWord = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * Ctrl-C: one line saying how to resume, exit 130. Finished tasks have their markers; the ones cut
 * short are redone by the next run, which gives the same bytes.
 */
function interrupted(tty: boolean): never {
  const again = ['corpusmill', ...process.argv.slice(2)].map(shellWord).join(' ');
  process.stderr.write(`${tty ? '\x1b[?25h\n' : ''}corpusmill: interrupted; finished tasks are kept, resume with: ${again}\n`);
  process.exit(130);
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('run a pipeline end to end; a rerun resumes where the last one stopped')
    .argument('<pipeline>', 'pipeline YAML file (see pipelines/)')
    .option('-o, --out <dir>', "output folder (default: the pipeline's `output`, else out/<name>)")
    .option('-w, --workers <n>', 'worker threads (default: one per core)', intOption)
    .option('-s, --stage <name>', 'run only this stage (its inputs must be built)')
    .option(
      '--force',
      'rebuild the stages whose configuration changed since they were built, and every stage after them; in a folder another pipeline built, discard its outputs (downloads are kept)',
    )
    .option('--json', 'print the stats as JSON instead of a table')
    .option('--limit <n>', 'trial run: only the first N documents of each task, into <out>-limitN', positiveInt)
    .option('--offline', 'make no network request: use the download cache as it is (no revalidation)')
    .option('--executor <name>', 'local (worker processes here) or slurm (job arrays)', 'local')
    .option('--partition <name>', 'slurm: partition')
    .option('--time <limit>', 'slurm: time limit per array element (e.g. 4:00:00)')
    .option('--cpus-per-task <n>', 'slurm: CPUs per array element', intOption, 1)
    .option('--mem <size>', 'slurm: memory per array element (e.g. 4G)')
    .option('--array-parallelism <n>', 'slurm: array elements running at once (%N)', intOption)
    .option('--tasks-per-job <n>', 'slurm: tasks each array element runs in sequence', intOption, 1)
    .option('--sbatch-arg <arg>', 'slurm: extra sbatch argument, repeatable (e.g. --sbatch-arg=--qos=high)', collect, [])
    .option('--env-setup <line>', 'slurm: shell line run before corpusmill in each job (module load, venv)')
    .option('--requeue-signal <seconds>', 'slurm: USR1 this long before the time limit requeues the element', intOption, 120)
    .option('--max-array-size <n>', 'slurm: override MaxArraySize (default: from scontrol show config)', intOption)
    .action(async (file: string, o: BuildCliOptions, cmd: Command) => {
      process.once('SIGINT', () => interrupted(process.stderr.isTTY));
      const log = createLogger();
      const verbose = Boolean(cmd.optsWithGlobals().verbose);
      const slurm: SlurmOptions = {
        partition: o.partition,
        time: o.time,
        cpusPerTask: o.cpusPerTask,
        mem: o.mem,
        arrayParallelism: o.arrayParallelism,
        tasksPerJob: o.tasksPerJob,
        sbatchArgs: o.sbatchArg,
        envSetup: o.envSetup,
        requeueSignalSeconds: o.requeueSignal,
        maxArraySize: o.maxArraySize,
      };
      const result = await build({
        pipelineFile: file,
        out: o.out,
        executor: o.executor,
        workers: o.workers,
        slurm,
        stage: o.stage,
        force: o.force,
        offline: o.offline,
        allowPlugins: allowedPlugins(cmd),
        limit: o.limit,
        log,
        progress: o.executor === 'local' ? createProgress(log) : undefined,
        argv: process.argv.slice(2),
        logLevel: verbose ? 'debug' : cmd.optsWithGlobals().quiet ? 'warn' : 'info',
      });
      const record = result.launch;
      if (record) {
        if (o.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        else {
          for (const p of record.phases)
            process.stdout.write(`${p.stage}/${p.phase}: ${p.ranks} tasks in job ${p.jobs.join(', ')}${p.depends_on.length ? ` (after ${p.depends_on.join(', ')})` : ''}\n`);
          process.stdout.write(`launch ${record.launch} submitted; follow it with: corpusmill status ${result.out}\n`);
        }
        return;
      }
      if (o.json) process.stdout.write(`${JSON.stringify(result.stats, null, 2)}\n`);
      else process.stdout.write(`${formatStats(result.stats)}outputs in ${result.out}\n`);
    });
}
