/** `corpusmill status <out>`: the build's progress per stage and phase (see src/pipeline/status.ts). */
import type { Command } from 'commander';
import { statusProbes } from '../../app/build.js';
import { MAIN_PHASE } from '../../pipeline/layout.js';
import { humanBytes, humanCount, humanDuration, textTable } from '../../pipeline/stats.js';
import { buildStatus } from '../../pipeline/status.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('tasks done / running / failed / pending per stage, with documents, bytes, rate and ETA')
    .argument('<out>', 'output folder of a build (local or cluster)')
    .option('--json', 'machine-readable output')
    .action(async (out: string, o: { json?: boolean }) => {
      const status = await buildStatus(out, await statusProbes(out));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const rows = [['stage', 'phase', 'done', 'running', 'failed', 'pending', 'docs', 'read', 'of', 'rate', 'ETA']];
      for (const s of status) {
        const t = s.tasks;
        const complete = t.running + t.failed + t.pending === 0;
        rows.push([
          s.stage,
          s.phase === MAIN_PHASE ? 'main' : s.label,
          String(t.done),
          String(t.running),
          String(t.failed),
          String(t.pending),
          s.phase === MAIN_PHASE ? humanCount(s.docs) : '',
          s.bytes_total ? humanBytes(s.bytes_done) : '',
          s.bytes_total ? humanBytes(s.bytes_total) : '',
          s.rate_bytes_per_s ? `${humanBytes(s.rate_bytes_per_s)}/s` : '',
          complete ? 'done' : s.eta_s === null ? '?' : humanDuration(s.eta_s),
        ]);
      }
      process.stdout.write(`${textTable(rows, [false, false, true, true, true, true, true, true, true, true, true])}\n`);
    });
}
