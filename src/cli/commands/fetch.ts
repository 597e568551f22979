/** `corpusmill fetch <pipeline.yaml>`: downloads and verifies every input, processes nothing. */
import type { Command } from 'commander';
import { Catalog } from '../../catalog/catalog.js';
import { createLogger } from '../../core/log.js';
import { build } from '../../app/build.js';
import { catalogPath } from '../../pipeline/layout.js';
import { humanBytes } from '../../pipeline/stats.js';
import { allowedPlugins } from '../options.js';

export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .description('download (or locate) and verify the inputs of a pipeline without processing them')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('-o, --out <dir>', 'output folder holding the catalog and the default cache')
    .option('--json', 'print the fetched files as JSON')
    .action(async (file: string, o: { out?: string; json?: boolean }, cmd: Command) => {
      const log = createLogger();
      const r = await build({ pipelineFile: file, out: o.out, fetchOnly: true, log, argv: process.argv.slice(2), allowPlugins: allowedPlugins(cmd) });
      const cat = new Catalog(catalogPath(r.out));
      const rows = cat.fetches();
      cat.close();
      if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        for (const f of rows) process.stdout.write(`${humanBytes(f.bytes).padStart(9)}  ${f.sha256.slice(0, 12)}  ${f.url}\n`);
        process.stdout.write(`${rows.length} files, ${humanBytes(rows.reduce((a, f) => a + f.bytes, 0))}\n`);
      }
    });
}
