/** `corpusmill build <pipeline.yaml>`: runs (or resumes) a pipeline and prints the stats table. */
import type { Command } from 'commander';
import { createLogger } from '../../core/log.js';
import { build } from '../../pipeline/build.js';
import { formatStats } from '../../pipeline/stats.js';
import { createProgress } from '../progress.js';
import { intOption } from '../options.js';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('run a pipeline end to end; a rerun resumes where the last one stopped')
    .argument('<pipeline>', 'pipeline YAML file (see pipelines/)')
    .option('-o, --out <dir>', 'output folder (default: the pipeline\'s `output`, else out/<name>)')
    .option('-w, --workers <n>', 'worker threads (default: one per core)', intOption)
    .option('-s, --stage <name>', 'run only this stage (its inputs must be built)')
    .option('--force', 'rebuild stages whose configuration changed since they were built')
    .option('--json', 'print the stats as JSON instead of a table')
    .action(async (file: string, o: { out?: string; workers?: number; stage?: string; force?: boolean; json?: boolean }, cmd: Command) => {
      const log = createLogger();
      const verbose = Boolean(cmd.optsWithGlobals().verbose);
      const result = await build({
        pipelineFile: file,
        out: o.out,
        workers: o.workers,
        stage: o.stage,
        force: o.force,
        log,
        progress: createProgress(log),
        argv: process.argv.slice(2),
        logLevel: verbose ? 'debug' : cmd.optsWithGlobals().quiet ? 'warn' : 'info',
      });
      if (o.json) process.stdout.write(JSON.stringify(result.stats, null, 2) + '\n');
      else process.stdout.write(formatStats(result.stats) + `outputs in ${result.out}\n`);
    });
}
