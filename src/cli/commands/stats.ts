/** `corpusmill stats <out>`: per stage, source and step: documents and bytes in and out, drops by reason, time. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Catalog } from '../../catalog/catalog.js';
import { ConfigError } from '../../core/errors.js';
import { catalogPath } from '../../pipeline/layout.js';
import { collectStats, formatStats } from '../../pipeline/stats.js';
import { syncMarkers } from '../../pipeline/markers.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('print the counters of a build (documents, bytes, drops by reason, time)')
    .argument('<out>', 'output folder of a build')
    .option('--json', 'machine-readable output')
    .action(async (out: string, o: { json?: boolean }) => {
      if (!existsSync(catalogPath(out))) throw new ConfigError(`${out}: not a build output folder (no catalog.sqlite)`);
      const cat = new Catalog(catalogPath(out));
      // Cluster tasks report through markers: merge them first.
      for (const s of cat.db.prepare('SELECT name, hash FROM stages').all() as Array<{ name: string; hash: string }>) await syncMarkers(cat, out, s.name, s.hash);
      const runs = cat.db.prepare('SELECT pipeline FROM runs ORDER BY id DESC LIMIT 1').get() as { pipeline: string } | undefined;
      const stageOrder = (cat.db.prepare('SELECT name FROM stages ORDER BY planned_at, rowid').all() as Array<{ name: string }>).map((r) => r.name);
      const stats = collectStats(cat, runs?.pipeline ?? '', stageOrder);
      cat.close();
      process.stdout.write(o.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    });
}
