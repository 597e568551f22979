/** `corpusmill mix <mixture.yaml>`: a seeded training mixture at target proportions, as Megatron shards plus blend strings. */
import type { Command } from 'commander';
import { loadMixture } from '../../mix/config.js';
import { formatMix, mixWarnings, runMix } from '../../mix/mix.js';

export function registerMix(program: Command): void {
  program
    .command('mix')
    .description('build a training mixture from per-source token shards: target proportions, a token budget, seeded interleaving')
    .argument('<mixture>', 'mixture YAML: tokens, output, budget, weights, seed (paths relative to it; blend files name shards relative to output)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await runMix(loadMixture(file));
      for (const w of mixWarnings(r)) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatMix(r));
    });
}
