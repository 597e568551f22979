/** `corpusmill logs <out> --failed`: the error and the log tail of every task that failed and has not since completed. */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { failurePath, markerPath } from '../../pipeline/layout.js';
import { readJson, type Failure } from '../../pipeline/markers.js';
import { intOption } from '../options.js';

interface FailedTask extends Failure {
  stage: string;
  phase: string;
  idx: number;
  tail: string[];
}

async function failedTasks(out: string, lines: number): Promise<FailedTask[]> {
  const root = join(out, '_state');
  if (!existsSync(root)) throw new ConfigError(`${out}: no task state (not a build output folder?)`);
  const found: FailedTask[] = [];
  for (const stage of (await readdir(root)).sort()) {
    for (const phase of (await readdir(join(root, stage))).sort()) {
      for (const f of (await readdir(join(root, stage, phase))).filter((n) => n.endsWith('.failed')).sort()) {
        const idx = Number(f.slice(0, -'.failed'.length));
        if (existsSync(markerPath(out, stage, phase, idx))) continue; // it failed once, then completed
        const failure = await readJson<Failure>(failurePath(out, stage, phase, idx));
        if (!failure) continue;
        let tail: string[] = [];
        if (failure.log && existsSync(failure.log)) tail = readFileSync(failure.log, 'utf8').trimEnd().split('\n').slice(-lines);
        found.push({ ...failure, stage, phase, idx, tail });
      }
    }
  }
  return found;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the error and the log tail of failed tasks')
    .argument('<out>', 'output folder of a build')
    .option('--failed', 'only tasks that failed and have not completed since (the default and only mode)', true)
    .option('-n, --lines <n>', 'log lines to show per task', intOption, 20)
    .option('--json', 'machine-readable output')
    .action(async (out: string, o: { lines: number; json?: boolean }) => {
      const failed = await failedTasks(out, o.lines);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(failed, null, 2)}\n`);
        return;
      }
      if (failed.length === 0) process.stdout.write('no failed tasks\n');
      for (const f of failed) {
        process.stdout.write(`── ${f.stage}/${f.phase}#${f.idx}${f.job ? ` (job ${f.job})` : ''} on ${f.host} at ${f.failed_at}\n${f.error}\n`);
        if (f.tail.length) process.stdout.write(`${f.log}:\n  ${f.tail.join('\n  ')}\n`);
        process.stdout.write('\n');
      }
    });
}
