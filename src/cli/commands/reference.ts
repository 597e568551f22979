/** `corpusmill steps` and `corpusmill sources`: every step and source with its parameters (src/app/reference.ts). */
import type { Command } from 'commander';
import { formatReference, type ItemRef, sourcesReference, stepsReference } from '../../app/reference.js';
import { createRegistry } from '../../app/registry.js';
import { ConfigError } from '../../core/errors.js';
import type { Registry } from '../../pipeline/registry.js';

function register(program: Command, name: string, what: string, list: (r: Registry) => ItemRef[]): void {
  program
    .command(name)
    .description(`list every ${what} a pipeline can use, with its parameters (types, defaults, descriptions)`)
    .argument('[names...]', `only these ${name}`)
    .option('--json', 'machine-readable output')
    .action((names: string[], o: { json?: boolean }) => {
      let items = list(createRegistry());
      if (names.length) {
        const unknown = names.filter((n) => !items.some((i) => i.name === n));
        if (unknown.length) throw new ConfigError(`unknown ${what} ${unknown.join(', ')} (known: ${items.map((i) => i.name).join(', ')})`);
        items = items.filter((i) => names.includes(i.name));
      }
      process.stdout.write(o.json ? `${JSON.stringify(items, null, 2)}\n` : formatReference(items));
    });
}

export function registerReference(program: Command): void {
  register(program, 'steps', 'step', stepsReference);
  register(program, 'sources', 'source', sourcesReference);
}
