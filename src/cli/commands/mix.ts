/** `corpusmill mix <mixture.yaml>`: a seeded training mixture at target proportions, as Megatron shards plus blend strings. */
import type { Command } from 'commander';
import { loadMixture } from '../../mix/config.js';
import { runMix, type MixResult } from '../../mix/mix.js';

export function formatMix(r: MixResult): string {
  const lines = [`mixture: ${r.tokens} tokens, ${r.documents} documents in ${r.output} (budget ${r.budget})`, 'source          target  achieved      tokens  epochs'];
  for (const x of r.rows) {
    lines.push(`${x.source.padEnd(14)} ${(100 * x.target).toFixed(2).padStart(6)}%  ${(100 * x.achieved).toFixed(2).padStart(7)}%  ${String(x.tokens).padStart(10)}  ${x.epochs.toFixed(2).padStart(6)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerMix(program: Command): void {
  program
    .command('mix')
    .description('build a training mixture from per-source token shards: target proportions, a token budget, seeded interleaving')
    .argument('<mixture>', 'mixture YAML: tokens, output, budget, weights, seed (paths relative to it)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const r = await runMix(loadMixture(file));
      process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : formatMix(r));
    });
}
