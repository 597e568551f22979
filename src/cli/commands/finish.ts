/** `corpusmill finish <pipeline> --out DIR`: what follows a build's stages (the last job of a cluster build; src/app/finish.ts). */
import type { Command } from 'commander';
import { finishLocked } from '../../app/build.js';
import { createLogger } from '../../core/log.js';
import { allowedPlugins } from '../options.js';

export function registerFinish(program: Command): void {
  program
    .command('finish')
    .description("run what follows a complete build's stages: the pipeline's mixture and the report, stats.json (the last job of a cluster build)")
    .argument('<pipeline>', 'pipeline YAML file')
    .requiredOption('-o, --out <dir>', 'output folder of the build')
    .action(async (file: string, o: { out: string }, cmd: Command) => {
      await finishLocked({ pipelineFile: file, out: o.out, log: createLogger(), allowPlugins: allowedPlugins(cmd) });
    });
}
