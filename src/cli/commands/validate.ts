/**
 * `corpusmill validate <pipeline.yaml>`: checks a pipeline file without running it, as `build`
 * would (every step and source name, every parameter, stage references, plugins; errors as
 * file:line:col, exit 2), and lists the warnings a build gives too: parameters a step or source does
 * not know and ignores (most often a typo; the nearest known name is suggested).
 */
import type { Command } from 'commander';
import { createRegistry } from '../../app/registry.js';
import { loadPipeline } from '../../pipeline/config.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a pipeline file without running it: names, parameters, stage references (errors as file:line:col)')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const registry = createRegistry();
      const p = await loadPipeline(file, registry);
      const warnings = p.warnings;
      const summary = {
        pipeline: p.name,
        file: p.file,
        stages: p.stages.map((s) => ({ name: s.name, inputs: s.inputs.map((i) => (i.kind === 'stage' ? `stage ${i.stage}` : i.source)), steps: s.steps.map((x) => x.step) })),
        sections: Object.keys(p.sections),
        warnings,
      };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const steps = p.stages.reduce((a, s) => a + s.steps.length, 0);
      process.stdout.write(
        `${file}: valid: pipeline ${p.name}, ${p.stages.length} stage${p.stages.length === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'}` +
          `${summary.sections.length ? `, sections ${summary.sections.join(', ')}` : ''}${warnings.length ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}\n`,
      );
    });
}
