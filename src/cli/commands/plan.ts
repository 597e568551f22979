/** `corpusmill plan <pipeline.yaml>`: what a build would fetch and roughly what it would cost, without downloading data. */
import type { Command } from 'commander';
import { createRegistry } from '../../app/registry.js';
import { createLogger } from '../../core/log.js';
import { planPipeline } from '../../pipeline/plan.js';
import { humanBytes } from '../../pipeline/stats.js';
import { allowedPlugins, intOption } from '../options.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('list the files a pipeline would fetch (from listings and HEAD requests) and estimate CPU-hours (measured per-step rates) and disk')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('-o, --out <dir>', 'output folder (for the listing cache)')
    .option('--head-sample <n>', 'HEAD requests per input when the listing gives no sizes', intOption, 16)
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { out?: string; headSample: number; json?: boolean }, cmd: Command) => {
      const plan = await planPipeline({
        pipelineFile: file,
        out: o.out,
        log: createLogger(),
        registry: createRegistry(),
        headSample: o.headSample,
        allowPlugins: allowedPlugins(cmd),
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      const w = Math.max(...plan.inputs.map((i) => `${i.stage}/${i.source}`.length), 12);
      process.stdout.write(`${'input'.padEnd(w)}  ${'files'.padStart(8)}  ${'bytes'.padStart(10)}  ${'MB/s/core'.padStart(9)}  ${'CPU-hours'.padStart(10)}\n`);
      for (const i of plan.inputs) {
        process.stdout.write(
          `${`${i.stage}/${i.source}`.padEnd(w)}  ${String(i.files).padStart(8)}  ${i.unreachable ? '?' : (i.estimated ? '~' : '') + humanBytes(i.bytes)}`.padEnd(w + 22) +
            `  ${String(i.rate_mb_s_per_core).padStart(9)}  ${i.cpu_hours.toFixed(i.cpu_hours < 10 ? 3 : 0).padStart(10)}\n`,
        );
      }
      for (const st of plan.stages) {
        const steps = st.steps.map((x) => `${x.step} ${x.rate_mb_s_per_core} MB/s ${x.cpu_hours.toFixed(x.cpu_hours < 10 ? 3 : 0)} h`).join(', ');
        process.stdout.write(
          `stage ${st.stage}: ~${humanBytes(st.text_bytes)} of text; read ${st.read_cpu_hours.toFixed(st.read_cpu_hours < 10 ? 3 : 0)} CPU-h${steps ? `; ${steps}` : ''}\n`,
        );
      }
      for (const i of plan.inputs.filter((x) => x.unreachable)) process.stdout.write(`${i.stage}/${i.source}: not reachable, left out of the totals: ${i.unreachable}\n`);
      for (const i of plan.inputs.filter((x) => x.from === 'catalog'))
        process.stdout.write(`${i.stage}/${i.source}: listing not reachable, sized from this output folder's earlier build\n`);
      process.stdout.write(
        `total${plan.unreachable ? ` of the reachable inputs` : ''}: ${humanBytes(plan.total_bytes)} to fetch, ~${plan.cpu_hours.toFixed(plan.cpu_hours < 10 ? 3 : 0)} CPU-hours, ~${humanBytes(plan.disk_bytes)} of disk; ` +
          `~${plan.wall_hours_here.toFixed(2)} h on this machine's ${plan.cores_here} cores\n`,
      );
    });
}
