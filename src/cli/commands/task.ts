/** `corpusmill task`: what a cluster array element runs (see src/exec/slurm/element.ts). */
import type { Command } from 'commander';
import { createRegistry } from '../../app/registry.js';
import { ConfigError } from '../../core/errors.js';
import { runElement } from '../../exec/slurm/element.js';
import { loadPipeline } from '../../pipeline/config.js';
import { allowedPlugins, intOption } from '../options.js';
import { createLogger } from '../../core/log.js';

export function registerTask(program: Command): void {
  program
    .command('task')
    .description("run one array element's tasks from a frozen ranks file (used by cluster launches)")
    .argument('<pipeline>', 'pipeline YAML file')
    .requiredOption('-o, --out <dir>', 'output folder of the build')
    .requiredOption('--ranks <file>', 'ranks file written by the launcher')
    .option('--offset <n>', 'array offset (arrays split under MaxArraySize)', intOption, 0)
    .option('--index <n>', 'array index (default: $SLURM_ARRAY_TASK_ID)', intOption)
    .action(async (file: string, o: { out: string; ranks: string; offset: number; index?: number }, cmd: Command) => {
      const index = o.index ?? (process.env.SLURM_ARRAY_TASK_ID !== undefined ? Number(process.env.SLURM_ARRAY_TASK_ID) : undefined);
      if (index === undefined || !Number.isInteger(index)) throw new ConfigError('no array index: pass --index or run inside a Slurm array');
      const pipeline = await loadPipeline(file, createRegistry(), { allowPlugins: allowedPlugins(cmd), log: createLogger() });
      await runElement(pipeline, { out: o.out, ranksFile: o.ranks, offset: o.offset, index });
    });
}
