/** `corpusmill status <out>`: the build's progress per stage and phase (see src/pipeline/status.ts). */
import type { Command } from 'commander';
import { statusProbes } from '../../app/build.js';
import { MAIN_PHASE } from '../../pipeline/layout.js';
import { humanBytes } from '../../pipeline/stats.js';
import { buildStatus } from '../../pipeline/status.js';

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

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
      for (const s of status) {
        const t = s.tasks;
        process.stdout.write(
          `${`${s.stage}/${s.phase}`.padEnd(24)} done ${t.done}  running ${t.running}  failed ${t.failed}  pending ${t.pending}  ` +
            `${s.phase === MAIN_PHASE ? `${s.docs} docs  ` : ''}${humanBytes(s.bytes_done)}/${humanBytes(s.bytes_total)}` +
            (s.rate_bytes_per_s ? `  ${humanBytes(s.rate_bytes_per_s)}/s  ETA ${duration(s.eta_s)}` : '') +
            '\n',
        );
      }
    });
}
